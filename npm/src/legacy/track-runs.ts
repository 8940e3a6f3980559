/**
 * `trackRuns(conductor, stateManager)`: a `StateManager` that follows a conductor's runs, from
 * the conductor's own events, so code written around a `StateManager` shows real runs.
 */
import type { ConductorEventEmitter, NodeRunState, ProgressNode, Unsubscribe } from "../types/progress.js";
import type { ExecutionStateStatus, StateManager } from "./state-manager.js";

/** Skipped (disabled), pinned and cached nodes did not run but let the flow go on: completed. */
const STATUS: Record<NodeRunState, ExecutionStateStatus> = {
  pending: "pending",
  executing: "running",
  completed: "completed",
  skipped: "completed",
  pinned: "completed",
  cached: "completed",
  error: "failed",
};

/**
 * From now on, every run of `conductor` is an execution of `states`: its id is the run's
 * `executionId` and its `blueprintId` the flow's id; it is `"running"` once started, then
 * `"completed"`, `"failed"` or `"cancelled"` with its `endTime`. Each node (by id, nested nodes
 * included) gets the engine's states as `"pending"`, `"running"`, `"completed"` (also skipped
 * and pinned nodes) or `"failed"` with its start and end times and its error (`lastError`,
 * `retryCount`); a successful run's variables become the execution's. Node states come from
 * the progress snapshots, so a node that starts and ends between two of them is only seen ended.
 * Returns the function that stops following.
 */
export function trackRuns(conductor: { events: ConductorEventEmitter }, states: StateManager): Unsubscribe {
  const known = (executionId: string) => states.getExecutionState(executionId) !== undefined;
  const stops = [
    conductor.events.onStarted(({ executionId, nodeId }) => {
      states.initializeExecution(executionId, nodeId);
      states.updateExecutionState(executionId, { status: "running" });
    }),
    conductor.events.onProgress((graph) => {
      if (!known(graph.executionId)) return;
      for (const node of graph.nodes.values()) follow(states, graph.executionId, node);
    }),
    conductor.events.onCompleted(({ executionId, result }) => {
      if (!known(executionId)) return;
      for (const [key, value] of Object.entries(result.context?.variables ?? {})) states.setVariable(executionId, key, value);
      states.updateExecutionState(executionId, { status: "completed", endTime: new Date() });
    }),
    conductor.events.onError(({ executionId, error }) => {
      if (!known(executionId)) return;
      const cancelled = (error as Error & { code?: string }).code === "CANCELLED";
      states.updateExecutionState(executionId, { status: cancelled ? "cancelled" : "failed", endTime: new Date() });
    }),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

function follow(states: StateManager, executionId: string, node: ProgressNode): void {
  const status = STATUS[node.state as NodeRunState];
  const before = states.getExecutionState(executionId)?.nodeStates.get(node.id);
  if (before?.status !== status) states.updateNodeState(executionId, node.id, status);
  const after = states.getExecutionState(executionId)?.nodeStates.get(node.id);
  if (!after) return;
  // The engine's times, not when the snapshot arrived.
  if (node.startTime !== undefined) after.startTime = new Date(node.startTime);
  if (node.endTime !== undefined && status !== "running") after.endTime = new Date(node.endTime);
  if (node.state === "error" && node.error && after.lastError !== node.error) states.recordNodeError(executionId, node.id, node.error);
}
