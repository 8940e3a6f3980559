/* The browser entry's `worker` option (`BrowserConductorConfig.worker`). */
/**
 * How a conductor runs its engine in a Web Worker: `true` for the package's worker script next
 * to the package's own modules (a page served the package's files as they are); `{ url }` for
 * that script served from elsewhere (it is `@atomiton/conductor/browser/worker`, which loads its
 * `.wasm` from next to its glue); `{ create }` to make the worker yourself (it must run that
 * script, as a module worker): `engineWorker` from `@atomiton/conductor/browser/engine-worker`
 * does, in the form bundlers build.
 */
export type WorkerOption = true | { url: string | URL; create?: undefined } | { create: () => Worker; url?: undefined };
