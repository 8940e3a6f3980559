// Code written from the earlier README: a StateManager kept beside the executor, fed by a conductor.
import { StateManager, createConductor, trackRuns } from "@atomiton/conductor";
import type { ExecutionState, NodeState, StatePersistence } from "@atomiton/conductor/desktop";

const stateManager = new StateManager(false);
stateManager.on("node:updated", ({ executionId, nodeId, status }: { executionId: string; nodeId: string; status: string }) => {
  console.log(executionId, nodeId, status);
});
stateManager.once("execution:initialized", () => {});

stateManager.initializeExecution("exec-1", "blueprint-1");
stateManager.updateExecutionState("exec-1", { status: "running" });
stateManager.updateNodeState("exec-1", "node-1", "running");
stateManager.recordNodeError("exec-1", "node-1", "Test node error");
stateManager.setVariable("exec-1", "count", 42);
stateManager.createCheckpoint("exec-1", "node-1");
stateManager.restoreCheckpoint("exec-1", 0);
stateManager.updateExecutionState("exec-1", { status: "completed", endTime: new Date() });

const state: ExecutionState | undefined = stateManager.getExecutionState("exec-1");
const node: NodeState | undefined = state?.nodeStates.get("node-1");
export const summary = {
  status: state?.status,
  retries: node?.retryCount,
  lastError: node?.lastError,
  started: node?.startTime?.getTime(),
  variables: Object.fromEntries(state?.variables ?? []),
  checkpoint: state?.checkpoints[0]?.state.get("count"),
  active: stateManager.getActiveExecutions().map((execution) => execution.executionId),
  cleared: stateManager.clearCompletedExecutions(),
  value: stateManager.getVariable.length,
};
stateManager.clearExecutionState("exec-1");
export const loading: Promise<void> = stateManager.loadExecutionStates();
stateManager.shutdown();

const saved: ExecutionState[] = [];
const persistence: StatePersistence = { save: (states) => void saved.push(...states), load: () => saved };
const tracked = new StateManager(persistence);
export const stop: () => void = trackRuns(createConductor({ storage: { type: "memory" } }), tracked);
