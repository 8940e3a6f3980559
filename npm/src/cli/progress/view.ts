/** What the progress displays show, derived from a progress snapshot. */
import type { ExecutionGraphNode, NodeProgressEvent, NodeRunState } from "../../desktop.js";

export type NodeLine = { name: string; state: NodeRunState; depth: number; group: boolean };

export type ProgressView = {
  /** Whole percent, 0–100. */
  percent: number;
  /** Names of the atomic nodes executing now, in snapshot order. */
  running: string[];
  /** Every node of the snapshot, in snapshot order (nested nodes included). */
  nodes: NodeLine[];
  /** The engine's own summary ("Executing: A, B", "All nodes completed"). */
  message: string;
  /** A stream of rows under way: what its source read so far (see `ConductorConfig.streamBatchRows`). */
  stream?: StreamProgress;
};

import type { StreamProgress } from "../../conductor/stream-text.js";

export type { StreamProgress };

/** Keys (`id`, depth) of the snapshot's nodes that have children (entries one level deeper naming them as parent). */
function parentKeys(nodes: ExecutionGraphNode[]): Set<string> {
  const keys = new Set<string>();
  for (const node of nodes) {
    if (typeof node.parentId === "string" && typeof node.depth === "number") keys.add(`${node.depth - 1}\u0000${node.parentId}`);
  }
  return keys;
}

export function toView(event: NodeProgressEvent): ProgressView {
  const nodes = Array.isArray(event.nodes) ? event.nodes : [];
  const parents = parentKeys(nodes);
  const lines: NodeLine[] = nodes.map((node) => ({
    // A node's name, else its id (a snapshot's `name` falls back to the type, which does not
    // tell two nodes of one type apart), as the engine's own "Executing: ..." message does.
    name: node.name && node.name !== node.type ? node.name : node.id,
    state: node.state,
    depth: typeof node.depth === "number" ? node.depth : 0,
    group: parents.has(`${node.depth}\u0000${node.id}`),
  }));
  const progress = Number.isFinite(event.progress) ? event.progress : 0;
  // The source of a stream under way: the first executing node that counts rows and read bytes.
  const source = nodes.find((node) => node.state === "executing" && typeof node.rows === "number" && typeof node.bytes === "number");
  return {
    percent: Math.max(0, Math.min(100, Math.floor(progress))),
    running: lines.filter((line) => line.state === "executing" && !line.group).map((line) => line.name),
    nodes: lines,
    message: typeof event.message === "string" ? event.message : "",
    ...(source ? { stream: { rows: source.rows ?? 0, bytes: source.bytes, totalBytes: source.totalBytes } } : {}),
  };
}

/** How many atomic nodes are done (completed, skipped, pinned or cached), failed, and in all. */
export function tally(view: ProgressView): { done: number; failed: number; total: number } {
  const atomic = view.nodes.filter((node) => !node.group);
  const done = atomic.filter(
    (node) => node.state === "completed" || node.state === "skipped" || node.state === "pinned" || node.state === "cached",
  ).length;
  const failed = atomic.filter((node) => node.state === "error").length;
  return { done, failed, total: atomic.length };
}

/**
 * What is happening, in one phrase: the running nodes; else how far the run is (the engine's own
 * message says "Waiting to start..." between two nodes, which reads wrongly mid-run).
 */
export function activity(view: ProgressView): string {
  if (view.running.length > 0) return `Executing: ${view.running.join(", ")}`;
  const { done, failed, total } = tally(view);
  if (total === 0) return view.message || (view.percent >= 100 ? "All nodes completed" : "Waiting to start");
  if (failed > 0) return `${done}/${total} nodes done, ${failed} failed`;
  if (done === total) return "All nodes completed";
  if (done === 0) return "Waiting to start";
  return `${done}/${total} nodes done`;
}
