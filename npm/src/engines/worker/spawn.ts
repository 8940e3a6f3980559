/**
 * Where the engine's Web Worker comes from: the worker script next to this module (`true`), a
 * URL, or a worker the app makes, such as `engineWorker` (`engine-worker.ts`), the way bundlers
 * build the script.
 */

import type { WorkerOption } from "../../types/worker-option.js";

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
