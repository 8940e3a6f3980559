/**
 * The conductor object (`node`, `flow`, `storage`, `auth`, `system`, `events`, ... as the original
 * package had them): one implementation over any engine. It
 * shapes values, manages listeners and ids, and forwards everything else to the engine.
 */
import { RunLog } from "../logging.js";
import { isTransportKind, type TransportKind, type TransportSettings } from "../transports/configure.js";
import { withErrorKind } from "../types/error-kind.js";
import { ConductorError, createExecutionError, ErrorCode, type ExecutionError } from "../types/errors.js";
import { createExecutionId } from "../types/ids.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ConductorConfig, ContextOverrides, ExecutionResult, ExecutionTrace, HealthResult } from "../types/execution.js";
import type {
  CompletedHandler,
  ErrorHandler,
  ConductorEventEmitter,
  ExecutionGraphStore,
  PausedEvent,
  PausedHandler,
  RunCompleteEvent,
  RunErrorEvent,
  RunGraphState,
  RunProgressEvent,
  StartedHandler,
  Unsubscribe,
} from "../types/progress.js";
import type {
  AuthCredentials,
  AuthResult,
  EnvironmentInfo,
  FlowDefinition,
  FlowListResponse,
  FlowTemplateInfo,
  ListFlowsOptions,
  SavedFlowEvent,
  UserInfo,
  ValidationResult,
} from "../types/storage.js";
import type { EngineAdapter, Outcome, RunCommand, WireEvent } from "./engine.js";
import {
  executeRequest,
  isExecutionRequest,
  type ExecutionRequest,
  type Lookup,
  type RequestExecutionResult,
  type RequestRunner,
} from "./execute-request.js";
import { customTypesOf } from "./executors.js";
import { createExecutionsApi } from "./executions.js";
import { executionFailure, publicError } from "./failure.js";
import { toExecutionResult, unwrap } from "./hydrate.js";
import { GraphStore } from "./graph-store.js";
import { Listeners } from "./listeners.js";
import type { EveryRunOption } from "./run-options.js";
import { toGraphState } from "./progress.js";
import { withRunLogging } from "./run-logging.js";
import { TransportSwitch, type LocalEngines } from "./transport-switch.js";
import { MESSAGES } from "../types/wire.generated.js";

/** How a conductor presents its environment. */
export type EnvironmentOptions = {
  environment: EnvironmentInfo;
  /** How to run flows in this process (`configureTransport("local", ...)`); absent for conductors that cannot. */
  locals?: LocalEngines;
  /** Auth and restart go through this bridge when present (a desktop renderer). */
  auth?: AuthBackend;
  restart?: () => Promise<void>;
};

/** Where `auth` sends its calls (a desktop bridge); without one, auth is unavailable. */
export type AuthBackend = {
  login(credentials: AuthCredentials): Promise<AuthResult>;
  logout(token: string | null): Promise<void>;
  getCurrentUser(): Promise<UserInfo | null>;
  refreshToken(token: string): Promise<AuthResult>;
  onAuthExpired(callback: (data: unknown) => void): Unsubscribe;
  tokenStore: { get(): string | null; set(token: string | null): void };
};

/** A minimal read-only view of the latest run state (the original `node.store`). */
export type ExecutionGraphStoreView = ExecutionGraphStore;

export type Conductor = ReturnType<typeof createConductorApi>;

/** The transport a config names: `transport` as a kind, or the scheme of `apiUrl` alone. */
function initialTransport(config: ConductorConfig): TransportKind | undefined {
  if (isTransportKind(config.transport)) return config.transport;
  if (config.transport === undefined && typeof config.apiUrl === "string") return /^wss?:/i.test(config.apiUrl) ? "ws" : "http";
  return undefined;
}

/** An engine's answer to a lookup by id: absent when it has no such flow (or the id cannot be one). */
function lookup(outcome: Outcome<unknown>): Lookup {
  if (outcome.ok) return outcome.value ? { flow: outcome.value as NodeDefinition } : {};
  const absent = outcome.error.code === ErrorCode.NODE_NOT_FOUND || outcome.error.code === ErrorCode.VALIDATION_FAILED;
  return absent ? {} : { error: publicError(outcome.error) };
}

