// The app's tests, drawing progress from the package's mock graph states.
import {
  createAtomicNodeGraph,
  createComplexParallelGraph,
  createMockGraphState,
  createMockNode,
  createSimpleTwoNodeGraph,
  createTestGroupNode,
  createTestNodeDefinition,
  type MockGraphStateOptions,
  type MockNodeOptions,
} from "@atomiton/conductor/test-utils/factories";
import type { ExecutionGraphNode, ExecutionGraphState, ProgressHandler } from "@atomiton/conductor/desktop";

const options: MockNodeOptions = { id: "n", state: "error", error: "boom", progress: 40, weight: 50 };
const node: ExecutionGraphNode = createMockNode(options);
const graph: MockGraphStateOptions = { nodes: new Map([[node.id, node]]), totalWeight: 50, endTime: null };
const states: ExecutionGraphState[] = [
  createMockGraphState(graph),
  createSimpleTwoNodeGraph(),
  createComplexParallelGraph(),
  createAtomicNodeGraph(),
];

export function render(handler: ProgressHandler): number {
  for (const state of states) handler(state);
  return states.reduce((sum, state) => sum + state.cachedProgress, 0);
}

const definition = createTestNodeDefinition({ parameters: { operation: "map" } });
const group = createTestGroupNode(3);
export const ids: string[] = [definition.id, group.id, ...(group.nodes ?? []).map((child) => child.id)];
