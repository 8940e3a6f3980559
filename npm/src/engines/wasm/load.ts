/**
 * Loading the wasm module: in a browser (or through a bundler) the glue fetches
 * `atomiton_conductor_wasm_bg.wasm` next to itself; in Node it is read from disk, since Node's
 * `fetch` cannot read `file:` URLs.
 */
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
