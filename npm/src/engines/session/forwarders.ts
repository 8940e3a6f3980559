/**
 * The engine calls that go straight to the session or to the module's catalog functions and
 * back: run control, validation, flow storage, execution history, templates, the node catalog
 * and the flow formats. Values cross as text; nothing here keeps state.
 */
import type { FullCatalog } from "./catalog.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { FlowListResponse, FlowTemplateInfo, ListFlowsOptions } from "../../types/storage.js";
import type { CacheCall, CredentialsCall, ExecutionsCall, RetryQuestion, RunCommand, TriggersCall } from "../../conductor/engine.js";
import type { CacheAnswers, CredentialsAnswers, ExecutionsAnswers, TriggersAnswers } from "../../types/calls.generated.js";
import type { Outcome, StoredFlow, ValidationResult, WireError } from "../../types/answers.generated.js";
import { credentialsUnavailable } from "../../conductor/credentials.js";
import { historyUnavailable } from "../../conductor/executions.js";
import { encodeValue, ValueEncodeError } from "../../values/codec.js";
import { decoded, decodedValue } from "../../conductor/decoded.js";
import type { SessionHandle } from "./handle.js";

/** A flow as codec text, or the coded failure saying why it cannot be written. */
function writable(flow: unknown): string | { ok: false; error: WireError } {
  try {
    return encodeValue(flow, { omitUndefined: true });
  } catch (error) {
    const message = error instanceof ValueEncodeError ? `The flow's ${error.message}` : `The flow is not serialisable: ${String(error)}`;
    return { ok: false, error: { code: "SERIALIZATION_FAILED", message } as WireError };
  }
}

/** The forwarding half of `SessionEngine`, which supplies the session and its lifetime. */
export abstract class SessionForwarders {
  /** The session (watched for traps where it can trap). */
  protected abstract readonly handle: SessionHandle;

  constructor(protected readonly catalog: FullCatalog) {}

  /** `promise`, unless the session stops first. */
  protected abstract whileAlive<T>(promise: Promise<T>): Promise<T>;

  controlRun(executionId: string, command: RunCommand): boolean | Promise<boolean> {
    const done = this.handle.controlRun(executionId, command);
    return typeof done === "boolean" ? done : this.whileAlive(done).catch(() => false);
  }

  validate(flow: NodeDefinition, customTypes: string[]): Outcome<ValidationResult> | Promise<Outcome<ValidationResult>> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    const validated = this.handle.validate(text, JSON.stringify(customTypes));
    return typeof validated === "string" ? decoded(validated) : this.whileAlive(validated).then(decoded);
  }

  async saveFlow(flow: unknown): Promise<Outcome<StoredFlow>> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return decodedValue(await this.whileAlive(this.handle.saveFlow(text)));
  }

  async loadFlow(id: string): Promise<Outcome<StoredFlow>> {
    return decodedValue(await this.whileAlive(this.handle.loadFlow(id)));
  }

  async listFlows(options: ListFlowsOptions): Promise<Outcome<FlowListResponse>> {
    return decodedValue(await this.whileAlive(this.handle.listFlows(JSON.stringify(options ?? {}))));
  }

  async deleteFlow(id: string): Promise<Outcome<null>> {
    return decoded(await this.whileAlive(this.handle.deleteFlow(id)));
  }

  async executions<C extends ExecutionsCall>(call: C, arg: string): Promise<Outcome<ExecutionsAnswers[C]>> {
    if (!this.handle.executions) return historyUnavailable();
    return decodedValue(await this.whileAlive(this.handle.executions(call, arg)));
  }

  async cache<C extends CacheCall>(call: C, arg: string): Promise<Outcome<CacheAnswers[C]>> {
    return decodedValue(await this.whileAlive(this.handle.cache(call, arg)));
  }

  async triggers<C extends TriggersCall>(call: C, arg: string): Promise<Outcome<TriggersAnswers[C]>> {
    if (!this.handle.triggers) return historyUnavailable();
    return decodedValue(await this.whileAlive(this.handle.triggers(call, arg)));
  }

  async credentials<C extends CredentialsCall>(call: C, arg: string): Promise<Outcome<CredentialsAnswers[C]>> {
    if (!this.handle.credentials) return credentialsUnavailable();
    return decodedValue(await this.whileAlive(this.handle.credentials(call, arg)));
  }

  listTemplates(): Outcome<{ templates: FlowTemplateInfo[] }> {
    return decoded(this.catalog.listTemplates());
  }

  getTemplate(id: string): Outcome<NodeDefinition | null> {
    return decoded(this.catalog.getTemplate(id));
  }

  nodeDefinitions(): Outcome<NodeDefinition[]> {
    return decoded(this.catalog.nodeDefinitions());
  }

  nodeDefinition(type: string): Outcome<NodeDefinition | null> {
    return decoded(this.catalog.nodeDefinition(type));
  }

  nodeDefinitionsByCategory(): Outcome<Array<{ name: string; title: string; items: NodeDefinition[] }>> {
    return decoded(this.catalog.nodeDefinitionsByCategory());
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }): Outcome<NodeDefinition> {
    return decodedValue(this.catalog.parseFlow(text, JSON.stringify(options)));
  }

  executionId(given?: string): string {
    return this.catalog.executionId(given ?? "");
  }

  retryDelay(question: RetryQuestion): number | null {
    const text = (n: number | undefined) => (n === undefined ? "" : String(n));
    const { attempt, retries, maxRetries, retryDelay, retryAfterMs } = question;
    const answer = decoded(this.catalog.retryDelay(text(attempt), text(retries), text(maxRetries), text(retryDelay), text(retryAfterMs)));
    return answer.ok ? answer.value : null;
  }

  flowToYaml(flow: NodeDefinition): Outcome<string> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return decoded(this.catalog.flowToYaml(text));
  }
}
