/**
 * The remote engine: `EngineAdapter` over a channel transport, so the one conductor API runs
 * flows on a desktop main process or a server over the TypeScript engine's wire protocol
 * (docs/remote.md). Glue only: every decision is made by the engine at the other end. The
 * catalog and the flow formats have no channel, so a local engine answers those.
 */
import type { NodeDefinition } from "../../types/definition.js";
import { ErrorCode } from "../../types/errors.js";
import type { HealthResult } from "../../types/execution.js";
import type { FlowListResponse, FlowTemplateInfo, ListFlowsOptions } from "../../types/storage.js";
import type { StoredFlow, ValidationResult } from "../../types/answers.generated.js";
import type { CacheAnswers, CredentialsAnswers, ExecutionsAnswers, TriggersAnswers } from "../../types/calls.generated.js";
import {
  failedResult,
  type CacheCall,
  type EngineAdapter,
  type ExecutionsCall,
  type RetryQuestion,
  type RunCommand,
  type TriggersCall,
  type CredentialsCall,
  type WireRunOptions,
} from "../../conductor/engine.js";
import type { Outcome, WireEvent, WireResult } from "../../types/wire.js";
import type { RemoteEngineFactory } from "../../conductor/transport-switch.js";
import type { ChannelClient, ChannelTransport } from "../../types/channel-transport.js";
import { listenToServerEvents } from "./events.js";
import { attempt, callFailure, executionContext, failedRun, toWireResult } from "./wire.js";

type Answer = Record<string, unknown>;

/** Why a remote run refuses `permissions`: the server decides what a caller's runs may reach. */
const MESSAGES_REMOTE_PERMISSIONS =
  "Invalid run options: 'permissions' cannot be sent to a server: a remote run reaches what the server grants the caller (set it in the server's grants or IPC options)";
const asRecord = (answer: unknown): Answer => (typeof answer === "object" && answer !== null ? (answer as Answer) : {});

export class RemoteEngine implements EngineAdapter {
  readonly kind = "remote" as const;
  readonly handsRunsTo = { to: "server" } as const;
  private readonly node: ChannelClient;
  private readonly storage: ChannelClient;
  private readonly flow: ChannelClient;
  private readonly system: ChannelClient;
  private readonly history: ChannelClient;
  private readonly waits: ChannelClient;
  private readonly cacheChannel: ChannelClient;
  private readonly triggersChannel: ChannelClient;
  private unsubscribes: Array<() => void> = [];

  /**
   * @param transport where flows run.
   * @param local answers the catalog and formats (in a browser the wasm engine; in Node the native one).
   */
  constructor(
    private readonly transport: ChannelTransport,
    private readonly local: EngineAdapter,
  ) {
    this.node = transport.channel("node");
    this.storage = transport.channel("storage");
    this.flow = transport.channel("flow");
    this.system = transport.channel("system");
    this.history = transport.channel("executions");
    this.waits = transport.channel("waits");
    this.cacheChannel = transport.channel("cache");
    this.triggersChannel = transport.channel("triggers");
  }

  /** Custom executors run where the flow runs: the server's own `nodeExecutorFactory` applies. */
  setExecutorFactory(): void {}

  setEventListener(listener: (events: WireEvent[]) => void): void {
    this.stopListening();
    this.unsubscribes = listenToServerEvents(this.transport, (event) => listener([event]));
  }

  /** Events are delivered as they arrive; the server sends a run's progress before its answer. */
  flushEvents(): void {}

