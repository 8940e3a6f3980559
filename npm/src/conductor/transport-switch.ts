/**
 * Which engine a conductor's calls go to, and the two calls that change it:
 * `configureTransport(type, settings)` (a reconfigured local engine, or a remote one over HTTP,
 * WebSocket or IPC) and `shutdown()`. Runs already started finish on the engine they started
 * on; an engine nobody uses any more is released once its last run is over.
 */
import { checkTransportKind, remoteTransport, type TransportSettings } from "../transports/configure.js";
import type { ChannelTransport } from "../types/channel-transport.js";
import { ConductorError } from "../types/errors.js";
import type { ConductorConfig, NodeExecutorFactory } from "../types/execution.js";
import { closedEngine, shutDownError } from "./closed-engine.js";
import { delegatingEngine } from "./delegate.js";
import { failedResult, type EngineAdapter } from "./engine.js";
import type { WireEvent, WireResult } from "../types/wire.js";

/** What a conductor needs to run flows in this process with other settings. */
export type LocalEngines = {
  /** The conductor's engine in this process: it keeps the storage and answers the catalog. */
  local: EngineAdapter;
  /** A new engine in this process for `config` (a different `concurrency`). */
  create(config: ConductorConfig): EngineAdapter;
};

/**
 * Makes the engine that runs flows over `transport` (`configureTransport("http" | "ws" | "ipc")`),
 * with `local` answering the catalog and formats. The entry points give the remote engine's, so
 * that the conductor depends on no engine of its own.
 */
export type RemoteEngineFactory = (transport: ChannelTransport, local: EngineAdapter) => EngineAdapter;

/** The config fields `configureTransport` reads for a remote kind (explicit settings win). */
function remoteSettings(config: ConductorConfig, settings: TransportSettings): TransportSettings {
  return { apiUrl: config.apiUrl ?? config.serverUrl, WebSocket: config.WebSocket, ...settings };
}

type Closable = EngineAdapter & { close?(): void };

export class TransportSwitch {
  /** The engine the conductor API uses; its calls go to the current engines. */
  readonly engine: EngineAdapter;
  /** Runs, validation and cancellation. */
  private runner: EngineAdapter;
  /** Storage, templates, catalog, formats, health, restart. */
  private keeper: EngineAdapter;
  /** The local engine runs go to in `"local"` mode (`local`, or one with another concurrency). */
  private localRunner: EngineAdapter;
  /** Runs in flight: the engine each runs on, by execution id. */
  private readonly inFlight = new Map<string, EngineAdapter>();
  private readonly settling = new Set<Promise<unknown>>();
  /** Engines replaced while runs were still on them. */
  private readonly retiring = new Set<EngineAdapter>();
  private readonly attached = new WeakSet<EngineAdapter>();
  private factory: NodeExecutorFactory | undefined;
  private listener: ((events: WireEvent[]) => void) | undefined;
  private closing: Promise<void> | undefined;

  /**
   * @param home the engine the conductor was created with.
   * @param config the conductor's own copy of its config: `"local"` settings update it.
   * @param locals how to run in this process; without it only remote kinds can be configured.
   * @param remote how to run on a server or main process.
   */
  constructor(
    home: EngineAdapter,
    private readonly config: ConductorConfig,
    private readonly locals: LocalEngines | undefined,
    private readonly remote: RemoteEngineFactory,
  ) {
    this.runner = this.keeper = home;
    this.localRunner = locals?.local ?? home;
    this.attached.add(home);
    const keeper = () => this.keeper;
    this.engine = delegatingEngine(() => this.runner, {
      setExecutorFactory: (factory) => {
        this.factory = factory;
        for (const engine of this.current()) engine.setExecutorFactory(factory);
      },
      setEventListener: (listener) => {
        this.listener = listener;
        for (const engine of this.current()) engine.setEventListener(listener);
      },
      run: (flow, options) => this.run(flow, options),
      cancel: (executionId) => (this.inFlight.get(executionId) ?? this.runner).cancel(executionId),
      controlRun: (executionId, command) => (this.inFlight.get(executionId) ?? this.runner).controlRun(executionId, command),
      saveFlow: (flow) => this.keeper.saveFlow(flow),
      loadFlow: (id) => this.keeper.loadFlow(id),
      listFlows: (options) => this.keeper.listFlows(options),
      deleteFlow: (id) => this.keeper.deleteFlow(id),
      listTemplates: () => this.keeper.listTemplates(),
      getTemplate: (id) => this.keeper.getTemplate(id),
      nodeDefinitions: () => this.keeper.nodeDefinitions(),
      nodeDefinition: (type) => this.keeper.nodeDefinition(type),
      nodeDefinitionsByCategory: () => this.keeper.nodeDefinitionsByCategory(),
      parseFlow: (text, options) => this.keeper.parseFlow(text, options),
      flowToYaml: (flow) => this.keeper.flowToYaml(flow),
      executionId: (given) => this.keeper.executionId(given),
      retryDelay: (question) => this.keeper.retryDelay(question),
      // Present only when the keeper has them: the API falls back to its own answers otherwise.
      get health() {
        return keeper().health?.bind(keeper());
      },
      get restart() {
        return keeper().restart?.bind(keeper());
      },
    });
  }

  /** Whether `shutdown()` has been called. */
  get isShutDown(): boolean {
    return this.closing !== undefined;
  }

  private current(): Set<EngineAdapter> {
    return new Set([this.runner, this.keeper]);
  }

