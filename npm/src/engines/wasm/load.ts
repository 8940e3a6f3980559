/**
 * Loading the wasm module: in a browser (or through a bundler) the glue fetches its `.wasm` next
 * to itself; in Node it is read from disk, since Node's `fetch` cannot read `file:` URLs. Every
 * conductor of a page shares one instance (the glue is one ES module); a trap leaves that instance
 * unusable for all of them, so it is replaced for all.
 */
import type { CatalogFunctions } from "../session/handle.js";
import { glues, type WasmGlue, type WasmVariant } from "./glue.js";

/** Each module's glue and `.wasm`, relative to this file in the package. */
const FILES: Record<WasmVariant, { glue: string; wasm: string }> = {
  base: { glue: "./atomiton_conductor_wasm.js", wasm: "./atomiton_conductor_wasm_bg.wasm" },
  history: { glue: "../wasm-history/atomiton_conductor_wasm.js", wasm: "../wasm-history/atomiton_conductor_wasm_history_bg.wasm" },
};

/** Whether `config.history` asks for execution history (in the browser it is off unless asked). */
export function wantsHistory(history: unknown): boolean {
  return history === true || (typeof history === "object" && history !== null && (history as { enabled?: unknown }).enabled !== false);
}

/**
 * The module a browser conductor loads and what it records: the editor module (`"history"`:
 * execution history, durable runs, streams of rows, node spans, the node result cache and
 * plugins) when the config asks for any of them or for `debugging`, else the default one (which
 * debugs too). A conductor that loads it without history records no runs.
 */
export function browserModule(config: {
  history?: unknown;
  debugging?: unknown;
  cache?: unknown;
  durability?: unknown;
  plugins?: unknown;
}): {
  variant: WasmVariant;
  history: boolean;
  configHistory: unknown;
} {
  const history = wantsHistory(config.history);
  const cache = config.cache !== undefined && config.cache !== false;
  // Durable runs are the editor module's (with its history); asked without one, it says so.
  // Plugins' interpreter is the editor module's too (the default one has no room for it).
  const plugins = config.plugins !== undefined && Object.keys(config.plugins as object).length > 0;
  // `debugging: true` loaded it when only it could debug; apps use it still for the editor
  // module's streams of rows and node spans without history.
  const editor = history || config.debugging === true || cache || config.durability !== undefined || plugins;
  return { variant: editor ? "history" : "base", history, configHistory: history ? config.history : false };
}

function inNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return typeof versions?.node === "string";
}

async function wasmBytesFromDisk(variant: WasmVariant): Promise<Uint8Array> {
  // Computed specifiers and paths, so browser bundlers neither include Node's fs nor take the
  // files for assets of their own.
  const fsModule = "node:fs/promises";
  const { readFile } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsModule)) as typeof import("node:fs/promises");
  return readFile(new URL(/* webpackIgnore: true */ FILES[variant].wasm, import.meta.url));
}

/**
 * The glue of `variant`: the one imported statically, or (`generation > 0`) a fresh copy of it,
 * imported again under a query string. Only a page served the package's files as they are can
 * import such a copy; a bundle holds a single copy of the glue.
 */
async function importGlue(variant: WasmVariant, generation: number): Promise<WasmGlue> {
  if (generation === 0) return glues[variant];
  const specifier = `${FILES[variant].glue}?instance=${generation}`;
  return (await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)) as WasmGlue;
}

/**
 * The glue with its module instantiated. `generation > 0` loads a fresh copy of the glue (and
 * so a fresh wasm instance), used after a trap left the previous one unusable.
 */
export async function loadWasm(generation = 0, variant: WasmVariant = "base"): Promise<WasmGlue> {
  let glue: WasmGlue;
  try {
    glue = await importGlue(variant, generation);
  } catch (error) {
    throw new Error(
      `@atomiton/conductor/browser: a fresh copy of the wasm engine${variant === "history" ? " with history" : ""} could not be loaded after an internal error: ${String(error)}`,
    );
  }
  await glue.default(inNode() ? { module_or_path: await wasmBytesFromDisk(variant) } : undefined);
  return glue;
}

/** The module instance the conductors of this realm share. */
export type WasmInstance = {
  glue: WasmGlue;
  /** `listener` runs once if any session on this instance traps. */
  onTrap(listener: (error: unknown) => void): void;
  /** A session on this instance trapped: tells every session, and the next load starts a fresh instance. */
  trapped(error: unknown): void;
};

const sharedByVariant = new Map<WasmVariant, Promise<WasmInstance>>();
/**
 * How many instances of each module have trapped: the glue imported statically serves until one
 * does, then each replacement is a fresh copy. (A load that failed is retried on the same glue.)
 */
const trappedInstances = new Map<WasmVariant, number>();

/** The live shared instance of `variant`, loading it (again, after a trap or a failed load) when needed. */
export function sharedWasmInstance(variant: WasmVariant = "base"): Promise<WasmInstance> {
  const current = sharedByVariant.get(variant);
  if (current) return current;
  const generation = trappedInstances.get(variant) ?? 0;
  const loading: Promise<WasmInstance> = loadWasm(generation, variant).then((glue) => {
    const listeners = new Set<(error: unknown) => void>();
    let dead = false;
    return {
      glue,
      onTrap: (listener) => void listeners.add(listener),
      trapped(error) {
        if (dead) return;
        dead = true;
        trappedInstances.set(variant, generation + 1);
        if (sharedByVariant.get(variant) === loading) sharedByVariant.delete(variant);
        for (const listener of listeners) listener(error);
        listeners.clear();
      },
    };
  });
  sharedByVariant.set(variant, loading);
  loading.catch(() => {
    if (sharedByVariant.get(variant) === loading) sharedByVariant.delete(variant);
  });
  return loading;
}

/**
 * The catalog and format functions of the live shared instance, for a session that is not on
 * it (one in a Web Worker): after an in-page trap they go to the replacement instance.
 */
export async function liveCatalog(): Promise<CatalogFunctions> {
  let glue = (await sharedWasmInstance()).glue;
  const follow = (instance: WasmInstance) =>
    instance.onTrap(() => {
      sharedWasmInstance().then(
        (next) => {
          glue = next.glue;
          follow(next);
        },
        () => {},
      );
    });
  follow(await sharedWasmInstance());
  return new Proxy({} as CatalogFunctions, { get: (_, name) => glue[name as keyof CatalogFunctions] });
}
