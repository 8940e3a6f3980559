/**
 * The boundary between the one TypeScript API and an engine (the native addon, or wasm). An
 * engine only moves values: every decision is made in the Rust core behind it.
 */
import type { NodeDefinition } from "../types/definition.js";
import type { HealthResult, NodeExecutorFactory, StorageConfig } from "../types/execution.js";
import type { FlowListResponse, FlowTemplateInfo, ListFlowsOptions } from "../types/storage.js";
import type { Encoded, ProgressSnapshot, StoredFlow, ValidationResult } from "../types/answers.generated.js";
import type { Outcome, WireError, WireEvent, WireResult } from "../types/wire.js";

export type { WireRunOptions } from "./run-options.js";
import type { WireRunOptions } from "./run-options.js";

import type {
  CacheAnswers,
  CacheCall,
  CredentialsAnswers,
  CredentialsCall,
  ExecutionsAnswers,
  ExecutionsCall,
  RunCommand,
  TriggersAnswers,
  TriggersCall,
} from "../types/calls.generated.js";
export type { CacheCall, CredentialsCall, ExecutionsCall, RunCommand, TriggersCall } from "../types/calls.generated.js";

/**
 * The one shape of a run that failed outside the engine — refused before it started, lost on the
 * way, its answer unreadable — as the engine's own failed results are: no data, no nodes run.
 */
export function failedResult(error: Omit<WireError, "timestamp"> & { timestamp?: number }): WireResult {
  const defined = Object.fromEntries(Object.entries(error).filter(([, value]) => value !== undefined)) as WireError;
  return { success: false, error: { ...defined, timestamp: error.timestamp ?? Date.now() }, duration: 0, executedNodes: [] };
}

/** A value now, or later: a remote engine answers over a transport. */
export type MaybePromise<T> = T | Promise<T>;

/** What the conductor API needs from an engine. */
/** What `retryDelay` is asked after a failed attempt; absent numbers take the engine's defaults. */
export type RetryQuestion = {
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Retries asked for (`options.retries`). */
  retries?: number;
  /** Their cap (`ConductorConfig.maxRetries`). */
  maxRetries?: number;
  /** The first wait in ms (`options.retryDelay`, else `ConductorConfig.retryDelay`). */
  retryDelay?: number;
  /** The wait the failure asked for (its `context.retryAfterMs`: an HTTP `Retry-After`). */
  retryAfterMs?: number;
};

/** What the engine asks of an app's own flow storage: a flow's JSON text read, written or removed by key, or every key. */
export type FlowTextQuestion = { op: "read" | "write" | "remove" | "keys"; key: string; text?: string };

/**
 * Answers the engine's questions about an app's own flow storage: `read` the text or `null`,
 * `remove` whether it was there, `keys` every key; a rejection fails the storage call with its
 * message.
 */
export type FlowTexts = (question: FlowTextQuestion) => Promise<unknown>;

/** The session's storage kind for flows an app keeps (`keepFlowsIn`): never written by a user. */
export const EMBEDDER_STORAGE = { type: "embedder" } as unknown as StorageConfig;

