/**
 * Where the engine's Web Worker comes from: the worker script next to this module (`true`), a
 * URL, or a worker the app makes, such as `engineWorker` (`engine-worker.ts`), the way bundlers
 * build the script.
 */

/**
 * How a conductor runs its engine in a Web Worker: `true` for the package's worker script next
 * to this module (a page served the package's files as they are); `{ url }` for that script
 * served from elsewhere (it is `@atomiton/conductor/browser/worker`, which loads its `.wasm` from
 * next to its glue); `{ create }` to make the worker yourself (it must run that script, as a
 * module worker): `engineWorker` from `@atomiton/conductor/browser/engine-worker` does, in the
 * form bundlers build.
 */
export type WorkerOption = true | { url: string | URL; create?: undefined } | { create: () => Worker; url?: undefined };

/** Tells a failure to start the worker what to do about it. */
export const WORKER_HINT = "a bundled app passes worker: engineWorker from @atomiton/conductor/browser/engine-worker";

/**
 * The script `true` means, relative to this module, kept out of the
 * `new Worker(new URL("./main.js", import.meta.url))` form: that form makes Vite and webpack build
 * the worker into every app that imports the browser entry, worker mode or not. (webpack turns
 * `import.meta.url` alone into this file's path on the build machine: a `file:` URL no page may
 * start a worker from, which fails with `WORKER_HINT`.)
 */
const WORKER_SCRIPT = "./main.js";
const HERE = import.meta.url;

export function spawnWorker(option: WorkerOption): Worker {
  if (option !== true && option.create) return option.create();
  if (option !== true && option.url !== undefined) return new Worker(option.url, { type: "module" });
  return new Worker(new URL(WORKER_SCRIPT, HERE), { type: "module" });
}
