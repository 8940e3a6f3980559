/**
 * `@atomiton/conductor/test-utils/factories`: mock graph states and nodes for testing progress
 * displays, and test node definitions, as the TypeScript engine's package exported them.
 */
import { createNodeDefinition } from "../catalog.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ExecutionGraphNode, ExecutionGraphState, NodeExecutionState } from "../types/progress.js";

export type MockNodeOptions = {
  id?: string;
  name?: string;
  type?: string;
  weight?: number;
  dependencies?: string[];
  dependents?: string[];
  level?: number;
  state?: NodeExecutionState;
  progress?: number;
  startTime?: number;
  endTime?: number;
  error?: string;
};

export type MockGraphStateOptions = {
  nodes?: Map<string, ExecutionGraphNode>;
  edges?: Array<{ from: string; to: string }>;
  executionOrder?: string[][];
  criticalPath?: string[];
  totalWeight?: number;
  maxParallelism?: number;
  isExecuting?: boolean;
  startTime?: number;
  endTime?: number | null;
  cachedProgress?: number;
};

/** A graph node: id "mock-node", name "Mock Node", type "test", weight 100, level 0, "pending"; progress 100 when completed or skipped, else 0. */
export function createMockNode(options: MockNodeOptions = {}): ExecutionGraphNode {
  const state = options.state || "pending";
  return {
    id: options.id || "mock-node",
    name: options.name || "Mock Node",
    type: options.type || "test",
    weight: options.weight ?? 100,
    dependencies: options.dependencies || [],
    dependents: options.dependents || [],
    level: options.level ?? 0,
    state,
    progress: options.progress ?? (state === "completed" || state === "skipped" ? 100 : 0),
    startTime: options.startTime,
    endTime: options.endTime,
    error: options.error,
  };
}

/**
 * Weighted progress, as the store computed it: completed and skipped nodes count whole,
 * executing ones by their progress, the rest (errors included) nothing.
 */
function weightedProgress(nodes: Map<string, ExecutionGraphNode>, totalWeight: number): number {
  if (nodes.size === 0 || totalWeight === 0) return 0;
  let done = 0;
  for (const node of nodes.values()) {
    if (node.state === "completed" || node.state === "skipped") done += node.weight;
    else if (node.state === "executing") done += node.weight * (node.progress / 100);
  }
  return Math.round((done / totalWeight) * 100);
}

/** A graph state: empty, not executing, started now; `cachedProgress` computed from the nodes unless given. */
export function createMockGraphState(options: MockGraphStateOptions = {}): ExecutionGraphState {
  const nodes = options.nodes || new Map<string, ExecutionGraphNode>();
  const totalWeight = options.totalWeight ?? 0;
  return {
    nodes,
    edges: options.edges || [],
    executionOrder: options.executionOrder || [],
    criticalPath: options.criticalPath || [],
    totalWeight,
    maxParallelism: options.maxParallelism ?? 1,
    isExecuting: options.isExecuting ?? false,
    startTime: options.startTime ?? Date.now(),
    endTime: options.endTime ?? null,
    cachedProgress: options.cachedProgress ?? weightedProgress(nodes, totalWeight),
  };
}

function byId(nodes: ExecutionGraphNode[]): Map<string, ExecutionGraphNode> {
  return new Map(nodes.map((node) => [node.id, node]));
}

/** node-1 (completed) → node-2 (executing). */
export function createSimpleTwoNodeGraph(): ExecutionGraphState {
  const now = Date.now();
  return createMockGraphState({
    nodes: byId([
      createMockNode({ id: "node-1", name: "Node 1", state: "completed", startTime: now - 1000, endTime: now }),
      createMockNode({
        id: "node-2",
        name: "Node 2",
        dependencies: ["node-1"],
        dependents: [],
        level: 1,
        state: "executing",
        startTime: now,
      }),
    ]),
    edges: [{ from: "node-1", to: "node-2" }],
    executionOrder: [["node-1"], ["node-2"]],
    criticalPath: ["node-1", "node-2"],
    totalWeight: 200,
    maxParallelism: 1,
    isExecuting: true,
  });
}

/** n1 → {n2, n3} → n4: n1 and n2 completed, n3 executing, n4 pending. */
export function createComplexParallelGraph(): ExecutionGraphState {
  const now = Date.now();
  return createMockGraphState({
    nodes: byId([
      createMockNode({
        id: "n1",
        name: "Node 1",
        dependents: ["n2", "n3"],
        state: "completed",
        startTime: now - 2000,
        endTime: now - 1500,
      }),
      createMockNode({
        id: "n2",
        name: "Node 2",
        dependencies: ["n1"],
        dependents: ["n4"],
        level: 1,
        state: "completed",
        startTime: now - 1500,
        endTime: now - 1000,
      }),
      createMockNode({
        id: "n3",
        name: "Node 3",
        dependencies: ["n1"],
        dependents: ["n4"],
        level: 1,
        state: "executing",
        startTime: now - 1000,
      }),
      createMockNode({ id: "n4", name: "Node 4", dependencies: ["n2", "n3"], level: 2, state: "pending" }),
    ]),
    edges: [
      { from: "n1", to: "n2" },
      { from: "n1", to: "n3" },
      { from: "n2", to: "n4" },
      { from: "n3", to: "n4" },
    ],
    executionOrder: [["n1"], ["n2", "n3"], ["n4"]],
    criticalPath: ["n1", "n2", "n4"],
    totalWeight: 400,
    maxParallelism: 2,
    isExecuting: true,
  });
}

/** One node, "atomic-1", executing. */
export function createAtomicNodeGraph(): ExecutionGraphState {
  return createMockGraphState({
    nodes: byId([createMockNode({ id: "atomic-1", name: "Atomic Operation", state: "executing", startTime: Date.now() })]),
    edges: [],
    executionOrder: [["atomic-1"]],
    criticalPath: ["atomic-1"],
    totalWeight: 100,
    maxParallelism: 1,
    isExecuting: true,
  });
}

/** `createNodeDefinition` with id "test-node" and type "test" unless given. */
export function createTestNodeDefinition(options: Partial<NodeDefinition> = {}): NodeDefinition {
  return createNodeDefinition({ id: "test-node", type: "test", ...options });
}

/** A group "group-node" of `childCount` test nodes `child-1` ... `child-n`, without edges. */
export function createTestGroupNode(childCount = 2): NodeDefinition {
  const children = Array.from({ length: childCount }, (_, index) => createTestNodeDefinition({ id: `child-${index + 1}`, type: "test" }));
  return createNodeDefinition({ id: "group-node", type: "group", nodes: children });
}