export interface EngineAdapter {
  /** `"remote"`: flows run on a desktop main process or a server, over a channel transport. */
  readonly kind: "native" | "wasm" | "remote";
  /**
   * Where this engine's runs go when they leave this process: `"server"` (a protocol server or
   * an Electron main process, over a transport) or `"queue"` (a queue's workers), with what the
   * run's span says of it. Absent: runs run here. Telemetry reads it: such a run's span is a
   * `CLIENT` or `PRODUCER` span that ends when the answer arrives, and its record is counted
   * where it is written, not here.
   */
  readonly handsRunsTo?: { to: "server" | "queue"; attributes?(executionId: string): Record<string, string> };
  /**
   * Whether this engine records runs in an execution history: `false` where the config's
   * default is off or the module has none (the browser's); absent: as `ConductorConfig.history` says.
   */
  readonly keepsHistory?: boolean;
  /** The JS executors to call for host-provided node types. */
  setExecutorFactory(factory: NodeExecutorFactory | undefined): void;
  /** Receives every batch of events. */
  setEventListener(listener: (events: WireEvent[]) => void): void;
  /** Delivers any events still queued (called before a run's completion is announced). */
  flushEvents(): void;
  /**
   * The state of the run this engine started last, as the JSON of a progress snapshot; `null`
   * before any run; `undefined` (or absent) where it cannot be read on demand.
   */
  runState?(): Encoded<ProgressSnapshot> | null | undefined;
  run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult>;
  /** True when a running execution was cancelled. Never rejects. */
  cancel(executionId: string): MaybePromise<boolean>;
  /** Pauses, resumes or steps a running execution; false when no such run is going on. Never rejects. */
  controlRun(executionId: string, command: RunCommand): MaybePromise<boolean>;
  validate(flow: NodeDefinition, customTypes: string[]): MaybePromise<Outcome<ValidationResult>>;
  saveFlow(flow: unknown): Promise<Outcome<StoredFlow>>;
  loadFlow(id: string): Promise<Outcome<StoredFlow>>;
  /** The engine's page of stored flows (`StoredFlowPage`), or an app storage's listing. */
  listFlows(options: ListFlowsOptions): Promise<Outcome<FlowListResponse>>;
  deleteFlow(id: string): Promise<Outcome<null>>;
  /** `executions.list` / `get` / `delete` / `prune` where runs are recorded; `arg` is options JSON or an execution id. */
  executions<C extends ExecutionsCall>(call: C, arg: string): Promise<Outcome<ExecutionsAnswers[C]>>;
  /** `cache.clear` / `invalidate` / `stats`; `arg` is `{flowId?, nodeId?}` JSON for `invalidate`. */
  cache<C extends CacheCall>(call: C, arg: string): Promise<Outcome<CacheAnswers[C]>>;
  /** `triggers.*`, where runs are recorded; `arg` is a flow id or JSON (see `TriggersCall`). */
  triggers<C extends TriggersCall>(call: C, arg: string): Promise<Outcome<TriggersAnswers[C]>>;
  /** `credentials.set` / `list` / `delete` where runs go; `arg` is JSON for `set`, a name for `delete`. */
  credentials<C extends CredentialsCall>(call: C, arg: string): Promise<Outcome<CredentialsAnswers[C]>>;
  listTemplates(): MaybePromise<Outcome<{ templates: FlowTemplateInfo[] }>>;
  getTemplate(id: string): MaybePromise<Outcome<NodeDefinition | null>>;
  nodeDefinitions(): Outcome<NodeDefinition[]>;
  nodeDefinition(type: string): Outcome<NodeDefinition | null>;
  nodeDefinitionsByCategory(): Outcome<Array<{ name: string; title: string; items: NodeDefinition[] }>>;
  parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean }): Outcome<NodeDefinition>;
  flowToYaml(flow: NodeDefinition): Outcome<string>;
  /**
   * A run's id, made by the engine: `given` when not empty, else a fresh `exec_<uuid>`. A
   * promise only while the engine is still loading (the browser's module).
   */
  executionId(given?: string): MaybePromise<string>;
  /**
   * How long to wait before running a failed flow again, in ms (the engine's retry policy, the
   * one a node's retries follow); `null`: it is not run again.
   */
  retryDelay(question: RetryQuestion): number | null;
  /**
   * Keeps this engine's saved flows in the app's own storage (its config's storage being
   * `EMBEDDER_STORAGE`): the engine decides everything a flow store decides and asks `texts`
   * only to move each flow's JSON text. Engines of this process only.
   */
  keepFlowsIn?(texts: FlowTexts): void;
  /** The health of where flows run, when that is not this process (`system.health`). */
  health?(): Promise<HealthResult>;
  /** Restarts where flows run, when the engine can (`system.restart`). */
  restart?(): Promise<void>;
}
