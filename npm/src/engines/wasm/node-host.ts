/**
 * What the wasm engine gets from a Node process: the web host functions (clock, timers, `fetch`)
 * plus `effects` — files (`node-files.ts`) and processes (`node-processes.ts`) through Node's
 * own modules — and flow storage on disk, in the directory the native engine uses.
 */
import { readdir, readFile, unlink } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { EMBEDDER_STORAGE } from "../../conductor/engine.js";
import type { ConductorConfig } from "../../types/execution.js";
import { createHostFunctions } from "./host-functions.js";
import type { StorageFunctions } from "./indexeddb.js";
import { ioFailure, nodeFiles, writeAtomic } from "./node-files.js";
import { runProcess } from "./node-processes.js";

/** The host functions with files and processes; relative paths resolve against `workingDirectory`. */
export function nodeHostFunctions(config: ConductorConfig) {
  const base = config.workingDirectory;
  return {
    ...createHostFunctions(),
    effects: {
      ...nodeFiles(base),
      run: (specJson: string, stdin: Uint8Array | undefined) => runProcess(specJson, stdin, base),
    },
  };
}

/** Whether the config keeps flows in memory or leaves them to the app's storage: nothing on disk. */
const nothingOnDisk = (config: ConductorConfig) => {
  const kind: string | undefined = config.storage?.type;
  return kind === "memory" || kind === EMBEDDER_STORAGE.type;
};

/** `storage.directory`, else `~/.atomiton/flows` (as bindings-node/src/config.rs). */
function storageDirectory(config: ConductorConfig): string {
  return config.storage?.directory ?? join(homedir() || ".", ".atomiton", "flows");
}

const missing = (error: unknown) => (error as { code?: string }).code === "ENOENT";

/**
 * Flow storage in a directory, one file per key, written atomically (as the native engine's
 * `FileStorage`); `undefined` for `storage: {type: "memory"}`, which the engine keeps itself.
 */
export function nodeFlowStorage(config: ConductorConfig): StorageFunctions | undefined {
  return nothingOnDisk(config) ? undefined : directoryStorage(storageDirectory(config));
}

/** Run records beside the flows: `history/<id>.run.json` in the storage directory (memory with `storage: {type: "memory"}`). */
export function nodeHistoryStorage(config: ConductorConfig): StorageFunctions | undefined {
  return nothingOnDisk(config) ? undefined : directoryStorage(join(storageDirectory(config), "history"));
}

/**
 * The node result cache's entries beside the history: `cache/<key>.cache.json` in the storage
 * directory, when the config asks for a cache (the engine keeps it there only beside a kept history).
 */
export function nodeCacheStorage(config: ConductorConfig): StorageFunctions | undefined {
  return nothingOnDisk(config) || !config.cache ? undefined : directoryStorage(join(storageDirectory(config), "cache"));
}

/**
 * Active triggers and their fire records beside the history: `triggers/` and `trigger-fires/` in
 * the storage directory (memory with `storage: {type: "memory"}`).
 */
export function nodeTriggerStorage(config: ConductorConfig): [StorageFunctions | undefined, StorageFunctions | undefined] {
  if (nothingOnDisk(config)) return [undefined, undefined];
  const dir = storageDirectory(config);
  return [directoryStorage(join(dir, "triggers")), directoryStorage(join(dir, "trigger-fires"))];
}

/** Text by key in `dir`, one file per key, written atomically. */
function directoryStorage(dir: string): StorageFunctions {
  return {
    async keys() {
      try {
        return await readdir(dir);
      } catch (error) {
        if (missing(error)) return [];
        throw ioFailure("list", dir, error);
      }
    },
    async read(key) {
      try {
        return await readFile(join(dir, key), "utf8");
      } catch (error) {
        if (missing(error)) return undefined;
        throw ioFailure("read", join(dir, key), error);
      }
    },
    async write(key, text) {
      try {
        await writeAtomic(join(dir, key), new TextEncoder().encode(text), true);
      } catch (error) {
        throw ioFailure("write", join(dir, key), error);
      }
    },
    async remove(key) {
      try {
        await unlink(join(dir, key));
        return true;
      } catch (error) {
        if (missing(error)) return false;
        throw ioFailure("remove", join(dir, key), error);
      }
    },
  };
}
