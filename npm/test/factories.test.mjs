// `@atomiton/conductor/test-utils/factories`: the TypeScript engine's mock graph states and test
// node definitions, from the ES module and the CommonJS build.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import * as factories from "@atomiton/conductor/test-utils/factories";
import { createNodeDefinition } from "@atomiton/conductor";

const require = createRequire(import.meta.url);

test("createMockNode: defaults, and progress 100 only when completed or skipped", () => {
  assert.deepEqual(factories.createMockNode(), {
    id: "mock-node",
    name: "Mock Node",
    type: "test",
    weight: 100,
    dependencies: [],
    dependents: [],
    level: 0,
    state: "pending",
    progress: 0,
    startTime: undefined,
    endTime: undefined,
    error: undefined,
  });
  assert.equal(factories.createMockNode({ state: "completed" }).progress, 100);
  assert.equal(factories.createMockNode({ state: "skipped" }).progress, 100);
  assert.equal(factories.createMockNode({ state: "executing" }).progress, 0);
  assert.equal(factories.createMockNode({ state: "completed", progress: 40 }).progress, 40);
  const node = factories.createMockNode({ id: "x", weight: 0, level: 2, error: "boom", state: "error" });
  assert.deepEqual([node.id, node.weight, node.level, node.error, node.progress], ["x", 0, 2, "boom", 0]);
});

test("createMockGraphState: defaults, and cachedProgress weighted as the store computed it", () => {
  const before = Date.now();
  const empty = factories.createMockGraphState();
  assert.ok(empty.nodes instanceof Map && empty.nodes.size === 0);
  assert.deepEqual(
    [
      empty.edges,
      empty.executionOrder,
      empty.criticalPath,
      empty.totalWeight,
      empty.maxParallelism,
      empty.isExecuting,
      empty.endTime,
      empty.cachedProgress,
    ],
    [[], [], [], 0, 1, false, null, 0],
  );
  assert.ok(empty.startTime >= before && empty.startTime <= Date.now());
  const nodes = new Map([
    ["a", factories.createMockNode({ id: "a", state: "completed" })],
    ["b", factories.createMockNode({ id: "b", state: "executing", progress: 50 })],
    ["c", factories.createMockNode({ id: "c", state: "error", progress: 90 })],
  ]);
  assert.equal(factories.createMockGraphState({ nodes, totalWeight: 300 }).cachedProgress, 50, "(100 + 50 + 0) / 300");
  assert.equal(factories.createMockGraphState({ nodes, totalWeight: 300, cachedProgress: 7 }).cachedProgress, 7);
  assert.equal(factories.createMockGraphState({ nodes, totalWeight: 0 }).cachedProgress, 0);
});

test("the three fixture graphs", () => {
  const two = factories.createSimpleTwoNodeGraph();
  assert.deepEqual([...two.nodes.keys()], ["node-1", "node-2"]);
  assert.deepEqual(
    [...two.nodes.values()].map((n) => [n.state, n.level, n.dependencies]),
    [
      ["completed", 0, []],
      ["executing", 1, ["node-1"]],
    ],
  );
  assert.deepEqual([two.totalWeight, two.maxParallelism, two.isExecuting, two.cachedProgress], [200, 1, true, 50]);
  assert.deepEqual(two.edges, [{ from: "node-1", to: "node-2" }]);

  const parallel = factories.createComplexParallelGraph();
  assert.deepEqual(
    [...parallel.nodes.values()].map((n) => [n.id, n.state]),
    [
      ["n1", "completed"],
      ["n2", "completed"],
      ["n3", "executing"],
      ["n4", "pending"],
    ],
  );
  assert.deepEqual(parallel.executionOrder, [["n1"], ["n2", "n3"], ["n4"]]);
  assert.deepEqual(parallel.criticalPath, ["n1", "n2", "n4"]);
  assert.deepEqual([parallel.totalWeight, parallel.maxParallelism, parallel.cachedProgress, parallel.edges.length], [400, 2, 50, 4]);
  assert.deepEqual(parallel.nodes.get("n4").dependencies, ["n2", "n3"]);

  const atomic = factories.createAtomicNodeGraph();
  assert.deepEqual(
    [...atomic.nodes.values()].map((n) => [n.id, n.name, n.state, n.weight]),
    [["atomic-1", "Atomic Operation", "executing", 100]],
  );
  assert.deepEqual([atomic.executionOrder, atomic.criticalPath, atomic.totalWeight], [[["atomic-1"]], ["atomic-1"], 100]);
});

test("createTestNodeDefinition and createTestGroupNode are createNodeDefinition with test ids and types", () => {
  const node = factories.createTestNodeDefinition();
  const { id: _id, ...rest } = createNodeDefinition({ id: "test-node", type: "test" });
  assert.deepEqual(node, { id: "test-node", ...rest });
  assert.deepEqual([node.id, node.type, node.version, node.name], ["test-node", "test", "1.0.0", "Unnamed Node"]);
  assert.deepEqual(factories.createTestNodeDefinition({ id: "other", parameters: { operation: "map" } }).parameters, { operation: "map" });

  const group = factories.createTestGroupNode();
  assert.deepEqual([group.id, group.type, group.edges], ["group-node", "group", undefined]);
  assert.deepEqual(
    group.nodes.map((child) => [child.id, child.type]),
    [
      ["child-1", "test"],
      ["child-2", "test"],
    ],
  );
  assert.equal(factories.createTestGroupNode(4).nodes.length, 4);
});

test("the CommonJS build exports the same helpers", () => {
  const cjs = require("@atomiton/conductor/test-utils/factories");
  assert.ok(require.resolve("@atomiton/conductor/test-utils/factories").endsWith("/dist/cjs/test-utils/factories.js"));
  assert.deepEqual(Object.keys(cjs).sort(), Object.keys(factories).sort());
  assert.deepEqual(cjs.createComplexParallelGraph().criticalPath, ["n1", "n2", "n4"]);
});
