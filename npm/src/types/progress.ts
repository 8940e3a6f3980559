/** Progress payloads, as the original had them: graph state, node snapshots, progress events. */
import type { ExecutionResult } from "./execution.js";

/** `"pinned"`: not run, its output was given with the run (`pinned`). */
export type NodeExecutionState = "pending" | "executing" | "completed" | "error" | "skipped" | "pinned";

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

/** A node in a progress snapshot (also `ProgressNodeSnapshot`). */
export type ProgressNode = ProgressNodeSnapshot & {
  type: string;
  weight: number;
  dependencies: string[];
  dependents: string[];
  level: number;
  progress: number;
  message?: string;
  startTime?: number;
  endTime?: number;
  parentId?: string;
  depth: number;
};

/** A throttled snapshot of a run (`NodeProgressEvent` / `ProgressEvent`). */
export type NodeProgressEvent = {
  executionId: string;
  nodeId: string;
  progress: number;
  message: string;
  nodes: ProgressNode[];
  graph: ProgressGraphMetadata;
  isExecuting: boolean;
  startTime: number;
  endTime?: number;
};

export type ProgressEvent = NodeProgressEvent;

export type NodeCompleteEvent = { nodeId: string; executionId: string; result: ExecutionResult; timestamp: number };
export type NodeErrorEvent = { nodeId: string; executionId: string; error: string; code?: string; timestamp: number };

/** The desktop `events.onProgress` payload (`ExecutionGraphState`). */
export type ExecutionGraphNode = ProgressNode;
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
  executionId: string;
};

export type ProgressHandler = (state: ExecutionGraphState) => void;
export type StartedHandler = (event: { executionId: string; nodeId: string }) => void;
export type CompletedHandler = (event: { executionId: string; result: ExecutionResult }) => void;
export type ErrorHandler = (event: { executionId: string; error: Error }) => void;
export type Unsubscribe = () => void;
/** A run paused before node `nodeId` (a path) would start; `input` is what it will receive. */
export type PausedEvent = { executionId: string; nodeId: string; input: Record<string, unknown> };
export type PausedHandler = (event: PausedEvent) => void;
