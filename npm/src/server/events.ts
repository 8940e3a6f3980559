/**
 * A conductor's events → channel broadcasts, as the TypeScript engine's desktop sent them. Unlike the TypeScript engine's desktop,
 * every payload carries the run's real `executionId` (the one in the run's context and result).
 */
import type { Conductor } from "../conductor/api.js";

export type Broadcast = (channel: string, event: string, data: unknown) => void;

/** The parts of a conductor the channel servers use (a `createConductor` result, or anything shaped alike). */
/** What the server needs of a conductor; `executions`, `cache` and `triggers` only for the channels of those names. */
export type ServedConductor = Pick<Conductor, "node" | "flow" | "storage" | "system" | "events"> &
  Partial<Pick<Conductor, "executions" | "cache" | "triggers">>;

/** Forwards the conductor's events to `broadcast` until the returned function is called. */
export function forwardConductorEvents(conductor: ServedConductor, broadcast: Broadcast): () => void {
  const unsubscribes = [
    conductor.events.onStarted(({ executionId, nodeId }) => broadcast("node", "started", { executionId, nodeId, timestamp: Date.now() })),
    conductor.node.onProgress((event) => broadcast("node", "progress", event)),
    conductor.node.onPaused((event) => broadcast("node", "paused", event)),
    conductor.node.onComplete((event) => broadcast("node", "completed", event)),
    conductor.node.onError((event) => broadcast("node", "error", event)),
    conductor.storage.onFlowSaved((event) => broadcast("storage", "flowSaved", event)),
  ];
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
