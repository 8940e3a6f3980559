/**
 * Where the engine's Web Worker comes from. By default the package's own worker script, found
 * the way bundlers understand (Vite and webpack 5 see `new Worker(new URL("./x.js",
 * import.meta.url), { type: "module" })` and emit the script with its imports, the wasm module
 * included); served as is, it is the file next to this one.
 */

/**
 * How a conductor runs its engine in a Web Worker: `true` for the package's worker script next
 * to this module; `{ url }` for that script served from elsewhere (it is
 * `@atomiton/conductor/browser/worker`, which loads `atomiton_conductor_wasm_bg.wasm` from next
 * to its glue); `{ create }` to make the worker yourself (it must run that script, as a module
 * worker).
 */
export type WorkerOption = true | { url: string | URL; create?: undefined } | { create: () => Worker; url?: undefined };

export function spawnWorker(option: WorkerOption): Worker {
  if (option !== true && option.create) return option.create();
  if (option !== true && option.url !== undefined) return new Worker(option.url, { type: "module" });
  return new Worker(new URL("./main.js", import.meta.url), { type: "module" });
}
