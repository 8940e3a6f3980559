// What must NOT compile: each line below has the error its comment names. If a type were widened
// (to `any`, or an optional field, or a wider union), its directive would be unused and the
// check fails (TS2578).
import { createConductor, StateManager } from "@atomiton/conductor";
import type {
  ExecutionGraphState,
  NodeExecutionState,
  NodeProgressEvent,
  ProgressEvent,
  ProgressNodeSnapshot,
} from "@atomiton/conductor/desktop";
import { createMockNode } from "@atomiton/conductor/test-utils/factories";
import { conductor } from "@atomiton/conductor/browser";

declare const event: ProgressEvent;
declare const full: NodeProgressEvent;
declare const graph: ExecutionGraphState;

// @ts-expect-error progress is a number
export const progressText: string = event.progress;
// @ts-expect-error a snapshot's state is a NodeExecutionState
export const snapshot: ProgressNodeSnapshot = { id: "a", name: "A", state: "running" };
// @ts-expect-error the TypeScript engine's states are five: "pinned" (a run with pinned outputs) is NodeRunState's
export const pinned: NodeExecutionState = "pinned";
// @ts-expect-error a ProgressEvent needs its graph
export const noGraph: ProgressEvent = { nodeId: "a", nodes: [], progress: 0, message: "" };
// @ts-expect-error a NodeProgressEvent needs its executionId
export const noExecution: NodeProgressEvent = { nodeId: "a", nodes: [], progress: 0, message: "", graph: event.graph };
// @ts-expect-error depth is this engine's, optional in the TypeScript engine's type
export const depth: number = full.nodes[0]!.depth;
// @ts-expect-error a graph state's nodes are a Map
export const firstNode = graph.nodes[0];
// @ts-expect-error cachedProgress is required
export const partial: ExecutionGraphState = {
  nodes: new Map(),
  edges: [],
  executionOrder: [],
  criticalPath: [],
  totalWeight: 0,
  maxParallelism: 1,
  isExecuting: false,
  startTime: null,
  endTime: null,
};

conductor.node.onProgress((snapshot) => {
  const depthNow: number = snapshot.nodes[0]!.depth;
  // @ts-expect-error what onProgress passes is typed, not any
  const wrong: string = snapshot.isExecuting;
  return [depthNow, wrong];
});
createConductor().events.onProgress((state) => {
  const id: string = state.executionId;
  // @ts-expect-error a node's state is not a number
  const wrong: number = state.nodes.get("a")!.state;
  return [id, wrong];
});

const manager = new StateManager();
// @ts-expect-error an execution status is one of the known ones
manager.updateNodeState("e", "n", "bogus");
// @ts-expect-error a variable read is unknown, not any
export const variable: string = manager.getVariable("e", "k");
// @ts-expect-error a mock node's state is a NodeExecutionState
createMockNode({ state: "running" });
