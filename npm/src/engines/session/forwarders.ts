/**
 * The engine calls that go straight to the session or to the module's catalog functions and
 * back: run control, validation, flow storage, execution history, templates, the node catalog
 * and the flow formats. Values cross as text; nothing here keeps state.
 */
import type { FullCatalog } from "./catalog.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { FlowTemplateInfo, ListFlowsOptions, ValidationResult } from "../../types/storage.js";
import type { CacheCall, ExecutionsCall, RunCommand } from "../../conductor/engine.js";
import type { Outcome, WireError } from "../../types/wire.js";
import { cacheUnavailable } from "../../conductor/cache.js";
import { historyUnavailable } from "../../conductor/executions.js";
import { decodeValue, encodeValue, ValueEncodeError } from "../../values/codec.js";
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

/**
 * An engine call's `{ok, value}` / `{ok: false, error}` envelope from its JSON text. The one
 * place the boundary's text becomes a typed value: the Rust side writes every envelope through
 * one function (`session::outcome`), so the shape is the engine's promise, not a guess.
 */
function outcomeOf<T>(text: string): Outcome<T> {
  return JSON.parse(text) as Outcome<T>;
}

/** The forwarding half of `SessionEngine`, which supplies the session and its lifetime. */
export abstract class SessionForwarders {
  /** The session (watched for traps where it can trap). */
  protected abstract readonly handle: SessionHandle;

  constructor(protected readonly catalog: FullCatalog) {}

  /** `promise`, unless the session stops first. */
  protected abstract whileAlive<T>(promise: Promise<T>): Promise<T>;

  controlRun(executionId: string, command: RunCommand): boolean | Promise<boolean> {
    if (!this.handle.controlRun) return false;
    const done = this.handle.controlRun(executionId, command);
    return typeof done === "boolean" ? done : this.whileAlive(done).catch(() => false);
  }

  validate(flow: NodeDefinition, customTypes: string[]): Outcome<ValidationResult> | Promise<Outcome<ValidationResult>> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    const validated = this.handle.validate(text, JSON.stringify(customTypes));
    return typeof validated === "string"
      ? outcomeOf<ValidationResult>(validated)
      : this.whileAlive(validated).then((json) => outcomeOf<ValidationResult>(json));
  }

  async saveFlow(flow: unknown) {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return decodeValue(await this.whileAlive(this.handle.saveFlow(text))) as Outcome<Record<string, unknown>>;
  }

  async loadFlow(id: string) {
    return decodeValue(await this.whileAlive(this.handle.loadFlow(id))) as Outcome<Record<string, unknown>>;
  }

  async listFlows(options: ListFlowsOptions) {
    return decodeValue(await this.whileAlive(this.handle.listFlows(JSON.stringify(options ?? {})))) as Outcome<{
      flows: Array<Record<string, unknown>>;
      total: number;
    }>;
  }

  async deleteFlow(id: string): Promise<Outcome<null>> {
    return outcomeOf<null>(await this.whileAlive(this.handle.deleteFlow(id)));
  }

  async executions(call: ExecutionsCall, arg: string): Promise<Outcome<unknown>> {
    if (!this.handle.executions) return historyUnavailable();
    return decodeValue(await this.whileAlive(this.handle.executions(call, arg))) as Outcome<unknown>;
  }

  async cache(call: CacheCall, arg: string): Promise<Outcome<unknown>> {
    if (!this.handle.cache) return cacheUnavailable(call);
    return decodeValue(await this.whileAlive(this.handle.cache(call, arg))) as Outcome<unknown>;
  }

  listTemplates(): Outcome<{ templates: FlowTemplateInfo[] }> {
    return outcomeOf(this.catalog.listTemplates());
  }

  getTemplate(id: string): Outcome<NodeDefinition | null> {
    return outcomeOf(this.catalog.getTemplate(id));
  }

  nodeDefinitions(): Outcome<NodeDefinition[]> {
    return outcomeOf(this.catalog.nodeDefinitions());
  }

  nodeDefinition(type: string): Outcome<NodeDefinition | null> {
    return outcomeOf(this.catalog.nodeDefinition(type));
  }

  nodeDefinitionsByCategory(): Outcome<Array<{ name: string; title: string; items: NodeDefinition[] }>> {
    return outcomeOf(this.catalog.nodeDefinitionsByCategory());
  }

  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }): Outcome<NodeDefinition> {
    return decodeValue(this.catalog.parseFlow(text, JSON.stringify(options))) as Outcome<NodeDefinition>;
  }

  flowToYaml(flow: NodeDefinition): Outcome<string> {
    const text = writable(flow);
    if (typeof text !== "string") return text;
    return outcomeOf<string>(this.catalog.flowToYaml(text));
  }
}
