/**
 * The conductor object (`node`, `flow`, `storage`, `auth`, `system`, `events`, ... as the TypeScript
 * engine's package had them): one implementation over any engine. It
 * shapes values, manages listeners and ids, and forwards everything else to the engine. Each
 * namespace is built in `namespaces/`, `node.run` in `run.ts`, over the state in `state.ts`.
 */
import { RunLog } from "../logging.js";
import { isTransportKind, type TransportKind, type TransportSettings } from "../transports/configure.js";
import type { AuthBackend } from "../types/auth-backend.js";
import type { ConductorConfig } from "../types/execution.js";
import type { ExecutionGraphStore } from "../types/progress.js";
import type { EnvironmentInfo } from "../types/storage.js";
import type { EngineAdapter } from "./engine.js";
import { createCacheApi } from "./cache.js";
import { resumeInterrupted } from "./durability.js";
import { WaitTimer } from "./waits.js";
import { createTriggersApi } from "./triggers.js";
import { createCredentialsApi } from "./credentials.js";
import { createExecutionsApi } from "./executions.js";
import { createAuthApi } from "./namespaces/auth.js";
import { createCatalogApi } from "./namespaces/catalog.js";
import { createEventsApi } from "./namespaces/events.js";
import { createExecute } from "./namespaces/execute.js";
import { createFlowApi } from "./namespaces/flow.js";
import { createFormatsApi } from "./namespaces/formats.js";
import { createNodeApi } from "./namespaces/node.js";
import { createStorageApi } from "./namespaces/storage.js";
import { createSystemApi } from "./namespaces/system.js";
import { createRun } from "./run.js";
import { withRunLogging } from "./run-logging.js";
import { createConductorState } from "./state.js";
import { TransportSwitch, type LocalEngines, type RemoteEngineFactory } from "./transport-switch.js";

/** How a conductor presents its environment. */
export type EnvironmentOptions = {
  environment: EnvironmentInfo;
  /** How to run flows in this process (`configureTransport("local", ...)`); absent for conductors that cannot. */
  locals?: LocalEngines;
  /** How to run flows on a server or main process (`configureTransport("http" | "ws" | "ipc")`). */
  remote: RemoteEngineFactory;
  /** Auth and restart go through this bridge when present (a desktop renderer). */
  auth?: AuthBackend;
  restart?: () => Promise<void>;
};

/** A minimal read-only view of the latest run state (the TypeScript engine `node.store`). */
export type ExecutionGraphStoreView = ExecutionGraphStore;

export type Conductor = ReturnType<typeof createConductorApi>;

/** The transport a config names: `transport` as a kind, or the scheme of `apiUrl` alone. */
function initialTransport(config: ConductorConfig): TransportKind | undefined {
  if (isTransportKind(config.transport)) return config.transport;
  if (config.transport === undefined && typeof config.apiUrl === "string") return /^wss?:/i.test(config.apiUrl) ? "ws" : "http";
  return undefined;
}

export function createConductorApi(home: EngineAdapter, givenConfig: ConductorConfig, options: EnvironmentOptions) {
  // The conductor's own copy: configureTransport("local", ...) changes it for later runs.
  const config: ConductorConfig = { ...givenConfig };
  const transports = new TransportSwitch(home, config, options.locals, options.remote);
  const log = new RunLog(config);
  const state = createConductorState(withRunLogging(transports.engine, log), config);
  const { engine, listeners } = state;
  const run = createRun(state);
  const { execute, requests } = createExecute(state, run, log);
  const node = createNodeApi(state, run, requests);
  const flow = createFlowApi(engine, run, node);
  const storage = createStorageApi(engine, listeners.flowSaved);
  const executions = createExecutionsApi(engine, run);
  const cache = createCacheApi(engine);
  const credentials = createCredentialsApi(engine);
  const { triggers, timer: triggerTimer } = createTriggersApi(engine, run, config);
  const auth = createAuthApi(options.auth);
  const system = createSystemApi(engine, config, options.environment, options.restart);
  const events = createEventsApi(listeners);
  const catalog = createCatalogApi(engine);
  const formats = createFormatsApi(engine);

  const environment = options.environment;
  const initial = initialTransport(config);
  let waits: WaitTimer | undefined;
  if (initial && initial !== "local") transports.configure(initial, config as TransportSettings);
  else {
    const durability = (config as { durability?: unknown }).durability;
    // Durable runs may park at wait nodes: one timer wakes those whose time comes.
    if (durability !== undefined && durability !== null) {
      waits = new WaitTimer(executions);
      const timer = waits;
      listeners.waiting.add((event) => timer.arm(event.waiting?.wakeAt));
    }
    void resumeInterrupted(durability, executions, () => void waits?.check());
  }
  return {
    node,
    flow,
    storage,
    executions,
    cache,
    triggers,
    credentials,
    auth,
    system,
    events,
    catalog,
    formats,
    execute,
    /**
     * Where later runs go: `"local"` (this process; `{concurrency, timeout}` apply to runs started
     * from now on), `"http"` / `"ws"` (a protocol server: `{apiUrl}`), `"ipc"` (an Electron main
     * process: `{bridge}` or `{ipcRenderer}`, else the preload's). Runs in flight finish where
     * they started. Throws a `ConductorError` for an unknown type or unusable settings.
     */
    configureTransport(type: TransportKind, settings?: TransportSettings): void {
      transports.configure(type, settings);
    },
    /**
     * Stops the conductor: no new runs; runs and `execute` requests in flight are cancelled
     * (they resolve with `CANCELLED`); once they have ended the engines are released. Every
     * later call fails with `NO_TRANSPORT` "The conductor has been shut down ...". Idempotent.
     * `{suspend: true}` (a conductor with `durability`): the runs in flight are stopped to be
     * resumed — recorded `interrupted`, checkpoints kept, resumed by the next conductor on the
     * store (`durability.resume: "auto"`) or `executions.resume(id)`. Each stops at its next
     * node boundary: nothing more starts, the nodes running are let end (10 s at most; past that
     * they are stopped: a pure one runs again on resume, one with effects waits for a decision
     * unless it is idempotent).
     */
    async shutdown(options: { suspend?: boolean } = {}): Promise<void> {
      for (const request of requests.values()) request.abort();
      waits?.close();
      await triggerTimer.close();
      await transports.shutdown(options?.suspend === true);
    },
    /** Legacy alias of `system.health`. */
    health: system.health,
    getEnvironment: (): EnvironmentInfo => environment,
    inDesktop: environment.type === "desktop",
    inBrowser: environment.type === "browser",
    /** Deprecated: use `node.store`. */
    get store(): ExecutionGraphStoreView {
      console.warn("Deprecated: conductor.store is deprecated. Use conductor.node.store instead.");
      return node.store;
    },
  };
}
