/** The native engine: `EngineAdapter` over the napi addon. */
import type { NodeDefinition } from "../../types/definition.js";
import type { ConductorConfig, NodeExecutorFactory } from "../../types/execution.js";
import type { ListFlowsOptions } from "../../types/storage.js";
import type { EngineAdapter, Outcome, WireEvent, WireResult, WireRunOptions } from "../../conductor/engine.js";
import { callExecutor } from "../../conductor/executors.js";
import { loadAddon, type NativeAddon, type NativeConductorHandle } from "./addon.js";

type CallRecord = { kind: "call"; id: number; type: string; params: Record<string, unknown> } | { kind: "abort"; id: number };

export class NativeEngine implements EngineAdapter {
  readonly kind = "native" as const;
  private readonly addon: NativeAddon;
  private readonly handle: NativeConductorHandle;
  private factory: NodeExecutorFactory | undefined;
  private listener: (events: WireEvent[]) => void = () => {};
  private readonly controllers = new Map<number, AbortController>();

  constructor(config: ConductorConfig) {
    this.addon = loadAddon();
    this.handle = new this.addon.NativeConductor(
      JSON.stringify({
        concurrency: config.concurrency,
        timeout: config.timeout,
        maxRetries: config.maxRetries,
        retryDelay: config.retryDelay,
        progressThrottle: config.progressThrottle,
        trace: config.trace,
        maxDepth: config.limits?.maxDepth,
        maxNodes: config.limits?.maxNodes,
        workingDirectory: config.workingDirectory,
        storage: config.storage,
      }),
    );
    this.handle.setEventNotifier(() => this.flushEvents());
    this.handle.setCallNotifier(() => this.pumpCalls());
  }

  setExecutorFactory(factory: NodeExecutorFactory | undefined): void {
    this.factory = factory;
  }

  setEventListener(listener: (events: WireEvent[]) => void): void {
    this.listener = listener;
  }

  flushEvents(): void {
    const events = JSON.parse(this.handle.takeEvents()) as WireEvent[];
    if (events.length > 0) this.listener(events);
  }

  /** Runs every queued executor call and applies every queued abort. */
  private pumpCalls(): void {
    const records = JSON.parse(this.handle.takeCalls()) as CallRecord[];
    for (const record of records) {
      if (record.kind === "abort") {
        this.controllers.get(record.id)?.abort(new DOMException("The node's run was cancelled or timed out", "AbortError"));
        this.controllers.delete(record.id);
        continue;
      }
      const controller = new AbortController();
      this.controllers.set(record.id, controller);
      void callExecutor(this.factory, record.type, record.params, controller.signal).then((outcome) => {
        this.controllers.delete(record.id);
        let text: string;
        try {
          text = JSON.stringify(outcome);
        } catch (error) {
          text = JSON.stringify({ ok: false, error: { message: `Executor result is not JSON-serialisable: ${String(error)}`, code: "SERIALIZATION_FAILED" } });
        }
        this.handle.resolveCall(record.id, text);
      });
    }
  }

  async run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
    let flowJson: string;
    try {
      flowJson = JSON.stringify(flow);
    } catch (error) {
      return { success: false, error: { code: "SERIALIZATION_FAILED", message: `The flow is not JSON-serialisable: ${String(error)}` } as WireResult["error"], duration: 0, executedNodes: [] };
    }
    return JSON.parse(await this.handle.run(flowJson, JSON.stringify(options))) as WireResult;
  }

  cancel(executionId: string): boolean {
    return this.handle.cancel(executionId);
  }

  validate(flow: NodeDefinition, customTypes: string[]) {
    return JSON.parse(this.handle.validate(JSON.stringify(flow), JSON.stringify(customTypes)));
  }

  async saveFlow(flow: unknown) {
    return JSON.parse(await this.handle.saveFlow(JSON.stringify(flow)));
  }

  async loadFlow(id: string) {
    return JSON.parse(await this.handle.loadFlow(id));
  }

  async listFlows(options: ListFlowsOptions) {
    return JSON.parse(await this.handle.listFlows(JSON.stringify(options ?? {})));
  }

  async deleteFlow(id: string) {
    return JSON.parse(await this.handle.deleteFlow(id));
  }

  listTemplates() {
    return JSON.parse(this.addon.listTemplates());
  }

  getTemplate(id: string) {
    return JSON.parse(this.addon.getTemplate(id));
  }

  nodeDefinitions() {
    return JSON.parse(this.addon.nodeDefinitions());
  }

  nodeDefinition(type: string) {
    return JSON.parse(this.addon.nodeDefinition(type));
  }

  nodeDefinitionsByCategory() {
    return JSON.parse(this.addon.nodeDefinitionsByCategory());
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }): Outcome<NodeDefinition> {
    return JSON.parse(this.addon.parseFlow(text, JSON.stringify(options)));
  }

  flowToYaml(flow: NodeDefinition): Outcome<string> {
    return JSON.parse(this.addon.flowToYaml(JSON.stringify(flow)));
  }
}
