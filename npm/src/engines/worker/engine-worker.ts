/**
 * `@atomiton/conductor/browser/engine-worker`: worker mode for a bundled app.
 * `createConductor({ worker: engineWorker })` starts the package's worker script through the
 * `new Worker(new URL("./main.js", import.meta.url), { type: "module" })` form, which Vite and
 * webpack 5 recognise: they build the script, its imports and the `.wasm` it loads into the app.
 * Only an app that imports this module gets the worker built; served as plain ES modules, it
 * starts the script next to it, as `worker: true` does.
 */
import type { WorkerOption } from "../../types/worker-option.js";

export const engineWorker: WorkerOption = {
  create: () => new Worker(new URL("./main.js", import.meta.url), { type: "module" }),
};
