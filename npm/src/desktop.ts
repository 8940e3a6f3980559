/**
 * `@atomiton/conductor/desktop` (and the package root): flows in this Node process (Electron's
 * main process or a utilityProcess, servers, the CLI) on the native engine, or on the
 * WebAssembly engine where no native binary fits.
 */
import type { Conductor } from "./conductor/api.js";
import { createNativeConductor, type DesktopConductorConfig } from "./desktop/native-conductor.js";
import { checkConductorConfig } from "./options/entries.js";
import "./telemetry/node-api.js";

export type { Conductor } from "./conductor/api.js";
export type DesktopConductor = Conductor;

/**
 * A conductor running flows in this process — on the native engine, or on the WebAssembly
 * engine when `engine` (default `"auto"`, or `ATOMITON_CONDUCTOR_ENGINE`) says so or no native
 * binary fits this platform — or, with `transport: "http"`
 * / `"ws"` / `"ipc"` or an `apiUrl` — on a server or main process. `CONDUCTOR_CONCURRENCY` and
 * `CONDUCTOR_TIMEOUT` in the environment are the defaults of `concurrency` and `timeout`;
 * `storage` may be a storage object the app made (see `setupMainProcessHandler`).
 */
export function createConductor(config: DesktopConductorConfig = {}): Conductor {
  checkConductorConfig(config, "node");
  return createNativeConductor(config);
}

export { conductor } from "./desktop/default-conductor.js";
export { workerPool, type WorkerPoolStats } from "./desktop/worker-pool.js";
export { setupMainProcessHandler, type MainProcessHandler, type MainProcessHandlerOptions } from "./desktop/main-process.js";
export {
  SimpleExecutor,
  createSimpleNode,
  type SimpleBlueprint,
  type SimpleComposite,
  type SimpleNode,
  type SimpleResult,
} from "./legacy/simple-executor.js";
export {
  StateManager,
  type Checkpoint,
  type ExecutionState,
  type ExecutionStateStatus,
  type NodeState,
  type StateManagerEvents,
  type StatePersistence,
} from "./legacy/state-manager.js";
export { trackRuns } from "./legacy/track-runs.js";
export type { TelemetryConfig } from "./telemetry/run.js";
export { METRIC } from "./telemetry/metrics.js";
export { formatStream as formatStreamProgress, type StreamProgress } from "./conductor/stream-text.js";
export { ATTR as SPAN_ATTRIBUTES } from "./telemetry/node-spans.js";
export type { AppStorage, FlowStore, KeyValueStorage } from "./types/app-storage.js";
export type { DesktopConductorConfig } from "./desktop/native-conductor.js";
export { NativeEngineUnavailableError, NATIVE_UNAVAILABLE } from "./engines/native/unavailable.js";
export type { LoadAttempt } from "./engines/native/loader.js";
export { ENGINE_VARIABLE, type EngineChoice } from "./engines/choice.js";
export { NATIVE_PATH_VARIABLE } from "./engines/native/loader.js";
export { WASM_FALLBACK_WARNING } from "./engines/local.js";

// Remote conductors and the server side of the wire protocol (docs/remote.md),
// for Node processes.
export { createRemoteConductor, type RemoteConductor, type RemoteConductorOptions } from "./remote.js";
export { RemoteEngine } from "./engines/remote/engine.js";
export * from "./transports/index.js";
export * from "./server/index.js";

// Queue mode: runs on a pool of worker processes over BullMQ and Redis (docs/queue.md).
export * from "./queue/index.js";

export { isValidProgressEvent } from "./conductor/progress.js";
export * from "./catalog.js";
export * from "./types/index.js";
