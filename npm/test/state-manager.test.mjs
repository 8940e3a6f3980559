// The older README's StateManager (execution states by id: node states, variables,
// checkpoints; events), its persistence hook, and trackRuns feeding it from real runs on the
// native engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import { StateManager, createConductor, trackRuns } from "@atomiton/conductor";
import * as desktop from "@atomiton/conductor/desktop";
import { sleep, until } from "../test-support/helpers.mjs";

const require = createRequire(import.meta.url);

/** Every event `manager` emits, as [name, payload]. */
function recorder(manager) {
  const seen = [];
  const emit = manager.emit.bind(manager);
  manager.emit = (name, payload) => {
    seen.push([name, payload]);
    return emit(name, payload);
  };
  return seen;
}

test("executions: initialised pending, updated, listed while running or paused, cleared", () => {
  const manager = new StateManager(false);
  assert.ok(manager instanceof EventEmitter);
  const seen = recorder(manager);
  const before = new Date();
  manager.initializeExecution("e1", "blueprint-1");
  const state = manager.getExecutionState("e1");
  assert.deepEqual(
    { ...state, startTime: undefined },
    {
      executionId: "e1",
      blueprintId: "blueprint-1",
      status: "pending",
      startTime: undefined,
      nodeStates: new Map(),
      variables: new Map(),
      checkpoints: [],
    },
  );
  assert.ok(state.startTime instanceof Date && state.startTime >= before);
  assert.equal(manager.getExecutionState("nope"), undefined);

  const endTime = new Date(0);
  manager.updateExecutionState("e1", { status: "completed", endTime });
  assert.equal(state.status, "completed");
  assert.equal(state.endTime, endTime);
  manager.updateExecutionState("e1", {});
  assert.equal(state.status, "completed", "absent fields are left as they are");

  for (const [id, status] of [
    ["e2", "running"],
    ["e3", "paused"],
    ["e4", "failed"],
    ["e5", "cancelled"],
    ["e6", "pending"],
  ]) {
    manager.initializeExecution(id, "b");
    manager.updateExecutionState(id, { status });
  }
  assert.deepEqual(
    manager.getActiveExecutions().map((s) => s.executionId),
    ["e2", "e3"],
  );
  seen.length = 0;
  assert.equal(manager.clearCompletedExecutions(), 3, "completed, failed and cancelled");
  assert.deepEqual(
    ["e1", "e2", "e3", "e4", "e5", "e6"].filter((id) => manager.getExecutionState(id)),
    ["e2", "e3", "e6"],
  );
  assert.deepEqual(seen, [
    ["execution:cleared", { executionId: "e1" }],
    ["execution:cleared", { executionId: "e4" }],
    ["execution:cleared", { executionId: "e5" }],
  ]);
  manager.clearExecutionState("e2");
  assert.equal(manager.getExecutionState("e2"), undefined);
});

test("node states: start time on running, end time on completed or failed, errors counted", () => {
  const manager = new StateManager();
  manager.initializeExecution("e", "b");
  manager.updateNodeState("e", "n", "pending");
  const node = manager.getExecutionState("e").nodeStates.get("n");
  assert.deepEqual(node, { nodeId: "n", status: "pending", retryCount: 0 });
  manager.updateNodeState("e", "n", "running");
  const started = node.startTime;
  assert.ok(started instanceof Date);
  assert.equal(node.endTime, undefined);
  manager.updateNodeState("e", "n", "running");
  assert.equal(node.startTime, started, "the first start is kept");
  manager.updateNodeState("e", "n", "completed");
  assert.ok(node.endTime instanceof Date && node.endTime >= started);
  manager.updateNodeState("e", "f", "failed");
  assert.ok(manager.getExecutionState("e").nodeStates.get("f").endTime instanceof Date);

  manager.recordNodeError("e", "n", "Error 1");
  manager.recordNodeError("e", "n", "Error 2");
  assert.deepEqual([node.lastError, node.retryCount], ["Error 2", 2]);
  manager.recordNodeError("e", "unknown-node", "lost");
  assert.equal(manager.getExecutionState("e").nodeStates.has("unknown-node"), false, "an error for a node with no state records nothing");
});

