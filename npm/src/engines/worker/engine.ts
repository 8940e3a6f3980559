/**
 * The wasm engine in a dedicated Web Worker (`createConductor({ worker: true })`): the session,
 * and so all of a run's work, lives in the worker; the page keeps the same `SessionEngine` glue
 * over a proxy handle (`WorkerSessionHandle`), so JS executors, the values they pass each other,
 * events and results are handled in the page exactly as with the in-page engine. Each
 * conductor has its own worker: a trap (a Rust panic) ends that conductor's pending runs with
 * `INTERNAL_ERROR`, the worker is terminated and a fresh one takes the next calls.
 *
 * The page also instantiates the module itself (shared with in-page conductors) for the
 * synchronous catalog and format helpers, which cannot wait for a worker.
 */
import type { ConductorConfig } from "../../types/execution.js";
import { sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import { ReloadingEngine, type LoadedSession } from "../session/reloading.js";
import { withCatalogData } from "../wasm/catalog-data.js";
import { browserModule, liveCatalog } from "../wasm/load.js";
import { WorkerSessionHandle } from "./handle.js";
import type { OpenMessage, WorkerMessage } from "./protocol.js";
import { spawnWorker, WORKER_HINT } from "./spawn.js";
import type { WorkerOption } from "../../types/worker-option.js";

export class WorkerEngine extends ReloadingEngine {
  /** The browser records runs only when the config asks (the editor module has the history). */
  readonly keepsHistory: boolean;

  constructor(config: ConductorConfig, option: WorkerOption) {
    super(() => workerSession(config, option));
    this.keepsHistory = browserModule(config).history;
  }
}

/** A session in a new worker, resolved once the worker has opened it. */
async function workerSession(config: ConductorConfig, option: WorkerOption): Promise<LoadedSession> {
  const catalog = withCatalogData(await liveCatalog());
  // `true` finds the script only where the package's files are served as they are.
  const hint = option === true ? ` (${WORKER_HINT})` : "";
  let worker: Worker;
  try {
    worker = spawnWorker(option);
  } catch (error) {
    // A URL the page may not start a worker from, such as the file: URL a bundler made of `true`'s.
    throw new Error(
      `@atomiton/conductor/browser: the engine's worker failed: ${error instanceof Error ? error.message : String(error)}${hint}`,
    );
  }
  const module = browserModule(config);
  const handle = new WorkerSessionHandle((message) => worker.postMessage(message), module.variant === "history");
  const listeners: Array<(error: unknown) => void> = [];
  let ended: Error | undefined;
  const end = (error: Error) => {
    if (ended) return;
    ended = error;
    worker.terminate();
    handle.stop(error);
    for (const listener of listeners.splice(0)) listener(error);
  };
  await new Promise<void>((resolve, reject) => {
    worker.addEventListener("message", (event: MessageEvent) => {
      const message = event.data as WorkerMessage;
      if (message.kind === "ready") resolve();
      else if (message.kind === "failed") {
        reject(new Error(`@atomiton/conductor/browser: the engine's worker could not start: ${message.message}`));
        end(new Error(message.message));
      } else if (message.kind === "trap") end(Object.assign(new Error(message.message), { name: "RuntimeError" }));
      else handle.receive(message);
    });
    // The script could not be loaded, or it threw outside a session call.
    worker.addEventListener("error", (event: ErrorEvent) => {
      event.preventDefault();
      const error = new Error(
        `@atomiton/conductor/browser: the engine's worker failed: ${event.message || "its script could not be loaded"}${hint}`,
      );
      reject(error);
      end(error);
    });
    const open: OpenMessage = {
      op: "open",
      configJson: sessionConfigJson({ ...config, history: module.configHistory as ConductorConfig["history"] }),
      memoryStorage: config.storage?.type === "memory",
      history: module.history,
      editor: module.variant === "history",
      cache: Boolean(config.cache),
    };
    worker.postMessage(open);
  });
  const engine = new SessionEngine("wasm", handle, catalog, { holdEventLoop: false, deferNotify: true });
  return {
    engine,
    onTrap(listener) {
      if (ended) listener(ended);
      else listeners.push(listener);
    },
    free() {
      ended ??= new Error("@atomiton/conductor/browser: this engine has been closed");
      worker.terminate();
      handle.stop(ended);
      engine.close();
    },
  };
}
