/**
 * Progress payloads. The names the TypeScript engine's package exported keep its shapes, so app code that
 * builds or reads them compiles as it did; what this engine adds is optional there. The payloads
 * this package passes have their own names (`RunProgressEvent`, `RunGraphState`, ...), with every
 * field the engine always sets, and are assignable to the TypeScript engine's types.
 */
import type { ExecutionWaiting } from "./answers.generated.js";
import type { ExecutionResult, ExecutionTrace } from "./execution.js";

/**
 * A node's state, as the TypeScript engine typed it. A run given `pinned` outputs also reports
 * `"pinned"` for those nodes: code that uses `pinned` reads states as `NodeRunState`.
 */
export type NodeExecutionState = "pending" | "executing" | "completed" | "error" | "skipped";

/**
 * Every state this engine reports: `"pinned"` is a node not run, its output given with the run
 * (`pinned`); `"cached"` a node not run, its output served by the node result cache.
 */
export type NodeRunState = NodeExecutionState | "pinned" | "cached";

/** A node in a `ProgressEvent` (what the desktop app forwarded to its renderer). */
export type ProgressNodeSnapshot = {
  id: string;
  name: string;
  state: NodeExecutionState;
  duration?: number;
  error?: string;
};

export type ProgressGraphMetadata = {
  executionOrder: string[][];
  criticalPath: string[];
  totalWeight: number;
  maxParallelism: number;
  edges: Array<{ from: string; to: string }>;
};

/** A progress update as the desktop app sent it to its renderer (`isValidProgressEvent` checks one). */
export type ProgressEvent = {
  nodeId: string;
  nodes: ProgressNodeSnapshot[];
  progress: number;
  message: string;
  graph: ProgressGraphMetadata;
};

/** A node of the run's graph state, as the TypeScript engine typed it; `duration`, `parentId` and `depth` are this engine's. */
export type ExecutionGraphNode = {
  id: string;
  name: string;
  type: string;
  weight: number;
  dependencies: string[];
  dependents: string[];
  level: number;
  state: NodeExecutionState;
  /** 0-100. */
  progress: number;
  message?: string;
  startTime?: number;
  endTime?: number;
  error?: string;
  /** Child nodes with their own progress (this engine lists nested nodes beside the others, with `parentId`). */
  nodes?: ExecutionGraphNode[];
  duration?: number;
  /** The group this node is in, when it is inside a nested group. */
  parentId?: string;
  /** How many groups deep the node is (0: a child of the flow, or the flow itself when it is atomic). */
  depth?: number;
  /** A node running in a stream of rows (see `ConductorConfig.streamBatchRows`): rows it took in so far. */
  rows?: number;
  /** A streamed source: bytes it read so far. */
  bytes?: number;
  /** A streamed source: bytes it reads in all, when known (a file's size). */
  totalBytes?: number;
  /** A `cached` node: the key of the entry it was served from (32 hex digits). */
  cacheKey?: string;
  /** A `cached` node: how old the entry was, in ms, when it was served. */
  cacheAge?: number;
  /** What the node has made so far, for the types that report it: an `llm` node's answer, growing as its tokens stream. */
  text?: string;
};

/** A node as this engine reports it: `depth` always set. */
export type ProgressNode = ExecutionGraphNode & { depth: number };

/** The desktop's graph state (`events.onProgress`, `node.store`), as the TypeScript engine typed it; `executionId` is this engine's. */
export type ExecutionGraphState = {
  nodes: Map<string, ExecutionGraphNode>;
  edges: Array<{ from: string; to: string }>;
  executionOrder: string[][];
  criticalPath: string[];
  totalWeight: number;
  maxParallelism: number;
  isExecuting: boolean;
  startTime: number | null;
  endTime: number | null;
  cachedProgress: number;
  executionId?: string;
};

/** The graph state this package passes: the run's `executionId` and nodes with `depth`. */
export type RunGraphState = Omit<ExecutionGraphState, "nodes" | "executionId"> & {
  nodes: Map<string, ProgressNode>;
  executionId: string;
};

/** The browser's progress event, as the TypeScript engine typed it; `isExecuting`, `startTime` and `endTime` are this engine's. */
export type NodeProgressEvent = {
  nodeId: string;
  executionId: string;
  progress: number;
  message: string;
  nodes: ExecutionGraphNode[];
  graph: ProgressGraphMetadata;
  isExecuting?: boolean;
  startTime?: number;
  endTime?: number;
};

/** A throttled snapshot of a run, as `node.onProgress` passes it: a `NodeProgressEvent` and a `ProgressEvent`. */
export type RunProgressEvent = Omit<NodeProgressEvent, "nodes" | "isExecuting" | "startTime"> & {
  nodes: ProgressNode[];
  isExecuting: boolean;
  startTime: number;
};

export type NodeCompleteEvent = { nodeId: string; executionId: string; result: ExecutionResult; timestamp?: number };
export type NodeErrorEvent = { nodeId: string; executionId: string; error: string; code?: string; timestamp?: number };
/** What `node.onComplete` passes. */
export type RunCompleteEvent = NodeCompleteEvent & { timestamp: number };
/** What `node.onError` passes. */
export type RunErrorEvent = NodeErrorEvent & { timestamp: number };

/**
 * A durable run parked at a `wait` node (its result's error has code `WAITING`): not a failure.
 * It goes on when a signal, an approval or its time wakes it (`executions.signal`,
 * `executions.approve`; a time by the conductor's own timer).
 */
export type RunWaitingEvent = {
  executionId: string;
  /** The flow's root node. */
  nodeId: string;
  /** What it waits for (the error's `context`). */
  waiting: ExecutionWaiting;
  timestamp: number;
};
export type WaitingHandler = (event: RunWaitingEvent) => void;

export type ProgressHandler = (state: ExecutionGraphState) => void;
export type StartedHandler = (event: { executionId: string; nodeId: string }) => void;
export type CompletedHandler = (event: { executionId: string; result: ExecutionResult }) => void;
export type ErrorHandler = (event: { executionId: string; error: Error }) => void;
export type Unsubscribe = () => void;

/** `conductor.events`. */
export type ConductorEventEmitter = {
  onProgress(handler: (state: RunGraphState) => void): Unsubscribe;
  onStarted(handler: StartedHandler): Unsubscribe;
  onCompleted(handler: CompletedHandler): Unsubscribe;
  onError(handler: ErrorHandler): Unsubscribe;
  /** A durable run parked at a `wait` node (instead of `onError`: it did not fail). */
  onWaiting(handler: WaitingHandler): Unsubscribe;
};

/**
 * `conductor.node.store`: the graph state of the run the conductor started last, there from the
 * start of the run whether or not anyone subscribed; subscribers are told every change.
 */
export type ExecutionGraphStore = {
  getState(): RunGraphState;
  subscribe(listener: (state: RunGraphState, previous: RunGraphState) => void): Unsubscribe;
  /** Back to the state before any run (the run it showed is not shown again). */
  reset(): void;
  /** The trace of the last run the store followed, once that run ended; `null` before. */
  getTrace(): ExecutionTrace | null;
};

/** A run paused before node `nodeId` (a path) would start; `input` is what it will receive. */
export type PausedEvent = { executionId: string; nodeId: string; input: Record<string, unknown> };
export type PausedHandler = (event: PausedEvent) => void;
