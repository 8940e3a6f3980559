/** Progress event helpers (`isValidProgressEvent` and the payload builders). */
import type { ProgressEvent, RunGraphState, RunProgressEvent } from "../types/progress.js";

/**
 * True iff `data` is an object with string `nodeId` and `message`, number `progress`, an array
 * `nodes` of objects with string `id`, `name`, `state`, and a `graph` object with arrays
 * `executionOrder`, `criticalPath`, `edges` and numbers `totalWeight`, `maxParallelism`.
 */
export function isValidProgressEvent(data: unknown): data is ProgressEvent {
  if (typeof data !== "object" || data === null) return false;
  const event = data as Record<string, unknown>;
  if (typeof event.nodeId !== "string" || typeof event.progress !== "number" || typeof event.message !== "string") return false;
  if (!Array.isArray(event.nodes)) return false;
  for (const node of event.nodes) {
    if (typeof node !== "object" || node === null) return false;
    const n = node as Record<string, unknown>;
    if (typeof n.id !== "string" || typeof n.name !== "string" || typeof n.state !== "string") return false;
  }
  const graph = event.graph as Record<string, unknown> | null | undefined;
  if (typeof graph !== "object" || graph === null) return false;
  return (
    Array.isArray(graph.executionOrder) &&
    Array.isArray(graph.criticalPath) &&
    Array.isArray(graph.edges) &&
    typeof graph.totalWeight === "number" &&
    typeof graph.maxParallelism === "number"
  );
}

/** The desktop `events.onProgress` shape (`ExecutionGraphState`) of a snapshot. */
export function toGraphState(event: RunProgressEvent): RunGraphState {
  return {
    nodes: new Map(event.nodes.map((node) => [node.id, node])),
    edges: event.graph.edges,
    executionOrder: event.graph.executionOrder,
    criticalPath: event.graph.criticalPath,
    totalWeight: event.graph.totalWeight,
    maxParallelism: event.graph.maxParallelism,
    isExecuting: event.isExecuting,
    startTime: event.startTime ?? null,
    endTime: event.endTime ?? null,
    cachedProgress: event.progress,
    executionId: event.executionId,
  };
}