test("variables and checkpoints: a checkpoint is a copy of the variables, restored by index", () => {
  const manager = new StateManager();
  manager.initializeExecution("e", "b");
  assert.equal(manager.getVariable("e", "missing"), undefined);
  const nested = { value: 42 };
  manager.setVariable("e", "count", 1);
  manager.setVariable("e", "nested", nested);
  manager.createCheckpoint("e", "node-1");
  manager.setVariable("e", "count", 2);
  manager.setVariable("e", "later", true);
  const [checkpoint] = manager.getExecutionState("e").checkpoints;
  assert.equal(checkpoint.nodeId, "node-1");
  assert.ok(checkpoint.timestamp instanceof Date);
  assert.deepEqual(
    checkpoint.state,
    new Map([
      ["count", 1],
      ["nested", nested],
    ]),
  );
  manager.restoreCheckpoint("e", 0);
  assert.equal(manager.getVariable("e", "count"), 1);
  assert.equal(manager.getVariable("e", "nested"), nested);
  assert.equal(manager.getVariable("e", "later"), undefined);
  manager.setVariable("e", "count", 3);
  assert.equal(checkpoint.state.get("count"), 1, "restoring does not tie the variables to the checkpoint");
  assert.throws(() => manager.restoreCheckpoint("e", 5), { message: "Checkpoint 5 not found" });
});

test("an unknown execution id throws on every call that needs one", () => {
  const manager = new StateManager();
  const calls = [
    (m) => m.updateExecutionState("x", { status: "running" }),
    (m) => m.updateNodeState("x", "n", "running"),
    (m) => m.recordNodeError("x", "n", "e"),
    (m) => m.setVariable("x", "k", 1),
    (m) => m.getVariable("x", "k"),
    (m) => m.createCheckpoint("x", "n"),
    (m) => m.restoreCheckpoint("x", 0),
  ];
  for (const call of calls) assert.throws(() => call(manager), { message: "Execution x not found" }, String(call));
});

test("events carry what changed", () => {
  const manager = new StateManager();
  const seen = recorder(manager);
  manager.initializeExecution("e", "b");
  manager.updateExecutionState("e", { status: "running" });
  manager.updateNodeState("e", "n", "running");
  manager.recordNodeError("e", "n", "boom");
  manager.setVariable("e", "k", "v");
  manager.createCheckpoint("e", "n");
  manager.restoreCheckpoint("e", 0);
  manager.clearExecutionState("e");
  assert.deepEqual(seen, [
    ["execution:initialized", { executionId: "e", blueprintId: "b" }],
    ["execution:updated", { executionId: "e", updates: { status: "running" } }],
    ["node:updated", { executionId: "e", nodeId: "n", status: "running" }],
    ["node:error", { executionId: "e", nodeId: "n", error: "boom" }],
    ["variable:set", { executionId: "e", key: "k", value: "v" }],
    ["checkpoint:created", { executionId: "e", nodeId: "n", checkpointIndex: 0 }],
    ["checkpoint:restored", { executionId: "e", checkpointIndex: 0 }],
    ["execution:cleared", { executionId: "e" }],
  ]);
  let heard = 0;
  manager.on("execution:initialized", () => heard++);
  manager.shutdown();
  manager.initializeExecution("f", "b");
  assert.equal(heard, 0, "shutdown removes the listeners");
  assert.equal(manager.getExecutionState("f").status, "pending", "and the manager still works");
});

test("without a persistence hook (true or false), states stay in this process", async () => {
  for (const persistState of [true, false, undefined]) {
    const manager = new StateManager(persistState);
    const seen = recorder(manager);
    manager.initializeExecution("e", "b");
    await manager.persistExecutionStates();
    await manager.loadExecutionStates();
    assert.deepEqual(
      seen.map(([name]) => name),
      ["execution:initialized", "state:loaded"],
    );
    assert.deepEqual(seen[1][1], { count: 0 });
    assert.equal(manager.getExecutionState("e").blueprintId, "b");
  }
});