export function createConductorApi(home: EngineAdapter, givenConfig: ConductorConfig, options: EnvironmentOptions) {
  // The conductor's own copy: configureTransport("local", ...) changes it for later runs.
  const config: ConductorConfig = { ...givenConfig };
  const transports = new TransportSwitch(home, config, options.locals);
  const log = new RunLog(config);
  const engine = withRunLogging(transports.engine, log);
  const factory = config.nodeExecutorFactory;
  engine.setExecutorFactory(factory);
  const progress = new Listeners<RunProgressEvent>();
  const graphStates = new Listeners<RunGraphState>();
  const completes = new Listeners<RunCompleteEvent>();
  const errors = new Listeners<RunErrorEvent>();
  const started = new Listeners<{ executionId: string; nodeId: string }>();
  const completed = new Listeners<{ executionId: string; result: ExecutionResult }>();
  const failed = new Listeners<{ executionId: string; error: Error }>();
  const flowSaved = new Listeners<SavedFlowEvent>();
  const paused = new Listeners<PausedEvent>();
  const store = new GraphStore(engine);

  engine.setEventListener((events: WireEvent[]) => {
    for (const event of events) {
      if (event.type === "progress") {
        const { type: _type, ...snapshot } = event;
        const payload = snapshot as unknown as RunProgressEvent;
        progress.emit(payload);
        if (graphStates.size > 0) graphStates.emit(toGraphState(payload));
        store.apply(event);
      } else if (event.type === "nodeChanged") {
        store.apply(event);
      } else if (event.type === "flowSaved") {
        const { type: _type, ...saved } = event;
        flowSaved.emit(saved);
      } else if (event.type === "paused") {
        paused.emit({ executionId: event.executionId, nodeId: event.nodeId, input: (event.input ?? {}) as Record<string, unknown> });
      }
    }
  });

  const wantsProgress = () => progress.size > 0 || graphStates.size > 0;
  /** Whether the run's events are wanted: progress, or pauses someone may have to answer. */
  const wantsEvents = (overrides: ContextOverrides) =>
    wantsProgress() || store.wantsSnapshots || paused.size > 0 || (overrides.breakpoints?.length ?? 0) > 0;

  async function run(node: NodeDefinition, given: ContextOverrides | null = {}): Promise<ExecutionResult> {
    if (node === null || typeof node !== "object") {
      return executionFailure(ErrorCode.INVALID_NODE, MESSAGES.INVALID_NODE_DEFINITION);
    }
    if (given !== null && typeof given !== "object") {
      return executionFailure(ErrorCode.VALIDATION_FAILED, `Run options must be an object, got ${typeof given}`);
    }
    const overrides: ContextOverrides = given ?? {};
    const executionId = createExecutionId(overrides.executionId);
    const nodeId = typeof node.id === "string" ? node.id : "";
    const signal = overrides.signal;
    const abort = () => void engine.cancel(executionId);
    if (signal?.aborted) {
      return executionFailure(ErrorCode.CANCELLED, MESSAGES.EXECUTION_CANCELLED, { nodeId });
    }
    signal?.addEventListener("abort", abort, { once: true });
    started.emit({ executionId, nodeId });
    try {
      // A small run finishes inside engine.run's first call. Starting it a microtask later
      // keeps the original engine's order: listeners added right after node.run() is called
      // still see the run's events.
      await undefined;
      // One literal naming every option (its type makes it): an object of one fixed shape is
      // what the encoder after it is fastest with (a spread of the passed options cost 5% of a
      // 10-node run).
      const options: EveryRunOption = {
        executionId,
        variables: overrides.variables,
        input: overrides.input,
        parentContext: overrides.parentContext,
        slowMo: overrides.slowMo,
        debug: overrides.debug,
        timeout: overrides.timeout ?? config.timeout,
        customTypes: customTypesOf(node, factory),
        events: wantsEvents(overrides),
        stateEvents: store.wantsChanges,
        permissions: overrides.permissions,
        history: overrides.history,
        retry: overrides.retry ? { of: overrides.retry.of, from: overrides.retry.from ?? "failed" } : undefined,
        pinned: overrides.pinned,
        runTo: overrides.runTo,
        breakpoints: overrides.breakpoints,
      };
      store.started(executionId);
      const wire = await engine.run(node, options);
      // Progress snapshots of this run are delivered before its completion is announced.
      engine.flushEvents();
      const result = toExecutionResult(wire);
      store.ended(executionId, () => result.trace ?? null);
      if (result.error) withErrorKind(result.error);
      announce(executionId, nodeId, result);
      return result;
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  }

  async function control(executionId: string, command: RunCommand): Promise<boolean> {
    requireString(executionId, "Execution id");
    return engine.controlRun(executionId, command);
  }

  function announce(executionId: string, nodeId: string, result: ExecutionResult): void {
    const timestamp = Date.now();
    if (result.success) {
      completes.emit({ nodeId, executionId, result, timestamp });
      completed.emit({ executionId, result });
      return;
    }
    const error = result.error as ExecutionError;
    errors.emit({ nodeId, executionId, error: error.message, code: error.code, timestamp });
    failed.emit({ executionId, error: withErrorKind(Object.assign(new Error(error.message), { code: error.code })) });
  }

  async function validate(node: NodeDefinition): Promise<ValidationResult> {
    return unwrap(await engine.validate(node, customTypesOf(node, factory)));
  }

  const onProgress = (callback: (event: RunProgressEvent) => void): Unsubscribe => progress.add(callback);
  const onComplete = (callback: (event: RunCompleteEvent) => void): Unsubscribe => completes.add(callback);
  const onError = (callback: (event: RunErrorEvent) => void): Unsubscribe => errors.add(callback);

  /** `execute(request)`s in progress, by execution id. */
  const requests = new Map<string, AbortController>();
  const requestRunner: RequestRunner = {
    run,
    loadSaved: async (id) => lookup(await engine.loadFlow(id)),
    loadTemplate: async (id) => lookup(await engine.getTemplate(id)),
    newExecutionId: (given) => createExecutionId(given),
    track(executionId, controller) {
      requests.set(executionId, controller);
      return () => {
        if (requests.get(executionId) === controller) requests.delete(executionId);
      };
    },
    get maxRetries() {
      return config.maxRetries ?? 3;
    },
    get retryDelay() {
      return config.retryDelay ?? 1000;
    },
    log,
  };

  /**
   * `execute(request)` runs a flow by id (`{flowId | blueprintId, inputs, context, options}`);
   * `execute(node, overrides)` is `node.run`. A node has a string `type`; a request does not.
   */
  function execute(request: ExecutionRequest): Promise<RequestExecutionResult>;
  function execute(node: NodeDefinition, overrides?: ContextOverrides): Promise<ExecutionResult>;
  function execute(
    target: NodeDefinition | ExecutionRequest,
    overrides?: ContextOverrides,
  ): Promise<ExecutionResult | RequestExecutionResult> {
    return isExecutionRequest(target) ? executeRequest(requestRunner, target) : run(target as NodeDefinition, overrides);
  }

  const node = {
    run,
    validate,
    /** Cancels a running execution (or `execute` request); resolves to whether one was running. */
    async cancel(executionId: string): Promise<boolean> {
      const request = requests.get(executionId);
      request?.abort();
      return (await engine.cancel(executionId)) || request !== undefined;
    },
    /** Pauses a running execution at its next node boundary (running nodes finish); false when none is running. */
    pause: (executionId: string): Promise<boolean> => control(executionId, "pause"),
    /** Lets a paused execution go on (until its next breakpoint). */
    resume: (executionId: string): Promise<boolean> => control(executionId, "resume"),
    /** Runs the node a paused execution waits at, then pauses before the next one. */
    step: (executionId: string): Promise<boolean> => control(executionId, "step"),
    /** Called when a run pauses: its id, the node about to run (a path) and that node's input. */
    onPaused: (callback: PausedHandler): Unsubscribe => paused.add(callback),
    onProgress,
    onComplete,
    onError,
    /** The latest run state, for code written against the original `node.store`. */
    store: {
      getState: () => store.getState(),
      subscribe: (listener: (state: RunGraphState, previous: RunGraphState) => void) => store.subscribe(listener),
      reset: () => store.reset(),
      getTrace: () => store.getTrace() as ExecutionTrace | null,
    } satisfies ExecutionGraphStoreView,
  };

  const flow = {
    async listTemplates(): Promise<{ templates: FlowTemplateInfo[] }> {
      return unwrap(await engine.listTemplates());
    },
    async getTemplate(id: string): Promise<{ definition: NodeDefinition }> {
      const definition = unwrap(await engine.getTemplate(id));
      if (!definition) throw new Error(`Flow template ${id} not found`);
      return { definition };
    },
    async loadFlow(id: string): Promise<NodeDefinition> {
      return (await flow.getTemplate(id)).definition;
    },
    async run(flowDefinition: NodeDefinition, overrides: ContextOverrides = {}): Promise<ExecutionResult> {
      if (!Array.isArray(flowDefinition?.nodes) || flowDefinition.nodes.length === 0) {
        throw refused(ErrorCode.INVALID_NODE, "Flow must be a group node with child nodes. Use conductor.node.run() for atomic nodes.");
      }
      return run(flowDefinition, overrides);
    },
    onProgress,
    onComplete,
    onError,
  };

  const storage = {
    async saveFlow(definition: FlowDefinition): Promise<FlowDefinition> {
      if (!Array.isArray(definition?.nodes) || definition.nodes.length === 0)
        throw refused(ErrorCode.VALIDATION_FAILED, MESSAGES.EMPTY_FLOW);
      return unwrap(await engine.saveFlow(definition)) as FlowDefinition;
    },
    async loadFlow(id: string): Promise<FlowDefinition> {
      requireString(id, "Flow id");
      return unwrap(await engine.loadFlow(id)) as FlowDefinition;
    },
    async listFlows(listOptions: ListFlowsOptions = {}): Promise<FlowListResponse> {
      // Only the options there are: whatever else an object holds (a cycle, a BigInt) stays here.
      const { limit, offset, sortBy, sortOrder } =
        typeof listOptions === "object" && listOptions !== null ? listOptions : ({} as ListFlowsOptions);
      return unwrap(await engine.listFlows({ limit, offset, sortBy, sortOrder })) as FlowListResponse;
    },
    async deleteFlow(id: string): Promise<void> {
      requireString(id, "Flow id");
      unwrap(await engine.deleteFlow(id));
    },
    onFlowSaved: (callback: (event: SavedFlowEvent) => void): Unsubscribe => flowSaved.add(callback),
  };

  const executions = createExecutionsApi(engine, run);

  const auth = createAuth(options.auth);

  const system = {
    async health(): Promise<HealthResult> {
      if (typeof config.transport === "object" && config.transport?.health) return config.transport.health();
      if (engine.health) return engine.health();
      // A Node process is "local" whichever engine runs its flows.
      const local = engine.kind === "native" || options.environment.type === "desktop";
      return {
        status: "ok",
        timestamp: Date.now(),
        message: local ? "Local conductor operational" : "Browser conductor operational (local engine)",
      };
    },
    async restart(): Promise<void> {
      if (options.restart) return options.restart();
      if (engine.restart) return engine.restart();
      throw new Error("Restart not available in this environment");
    },
  };

  const events: ConductorEventEmitter = {
    onProgress: (handler: (state: RunGraphState) => void): Unsubscribe => graphStates.add(handler),
    onStarted: (handler: StartedHandler): Unsubscribe => started.add(handler),
    onCompleted: (handler: CompletedHandler): Unsubscribe => completed.add(handler),
    onError: (handler: ErrorHandler): Unsubscribe => failed.add(handler),
  };

  const catalog = {
    getNodeDefinition: (type: string): NodeDefinition | undefined => unwrap(engine.nodeDefinition(type)) ?? undefined,
    getAllNodeDefinitions: (): NodeDefinition[] => unwrap(engine.nodeDefinitions()),
    getNodeDefinitionsGroupedByCategory: () => unwrap(engine.nodeDefinitionsByCategory()),
  };

  const formats = {
    /** Reads a flow from YAML (the flow format, with its defaults) or JSON text. */
    parseFlow: (text: string, parseOptions: { format?: "yaml" | "json"; defaults?: boolean } = {}): NodeDefinition => {
      requireString(text, "Flow text");
      return unwrap(engine.parseFlow(text, parseOptions));
    },
    /** Writes a flow as YAML that reads back to the same definition. */
    toYaml: (definition: NodeDefinition): string => unwrap(engine.flowToYaml(definition)),
  };

  const environment = options.environment;
  const initial = initialTransport(config);
  if (initial && initial !== "local") transports.configure(initial, config as TransportSettings);
  return {
    node,
    flow,
    storage,
    executions,
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
     */
    async shutdown(): Promise<void> {
      for (const request of requests.values()) request.abort();
      await transports.shutdown();
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

/** Refuses what is not a string where the engine takes one (napi would throw an uncoded `StringExpected`). */
function requireString(value: unknown, what: string): void {
  if (typeof value !== "string")
    throw refused(ErrorCode.VALIDATION_FAILED, `${what} must be a string, got ${value === null ? "null" : typeof value}`);
}

/** A call refused before it reached the engine: the original message, with a code. */
function refused(code: ErrorCode, message: string): ConductorError {
  return new ConductorError(createExecutionError(code, message));
}

function createAuth(backend: AuthBackend | undefined) {
  const noTransport = () => new Error("No transport available for authentication");
  return {
    async login(credentials: AuthCredentials): Promise<AuthResult> {
      if (!credentials?.username || !credentials?.password) throw new Error("Invalid credentials");
      if (!backend) throw noTransport();
      const result = await backend.login(credentials);
      if (result?.token) backend.tokenStore.set(result.token);
      return result;
    },
    async logout(): Promise<void> {
      if (!backend) return;
      const token = backend.tokenStore.get();
      backend.tokenStore.set(null);
      await backend.logout(token);
    },
    async getCurrentUser(): Promise<UserInfo | null> {
      if (!backend?.tokenStore.get()) return null;
      return (await backend.getCurrentUser()) ?? null;
    },
    async refreshToken(): Promise<AuthResult> {
      const token = backend?.tokenStore.get();
      if (!token) throw new Error("No token to refresh");
      if (!backend) throw noTransport();
      const result = await backend.refreshToken(token);
      if (result?.token) backend.tokenStore.set(result.token);
      return result;
    },
    onAuthExpired(callback: (data: unknown) => void): Unsubscribe {
      return backend ? backend.onAuthExpired(callback) : () => {};
    },
  };
}
