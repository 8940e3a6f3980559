/**
 * The script of the Web Worker a worker-mode conductor runs its engine in. It loads the same wasm
 * module the page would (fetched next to its glue), opens one session with the page's config and
 * serves it (`SessionHost`). Storage is the origin's IndexedDB, as in the page, unless the config
 * asks for memory. It is `@atomiton/conductor/browser/worker` in the package's exports.
 *
 * Nothing it imports has a dynamic `import()`: bundlers build a worker as a single script (Vite's
 * default worker format, iife, cannot hold chunks). A worker is replaced after a trap, so it
 * never needs a fresh copy of the glue.
 */
import { createHostFunctions } from "../wasm/host-functions.js";
import { sessionHandle } from "../wasm/handle.js";
import { CACHE_DATABASE, HISTORY_DATABASE, indexedDbStorage } from "../wasm/indexeddb.js";
import { glues } from "../wasm/glue.js";
import { SessionHost } from "./host.js";
import type { OpenMessage, RequestMessage, WorkerMessage } from "./protocol.js";

type WorkerScope = { onmessage: ((event: MessageEvent) => void) | null; postMessage(message: WorkerMessage): void };

const scope = globalThis as unknown as WorkerScope;
const early: RequestMessage[] = [];

scope.onmessage = (event) => {
  const open = event.data as OpenMessage;
  scope.onmessage = (later) => early.push(later.data as RequestMessage);
  void start(open);
};

async function start(open: OpenMessage): Promise<void> {
  let host: SessionHost;
  try {
    const glue = glues[open.editor ? "history" : "base"];
    await glue.default();
    const storage = open.memoryStorage ? undefined : indexedDbStorage();
    const historyStorage = open.history && !open.memoryStorage ? indexedDbStorage(HISTORY_DATABASE) : undefined;
    const cacheStorage = historyStorage && open.cache ? indexedDbStorage(CACHE_DATABASE) : undefined;
    const conductor = new glue.WasmConductor(open.configJson, createHostFunctions(), storage, historyStorage, cacheStorage);
    host = new SessionHost(sessionHandle(conductor), (message) => scope.postMessage(message));
  } catch (error) {
    scope.postMessage({ kind: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  scope.onmessage = (event) => host.handle(event.data as RequestMessage);
  for (const message of early.splice(0)) host.handle(message);
  scope.postMessage({ kind: "ready" });
}