  private async run(flow: Parameters<EngineAdapter["run"]>[0], options: Parameters<EngineAdapter["run"]>[1]): Promise<WireResult> {
    if (this.closing) return failedResult(shutDownError());
    const engine = this.runner;
    this.inFlight.set(options.executionId, engine);
    const pending = engine.run(flow, options);
    this.settling.add(pending);
    try {
      const result = await pending;
      // The API flushes the current engine; this run's events are on its own.
      engine.flushEvents();
      return result;
    } finally {
      this.settling.delete(pending);
      if (this.inFlight.get(options.executionId) === engine) this.inFlight.delete(options.executionId);
      if (this.retiring.has(engine) && !this.busy(engine)) this.release(engine);
    }
  }

  private busy(engine: EngineAdapter): boolean {
    for (const running of this.inFlight.values()) if (running === engine) return true;
    return false;
  }

  /**
   * `configureTransport(type, settings)`: `"local"` runs later flows in this process (with the
   * given `concurrency`, `timeout` and `http.maxRequestsPerHost`); `"http"`, `"ws"` and `"ipc"` run them, and keep flows and
   * templates, on a server or an Electron main process. Throws a `ConductorError` when the kind
   * or its settings are unusable, or after `shutdown()`.
   */
  configure(kind: unknown, settings: TransportSettings = {}): void {
    if (this.closing) throw new ConductorError({ ...shutDownError(), timestamp: new Date() });
    const type = checkTransportKind(kind);
    if (type !== "local") {
      const remote = this.remote(remoteTransport(type, remoteSettings(this.config, settings)), this.localRunner);
      this.activate(remote, remote);
      return;
    }
    const locals = this.locals;
    if (!locals)
      throw new ConductorError({ ...shutDownError(), message: "This conductor cannot run flows in this process", timestamp: new Date() });
    const perHost = settings.http?.maxRequestsPerHost;
    const newConcurrency = settings.concurrency !== undefined && settings.concurrency !== this.config.concurrency;
    const newPerHost = perHost !== undefined && perHost !== this.config.http?.maxRequestsPerHost;
    // The engine bounds its runs by its config: a new bound is a new engine for later runs.
    const newTimeout = settings.timeout !== undefined && settings.timeout !== this.config.timeout;
    if (newConcurrency || newPerHost || newTimeout) {
      // Settings an engine refuses change nothing: the config takes them once one is made.
      const next: ConductorConfig = { ...this.config };
      if (settings.timeout !== undefined) next.timeout = settings.timeout;
      if (settings.concurrency !== undefined) next.concurrency = settings.concurrency;
      if (perHost !== undefined) next.http = { ...this.config.http, maxRequestsPerHost: perHost };
      const created = locals.create(next);
      Object.assign(this.config, next);
      const previous = this.localRunner;
      this.localRunner = created;
      if (previous !== this.runner) this.retire(previous);
    }
    this.activate(this.localRunner, locals.local);
  }

  private activate(runner: EngineAdapter, keeper: EngineAdapter): void {
    const previous = this.current();
    this.runner = runner;
    this.keeper = keeper;
    for (const engine of this.current()) this.attach(engine);
    for (const engine of previous) if (!this.current().has(engine)) this.retire(engine);
  }

  private attach(engine: EngineAdapter): void {
    if (this.attached.has(engine)) return;
    this.attached.add(engine);
    engine.setExecutorFactory(this.factory);
    if (this.listener) engine.setEventListener(this.listener);
  }

  /** An engine no longer current: released now, or when its last run is over. */
  private retire(engine: EngineAdapter): void {
    if (engine === this.locals?.local || engine === this.localRunner) return;
    if (this.busy(engine)) this.retiring.add(engine);
    else this.release(engine);
  }

  private release(engine: EngineAdapter): void {
    this.retiring.delete(engine);
    this.attached.delete(engine);
    (engine as Closable).close?.();
  }

  /**
   * `shutdown()`: refuses new runs at once, cancels the runs in flight (each resolves with
   * `CANCELLED`), waits for them to end, then releases every engine. Afterwards every call fails
   * with `NO_TRANSPORT` "The conductor has been shut down ...". Idempotent.
   */
  shutdown(suspend = false): Promise<void> {
    this.closing ??= this.close(suspend);
    return this.closing;
  }

  private async close(suspend: boolean): Promise<void> {
    // Suspended: stopped to be resumed (a durable run ends `interrupted`); a remote engine's
    // runs are the server's to keep, and are cancelled as before.
    const stop = async (executionId: string, engine: EngineAdapter) => {
      if (suspend && engine.kind !== "remote") {
        const outcome = await engine.executions("suspend", executionId);
        if (outcome.ok) return outcome.value;
      }
      return engine.cancel(executionId);
    };
    await Promise.all([...this.inFlight].map(([executionId, engine]) => stop(executionId, engine)));
    await Promise.allSettled([...this.settling]);
    const engines = new Set([...this.current(), ...this.retiring, this.localRunner, ...(this.locals ? [this.locals.local] : [])]);
    // Run records are written in the background: every one is stored before the engines go.
    await Promise.allSettled([...engines].map((engine) => (engine.kind === "remote" ? undefined : engine.executions("flush", ""))));
    const closed = closedEngine(this.runner.kind);
    this.runner = this.keeper = this.localRunner = closed;
    for (const engine of engines) this.release(engine);
  }
}