test("a persistence hook gets copies once per burst of changes, and loads states back", async () => {
  const saves = [];
  const store = { save: (states) => void saves.push(states), load: () => saves.at(-1) };
  const manager = new StateManager(store);
  manager.initializeExecution("e", "b");
  manager.updateNodeState("e", "n", "running");
  manager.setVariable("e", "k", { deep: 1 });
  assert.equal(saves.length, 0, "saved after the synchronous changes, not during them");
  await sleep(0);
  assert.equal(saves.length, 1);
  const [saved] = saves[0];
  assert.equal(saved.nodeStates.get("n").status, "running");
  manager.updateNodeState("e", "n", "completed");
  assert.equal(saved.nodeStates.get("n").status, "running", "a copy: later changes do not reach what was saved");
  await sleep(0);
  assert.equal(saves.length, 2);

  const restored = new StateManager(store);
  const loaded = [];
  restored.on("state:loaded", (event) => loaded.push(event));
  await restored.loadExecutionStates();
  assert.deepEqual(loaded, [{ count: 1 }]);
  assert.equal(restored.getExecutionState("e").nodeStates.get("n").status, "completed");
  assert.deepEqual(restored.getVariable("e", "k"), { deep: 1 });

  const failing = new StateManager({ save: () => Promise.reject(new Error("disk full")), load: () => [] });
  const errors = [];
  failing.on("state:error", ({ error }) => errors.push(error.message));
  failing.initializeExecution("e", "b");
  await until(() => errors.length > 0);
  assert.deepEqual(errors, ["disk full"]);
});

test("trackRuns follows real runs: status, each node's state and times, errors, variables", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "fail"
          ? {
              execute: () => {
                throw new Error("node broke");
              },
            }
          : type === "wait"
            ? { execute: ({ signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))) }
            : undefined,
    },
  });
  const manager = new StateManager();
  const stop = trackRuns(conductor, manager);
  const flow = {
    id: "double-then-sum",
    type: "group",
    nodes: [
      { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } },
      { id: "sum", type: "transform", parameters: { operation: "reduce", transformFunction: "(acc, x) => acc + x", reduceInitial: "0" } },
    ],
    edges: [{ id: "e", source: "double", target: "sum", targetHandle: "data" }],
  };
  const ok = await conductor.node.run(flow, { executionId: "run-ok", variables: { user: "ada" } });
  assert.equal(ok.success, true, ok.error?.message);
  const state = manager.getExecutionState("run-ok");
  assert.deepEqual([state.blueprintId, state.status], ["double-then-sum", "completed"]);
  assert.ok(state.endTime instanceof Date && state.endTime >= state.startTime);
  assert.deepEqual([...state.nodeStates.keys()].sort(), ["double", "sum"]);
  for (const node of state.nodeStates.values()) {
    assert.equal(node.status, "completed", node.nodeId);
    assert.ok(node.startTime instanceof Date && node.endTime instanceof Date && node.startTime <= node.endTime, node.nodeId);
  }
  assert.equal(manager.getVariable("run-ok", "user"), "ada");

  const failed = await conductor.node.run(
    {
      id: "breaks",
      type: "group",
      nodes: [
        { id: "first", type: "transform", parameters: { data: [1], transformFunction: "x => x" } },
        { id: "bad", type: "fail" },
      ],
      edges: [{ id: "e", source: "first", target: "bad" }],
    },
    { executionId: "run-failed" },
  );
  assert.equal(failed.success, false);
  const broken = manager.getExecutionState("run-failed");
  assert.equal(broken.status, "failed");
  assert.equal(broken.nodeStates.get("first").status, "completed");
  assert.deepEqual(
    [broken.nodeStates.get("bad").status, broken.nodeStates.get("bad").lastError, broken.nodeStates.get("bad").retryCount],
    ["failed", "node broke", 1],
  );

  const waiting = conductor.node.run({ id: "waits", type: "wait" }, { executionId: "run-cancelled" });
  await until(() => manager.getExecutionState("run-cancelled")?.status === "running");
  assert.equal(
    manager
      .getActiveExecutions()
      .map((s) => s.executionId)
      .includes("run-cancelled"),
    true,
  );
  await conductor.node.cancel("run-cancelled");
  assert.equal((await waiting).error.code, "CANCELLED");
  assert.equal(manager.getExecutionState("run-cancelled").status, "cancelled");

  stop();
  await conductor.node.run(flow, { executionId: "run-untracked" });
  assert.equal(manager.getExecutionState("run-untracked"), undefined, "stop() ends the tracking");
  await conductor.shutdown();
});

test("StateManager and trackRuns are on /desktop and in the CommonJS build", () => {
  assert.equal(desktop.StateManager, StateManager);
  assert.equal(desktop.trackRuns, trackRuns);
  const cjs = require("@atomiton/conductor");
  const manager = new cjs.StateManager();
  assert.ok(manager instanceof EventEmitter);
  manager.initializeExecution("e", "b");
  assert.equal(manager.getExecutionState("e").status, "pending");
  assert.equal(typeof cjs.trackRuns, "function");
});
