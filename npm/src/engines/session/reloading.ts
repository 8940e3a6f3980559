/**
 * An `EngineAdapter` over a `SessionEngine` that is loaded asynchronously and replaced after its
 * instance traps: the wasm engine in the page and the wasm engine in a Web Worker are both this,
 * differing only in how a session is loaded. Calls made before a session is loaded wait for it
 * (the synchronous catalog and format helpers throw until `ready` resolves). A trap ends the
 * session's pending runs with `INTERNAL_ERROR` (see `SessionEngine.stop`) and a fresh session
 * takes the next calls.
 */
import type {
  CacheCall,
  CredentialsCall,
  EngineAdapter,
  ExecutionsCall,
  RetryQuestion,
  RunCommand,
  TriggersCall,
  WireRunOptions,
} from "../../conductor/engine.js";
import type { WireEvent } from "../../types/wire.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { NodeExecutorFactory } from "../../types/execution.js";
import type { ListFlowsOptions } from "../../types/storage.js";
import type { SessionEngine } from "./engine.js";

/** A loaded session and what its loader knows about it. */
export type LoadedSession = {
  engine: SessionEngine;
  /** `listener` runs once if the instance under the session traps (or its worker dies). */
  onTrap(listener: (error: unknown) => void): void;
  /** Frees the session's instance (a closed engine never loads another). */
  free(): void;
};

export class ReloadingEngine implements EngineAdapter {
  readonly kind = "wasm" as const;
  private engine: SessionEngine | undefined;
  private loading: Promise<SessionEngine>;
  private readied: Promise<void>;
  private factory: NodeExecutorFactory | undefined;
  private listener: (events: WireEvent[]) => void = () => {};
  /** Frees the current session, set once it is loaded. */
  private free: (() => void) | undefined;
  private closed = false;

  /** @param load loads a fresh session; called at once, and again after each trap. */
  constructor(private readonly load: () => Promise<LoadedSession>) {
    this.loading = this.instantiate();
    this.readied = this.whenLoaded();
  }

  /**
   * Resolves once the current session is ready (rejects if it cannot be loaded); after a trap,
   * once its replacement is.
   */
  get ready(): Promise<void> {
    return this.readied;
  }

  /** `loading` as a `Promise<void>`, marked handled: every call reports a failure itself. */
  private whenLoaded(): Promise<void> {
    const readied = this.loading.then(() => undefined);
    readied.catch(() => {});
    return readied;
  }

  private instantiate(): Promise<SessionEngine> {
    const loading = this.load().then((loaded) => {
      const engine = loaded.engine;
      loaded.onTrap((error) => {
        engine.stop(error);
        this.replace(engine);
      });
      engine.setExecutorFactory(this.factory);
      engine.setEventListener(this.listener);
      if (this.closed) loaded.free();
      else if (this.loading === loading) {
        this.engine = engine;
        this.free = loaded.free;
      }
      return engine;
    });
    // Callers see the failure when they await; nobody needs an unhandled rejection here.
    loading.catch(() => {});
    return loading;
  }

  private replace(trapped: SessionEngine): void {
    if (this.engine !== trapped || this.closed) return;
    this.engine = undefined;
    this.free = undefined;
    this.loading = this.instantiate();
    this.readied = this.whenLoaded();
  }

  /** Frees the current session and never loads another one; nothing may be called afterwards. */
  close(): void {
    this.closed = true;
    this.free?.();
    this.free = undefined;
    this.engine = undefined;
  }

  /** The loaded session, for the synchronous helpers. */
  private now(): SessionEngine {
    if (!this.engine) throw new Error("@atomiton/conductor/browser: the wasm engine is still loading; await conductor.ready first");
    return this.engine;
  }

  setExecutorFactory(factory: NodeExecutorFactory | undefined): void {
    this.factory = factory;
    this.engine?.setExecutorFactory(factory);
  }

  setEventListener(listener: (events: WireEvent[]) => void): void {
    this.listener = listener;
    this.engine?.setEventListener(listener);
  }

  flushEvents(): void {
    this.engine?.flushEvents();
  }

  async run(flow: NodeDefinition, options: WireRunOptions) {
    return (await this.loading).run(flow, options);
  }

  async cancel(executionId: string) {
    return (await this.loading).cancel(executionId);
  }

  async controlRun(executionId: string, command: RunCommand) {
    return (await this.loading).controlRun(executionId, command);
  }

  async validate(flow: NodeDefinition, customTypes: string[]) {
    return (await this.loading).validate(flow, customTypes);
  }

  async saveFlow(flow: unknown) {
    return (await this.loading).saveFlow(flow);
  }

  async loadFlow(id: string) {
    return (await this.loading).loadFlow(id);
  }

  async listFlows(options: ListFlowsOptions) {
    return (await this.loading).listFlows(options);
  }

  async deleteFlow(id: string) {
    return (await this.loading).deleteFlow(id);
  }

  async executions<C extends ExecutionsCall>(call: C, arg: string) {
    return (await this.loading).executions(call, arg);
  }

  async cache<C extends CacheCall>(call: C, arg: string) {
    return (await this.loading).cache(call, arg);
  }

  async triggers<C extends TriggersCall>(call: C, arg: string) {
    return (await this.loading).triggers(call, arg);
  }

  async credentials<C extends CredentialsCall>(call: C, arg: string) {
    return (await this.loading).credentials(call, arg);
  }

  async listTemplates() {
    return (await this.loading).listTemplates();
  }

  async getTemplate(id: string) {
    return (await this.loading).getTemplate(id);
  }

  nodeDefinitions() {
    return this.now().nodeDefinitions();
  }

  nodeDefinition(type: string) {
    return this.now().nodeDefinition(type);
  }

  nodeDefinitionsByCategory() {
    return this.now().nodeDefinitionsByCategory();
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }) {
    return this.now().parseFlow(text, options);
  }

  flowToYaml(flow: NodeDefinition) {
    return this.now().flowToYaml(flow);
  }

  /** Before the module has loaded (or while a trapped one is replaced) the id waits for it, as the run does. */
  executionId(given?: string): string | Promise<string> {
    return this.engine ? this.engine.executionId(given) : this.loading.then((engine) => engine.executionId(given));
  }

  /** No module loaded (it trapped, or could not load): the failure is not retried here. */
  retryDelay(question: RetryQuestion): number | null {
    return this.engine ? this.engine.retryDelay(question) : null;
  }
}
