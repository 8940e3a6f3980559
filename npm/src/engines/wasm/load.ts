/**
 * Loading the wasm module: in a browser (or through a bundler) the glue fetches
 * `atomiton_conductor_wasm_bg.wasm` next to itself; in Node it is read from disk, since Node's
 * `fetch` cannot read `file:` URLs. Every conductor of a page shares one instance (the glue is
 * one ES module); a trap leaves that instance unusable for all of them, so it is replaced for all.
 */
import type { CatalogFunctions } from "../session/handle.js";
import type * as Glue from "./atomiton_conductor_wasm.js";

export type WasmGlue = typeof Glue;

const WASM_FILE = "atomiton_conductor_wasm_bg.wasm";

function inNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return typeof versions?.node === "string";
}

async function wasmBytesFromDisk(): Promise<Uint8Array> {
  // A computed specifier, so browser bundlers do not try to include Node's fs.
  const fsModule = "node:fs/promises";
  const { readFile } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ fsModule)) as typeof import("node:fs/promises");
  return readFile(new URL(`./${WASM_FILE}`, import.meta.url));
}

/**
 * The glue with its module instantiated. `generation > 0` loads a fresh copy of the glue (and
 * so a fresh wasm instance), used after a trap left the previous one unusable.
 */
export async function loadWasm(generation = 0): Promise<WasmGlue> {
  let glue: WasmGlue;
  try {
    glue = generation === 0 ? await import("./atomiton_conductor_wasm.js") : ((await import(/* @vite-ignore */ `./atomiton_conductor_wasm.js?instance=${generation}`)) as WasmGlue);
  } catch (error) {
    throw new Error(`@atomiton/conductor/browser: the wasm engine is not built (run scripts/build-wasm.sh): ${String(error)}`);
  }
  await glue.default(inNode() ? { module_or_path: await wasmBytesFromDisk() } : undefined);
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

let shared: Promise<WasmInstance> | undefined;
let nextGeneration = 0;

/** The live shared instance, loading it (again, after a trap or a failed load) when needed. */
export function sharedWasmInstance(): Promise<WasmInstance> {
  if (shared) return shared;
  const loading: Promise<WasmInstance> = loadWasm(nextGeneration++).then((glue) => {
    const listeners = new Set<(error: unknown) => void>();
    let dead = false;
    return {
      glue,
      onTrap: (listener) => void listeners.add(listener),
      trapped(error) {
        if (dead) return;
        dead = true;
        if (shared === loading) shared = undefined;
        for (const listener of listeners) listener(error);
        listeners.clear();
      },
    };
  });
  shared = loading;
  loading.catch(() => {
    if (shared === loading) shared = undefined;
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
      sharedWasmInstance().then((next) => {
        glue = next.glue;
        follow(next);
      }, () => {});
    });
  follow(await sharedWasmInstance());
  return new Proxy({} as CatalogFunctions, { get: (_, name) => glue[name as keyof CatalogFunctions] });
}
