/**
 * The wasm engine: a `SessionEngine` over the wasm module's `WasmConductor`, created as soon as
 * the module is instantiated. Calls made before then wait for it (the synchronous catalog and
 * format helpers throw until `ready` resolves). A Rust panic traps the module, which every
 * conductor of the page shares: the pending runs of all of them then end with `INTERNAL_ERROR`
 * and a fresh instance takes their next calls.
 */
import type { EngineAdapter, WireEvent, WireRunOptions } from "../../conductor/engine.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { ConductorConfig, NodeExecutorFactory } from "../../types/execution.js";
import type { ListFlowsOptions } from "../../types/storage.js";
import { sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import type { SessionHandle } from "../session/handle.js";
import type { WasmConductor } from "./atomiton_conductor_wasm.js";
import { createHostFunctions } from "./host-functions.js";
import { indexedDbStorage } from "./indexeddb.js";
import { sharedWasmInstance } from "./load.js";

export class WasmEngine implements EngineAdapter {
  readonly kind = "wasm" as const;
  private engine: SessionEngine | undefined;
  private loading: Promise<SessionEngine>;
  private readied: Promise<void>;
  private factory: NodeExecutorFactory | undefined;
  private listener: (events: WireEvent[]) => void = () => {};
  /** The module's conductor under `engine`, freed by `close`. */
  private module: WasmConductor | undefined;
  private closed = false;

  constructor(private readonly config: ConductorConfig) {
    this.loading = this.instantiate();
    this.readied = this.whenLoaded();
  }

  /**
   * Resolves once the current module instance is ready (rejects if it cannot be loaded); after
   * a trap, once its replacement is.
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
    const loading = sharedWasmInstance().then((instance) => {
      // IndexedDB where the platform has it, unless the config asks for memory.
      const storage = this.config.storage?.type === "memory" ? undefined : indexedDbStorage();
      const conductor = new instance.glue.WasmConductor(sessionConfigJson(this.config), createHostFunctions(), storage);
      const handle = sessionHandle(conductor);
      const engine: SessionEngine = new SessionEngine("wasm", handle, instance.glue, {
        holdEventLoop: false,
        deferNotify: true,
        onTrap: (error) => instance.trapped(error),
      });
      // A trap here or in another conductor's session: this one is unusable too.
      instance.onTrap((error) => {
        engine.stop(error);
        this.replace(engine);
      });
      engine.setExecutorFactory(this.factory);
      engine.setEventListener(this.listener);
      if (this.closed) conductor.free();
      else if (this.loading === loading) {
        this.engine = engine;
        this.module = conductor;
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
    this.loading = this.instantiate();
    this.readied = this.whenLoaded();
  }

  /**
   * Frees the module's conductor (`shutdown()`, once no run is pending) and never loads another
   * one; nothing may be called afterwards.
   */
  close(): void {
    this.closed = true;
    this.module?.free();
    this.module = undefined;
    this.engine = undefined;
  }

  /** The instantiated engine, for the synchronous helpers. */
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
}

/**
 * The module's conductor as a `SessionHandle`: `run` hands the flow over as `TextEncoder` bytes
 * (see `WasmConductor::run` in bindings-wasm/src/conductor.rs); every other method is the
 * module's own, reached through the prototype so it keeps its receiver's pointer.
 */
function sessionHandle(conductor: WasmConductor): SessionHandle {
  const encoder = new TextEncoder();
  const handle = Object.create(conductor) as SessionHandle;
  handle.run = (runId, flowJson, optionsJson, buffers) => conductor.run(runId, encoder.encode(flowJson), optionsJson, buffers);
  return handle;
}
