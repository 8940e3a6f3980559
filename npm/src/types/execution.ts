/** Execution shapes, as the TypeScript engine had them: config, run context, result and trace. */
import type { ExecutionError } from "./errors.js";
import type { ExecutionId, NodeId } from "./ids.js";
import type { NodeDefinition } from "./definition.js";
import type { WireRunOptions } from "./wire.generated.js";

export type {
  ConductorConfig,
  ContextOverrides,
  DebugOptions,
  DebugSimulateError,
  DebugSimulateLongRunning,
  DebugSimulatePanic,
  RunPermissions,
  StorageConfig,
} from "./options.generated.js";

/** The kinds of simulated error with a default message. */
export type DebugErrorType = "generic" | "timeout" | "network" | "validation" | "permission";

/**
 * The context of a node's execution; JS executors receive `{...context, ...parameters, signal}`.
 * `slowMo` and `debug` are the run options of the same names (their types come from the engine's
 * declaration); the others are narrower here than the wire's: an executor always has the run's id
 * and variables, and its `input` and `parentContext` are objects, where a run's options accept any
 * value.
 */
export type ConductorExecutionContext = {
  nodeId: NodeId;
  executionId: ExecutionId;
  variables: Record<string, unknown>;
  input?: Record<string, unknown>;
  parentContext?: ConductorExecutionContext;
} & Pick<WireRunOptions, "slowMo" | "debug">;

export type ExecutionStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export type ExecutionTraceEvent = {
  timestamp: number;
  type: "started" | "progress" | "state-change" | "completed" | "error";
  data: Record<string, unknown>;
};

export type NodeExecutionTrace = {
  nodeId: string;
  nodeName: string;
  nodeType: string;
  startTime: number;
  endTime?: number;
  duration?: number;
  state: string;
  progress: number;
  /** A node served from the result cache (`state: "cached"`): the entry's key (32 hex digits). */
  cacheKey?: string;
  /** A node served from the result cache: the entry's age in ms when it was served. */
  cacheAge?: number;
  events: ExecutionTraceEvent[];
  childTraces?: NodeExecutionTrace[];
};

export type ExecutionTrace = {
  executionId: ExecutionId;
  rootNodeId: NodeId;
  startTime: number;
  endTime?: number;
  duration?: number;
  config: { slowMo?: number };
  events: ExecutionTraceEvent[];
  nodes: NodeExecutionTrace[];
};

export type ExecutionResult<T = unknown> = {
  success: boolean;
  data?: T;
  error?: ExecutionError;
  duration?: number;
  executedNodes?: NodeId[];
  context?: ConductorExecutionContext;
  trace?: ExecutionTrace;
  /**
   * What the run went ahead with but should not have to: a parameter, port or template path
   * the engine does not know (with `strictParameters: false`), or a `{{ path }}` that named
   * nothing. Absent when there is none. Logged at `warn` level.
   */
  warnings?: RunWarning[];
  /**
   * What the run's nodes printed (a `python` node's standard output and error, and the
   * traceback of what it raised; a plugin's log lines), in the order the nodes ended. Absent
   * when nothing was printed. Logged at `info` level (`stderr` and a plugin's `warn` at `warn`,
   * its `error` at `error`).
   */
  logs?: NodeLog[];
};

/** One of a run's `warnings`. */
export type RunWarning = { nodeId?: string; message: string };

/**
 * One of a run's `logs`: a `python` node's output on one stream, or a line a plugin logged at a
 * level (at most 64 KiB; 1,000 per run).
 */
export type NodeLog = { nodeId: string; stream: "stdout" | "stderr" | "trace" | "debug" | "info" | "warn" | "error"; text: string };

/** What a custom executor exposes. */
export type NodeExecutable = {
  execute(params: Record<string, unknown> & { signal: AbortSignal }): unknown | Promise<unknown>;
};

/** `{getNodeExecutable(type)}`: consulted first for every node type; built-ins are the fallback. */
export type NodeExecutorFactory = {
  getNodeExecutable(nodeType: string): NodeExecutable | undefined | null;
};

export type HealthResult = { status: "ok" | "error"; timestamp: number; message?: string };

export type ConductorTransport = {
  execute(node: NodeDefinition, context: ConductorExecutionContext): Promise<ExecutionResult>;
  health?(): Promise<HealthResult>;
};

export type TransportConfig = { type: "local" | "rpc" | "custom"; endpoint?: string; timeout?: number; retries?: number };