  /** Never rejects: a call that fails on the way becomes a failed result, like any failure. */
  async run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
    if (options.permissions !== undefined) {
      return failedResult({
        code: ErrorCode.VALIDATION_FAILED,
        message: MESSAGES_REMOTE_PERMISSIONS,
        executionId: options.executionId,
        nodeId: typeof flow?.id === "string" ? flow.id : undefined,
      });
    }
    try {
      return toWireResult(await this.node.call("execute", { node: flow, context: executionContext(flow, options) }));
    } catch (thrown) {
      return failedRun(flow, options, thrown);
    }
  }

  /** The server answers `{success: true}`, or `{success: false, error: "Execution not found"}`. */
  async cancel(executionId: string): Promise<boolean> {
    try {
      return asRecord(await this.node.call("cancel", executionId)).success === true;
    } catch {
      return false; // the TypeScript engine only logged a failed cancel
    }
  }

  /** Our server's `node` commands `pause` / `resume` / `step`, answered like `cancel`. */
  async controlRun(executionId: string, command: RunCommand): Promise<boolean> {
    try {
      return asRecord(await this.node.call(command, executionId)).success === true;
    } catch {
      return false;
    }
  }

  /** The TypeScript engine's desktop answers `{valid, errors}`; ours adds `issues`. */
  validate(flow: NodeDefinition): Promise<Outcome<ValidationResult>> {
    return attempt(this.node.call("validate", { node: flow }), (answer) => {
      const result = asRecord(answer);
      return { valid: result.valid !== false, errors: [], issues: [], ...result } as ValidationResult;
    });
  }

  // A server's answers are the engine's answers, relayed: typed as the engine declares them.

  saveFlow(flow: unknown): Promise<Outcome<StoredFlow>> {
    return attempt(this.storage.call("saveFlow", { flow }), (answer) => asRecord(answer) as StoredFlow);
  }

  loadFlow(id: string): Promise<Outcome<StoredFlow>> {
    return attempt(this.storage.call("loadFlow", { id }), (answer) => asRecord(answer) as StoredFlow);
  }

  listFlows(options: ListFlowsOptions): Promise<Outcome<FlowListResponse>> {
    return attempt(this.storage.call("listFlows", options ?? {}), (answer) => answer as FlowListResponse);
  }

  deleteFlow(id: string): Promise<Outcome<null>> {
    return attempt(this.storage.call("deleteFlow", { id }), () => null);
  }

  /** The server's execution history: `get` / `delete` take `{id}`, `list` / `prune` their options. */
  executions<C extends ExecutionsCall>(call: C, arg: string): Promise<Outcome<ExecutionsAnswers[C]>> {
    const args = call === "get" || call === "delete" ? { id: arg } : call === "flush" ? {} : (JSON.parse(arg || "{}") as unknown);
    // Waking a parked run is a permission of its own (the `waits` channel): the server wakes the
    // run and, unless told `resume: false`, resumes it where its store is and answers its result.
    const channel = call === "signal" || call === "approve" ? this.waits : this.history;
    return attempt(channel.call(call, args), (answer) => (call === "delete" ? null : answer) as ExecutionsAnswers[C]);
  }

  /**
   * The server's triggers (a grant of their own): `deactivate` takes `{flowId}`, the others
   * their JSON. The server's own timer fires them and its `/hooks/` answer webhooks: `due`,
   * `ended`, `hook` and `deliver` are not a client's.
   */
  triggers<C extends TriggersCall>(call: C, arg: string): Promise<Outcome<TriggersAnswers[C]>> {
    if (call === "due" || call === "ended" || call === "hook" || call === "deliver") {
      const error = {
        code: ErrorCode.VALIDATION_FAILED,
        message: "A server fires its triggers and answers its webhooks itself",
        timestamp: Date.now(),
      };
      return Promise.resolve({ ok: false, error });
    }
    // `activate`'s permissions travel but the server gives the runs its caller's grant's.
    const args = call === "deactivate" ? { flowId: arg } : (JSON.parse(arg || "{}") as unknown);
    return attempt(this.triggersChannel.call(call, args), (answer) => {
      // The server answers with what `conductor.triggers` gives: lists, where the engine wraps them.
      if (call === "activate" || call === "list") return { triggers: answer } as TriggersAnswers[C];
      if (call === "fires") return { fires: answer } as TriggersAnswers[C];
      return answer as TriggersAnswers[C];
    });
  }

  /**
   * Credentials are not set or listed over the wire: a server's operator sets them where it runs
   * (`atomiton credentials set`), and its grants name which ones a caller's runs may use.
   */
  credentials<C extends CredentialsCall>(_call: C, _arg: string): Promise<Outcome<CredentialsAnswers[C]>> {
    const error = {
      code: ErrorCode.PERMISSION_DENIED,
      message: "Credentials are set where the server runs ('atomiton credentials set'), not by its callers",
      timestamp: Date.now(),
    };
    return Promise.resolve({ ok: false, error });
  }

  /** The server's node result cache: `invalidate` takes `{flowId?, nodeId?}`. */
  cache<C extends CacheCall>(call: C, arg: string): Promise<Outcome<CacheAnswers[C]>> {
    const args = call === "invalidate" ? (JSON.parse(arg || "{}") as unknown) : {};
    return attempt(this.cacheChannel.call(call, args), (answer) => answer as CacheAnswers[C]);
  }

  listTemplates(): Promise<Outcome<{ templates: FlowTemplateInfo[] }>> {
    return attempt(this.flow.call("listTemplates", {}), (answer) => answer as { templates: FlowTemplateInfo[] });
  }

  getTemplate(id: string): Promise<Outcome<NodeDefinition | null>> {
    return attempt(this.flow.call("getTemplate", { id }), (answer) => (asRecord(answer).definition as NodeDefinition | undefined) ?? null);
  }

  /** The server's health; an unreachable server is `{status: "error"}` rather than a throw. */
  async health(): Promise<HealthResult> {
    try {
      return (await this.system.call("health")) as HealthResult;
    } catch (thrown) {
      return { status: "error", timestamp: Date.now(), message: callFailure(thrown).message };
    }
  }

  async restart(): Promise<void> {
    await this.system.call("restart");
  }

  nodeDefinitions() {
    return this.local.nodeDefinitions();
  }

  nodeDefinition(type: string) {
    return this.local.nodeDefinition(type);
  }

  nodeDefinitionsByCategory() {
    return this.local.nodeDefinitionsByCategory();
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }) {
    return this.local.parseFlow(text, options);
  }

  flowToYaml(flow: NodeDefinition) {
    return this.local.flowToYaml(flow);
  }

  /** Made here: the run's id is known before the server answers (to cancel it meanwhile). */
  executionId(given?: string) {
    return this.local.executionId(given);
  }

  retryDelay(question: RetryQuestion) {
    return this.local.retryDelay(question);
  }

  /** Stops listening and releases the transport's connection. */
  close(): void {
    this.stopListening();
    this.transport.close?.();
  }

  private stopListening(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    this.unsubscribes = [];
  }
}

/** A `RemoteEngine`, as every conductor's `configureTransport` makes one for a server or main process. */
export const remoteEngine: RemoteEngineFactory = (transport, local) => new RemoteEngine(transport, local);
