// Event payloads: progress snapshots, graph state, started/completed/error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor, isValidProgressEvent } from "@atomiton/conductor";
import { sleep } from "../test-support/helpers.mjs";

const slowFlow = {
  id: "flow",
  type: "group",
  nodes: [
    { id: "a", type: "wait", name: "First" },
    { id: "b", type: "wait", name: "Second" },
    { id: "inner", type: "group", nodes: [{ id: "c", type: "wait" }] },
  ],
  edges: [
    { id: "e1", source: "a", target: "b" },
    { id: "e2", source: "b", target: "inner" },
  ],
};

test("progress events are valid, carry their executionId, and end at exactly 100", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    progressThrottle: 0,
    nodeExecutorFactory: { getNodeExecutable: () => ({ execute: () => sleep(15).then(() => 1) }) },
  });
  const events = [];
  const states = [];
  conductor.node.onProgress((event) => events.push(event));
  conductor.events.onProgress((state) => states.push(state));
  const result = await conductor.node.run(slowFlow, { executionId: "exec-progress" });
  assert.equal(result.success, true);
  assert.ok(events.length >= 3, `${events.length} events`);
  for (const event of events) {
    assert.equal(isValidProgressEvent(event), true);
    assert.equal(event.executionId, "exec-progress");
  }
  const last = events.at(-1);
  assert.equal(last.progress, 100);
  assert.equal(last.message, "All nodes completed");
  assert.deepEqual(
    last.nodes.map((n) => n.id),
    ["a", "b", "inner", "c"],
    "nested children appear",
  );
  assert.equal(last.nodes[3].parentId, "inner");
  assert.deepEqual(last.graph.executionOrder, [["a"], ["b"], ["inner"]]);
  assert.ok(events.some((e) => e.message === "Executing: First" && e.nodeId === "a"));
  const progress = events.map((e) => e.progress);
  assert.deepEqual(
    progress,
    [...progress].sort((x, y) => x - y),
    "never decreasing on success",
  );
  const state = states.at(-1);
  assert.ok(state.nodes instanceof Map);
  assert.equal(state.cachedProgress, 100);
  assert.equal(state.nodes.get("c").state, "completed");
  assert.equal(conductor.node.store.getState().cachedProgress, 100);
});

test("started, completed and error events carry the documented shapes", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (t) =>
        t === "boom"
          ? {
              execute: () => {
                throw new Error("kaput");
              },
            }
          : undefined,
    },
  });
  const log = [];
  conductor.events.onStarted((e) => log.push(["started", e]));
  conductor.events.onCompleted((e) => log.push(["completed", e]));
  conductor.events.onError((e) => log.push(["error", e]));
  conductor.node.onComplete((e) => log.push(["node.complete", e]));
  conductor.node.onError((e) => log.push(["node.error", e]));
  const ok = await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { executionId: "exec-ok" });
  const bad = await conductor.node.run({ id: "x", type: "boom" }, { executionId: "exec-bad" });
  assert.deepEqual(
    log.map(([kind]) => kind),
    ["started", "node.complete", "completed", "started", "node.error", "error"],
  );
  assert.deepEqual(log[0][1], { executionId: "exec-ok", nodeId: "t" });
  assert.equal(log[1][1].result, ok);
  assert.equal(log[1][1].nodeId, "t");
  assert.equal(log[2][1].result, ok);
  assert.deepEqual([log[4][1].error, log[4][1].code, log[4][1].executionId], ["kaput", "EXECUTION_FAILED", "exec-bad"]);
  assert.ok(log[5][1].error instanceof Error);
  assert.equal(log[5][1].error.message, "kaput");
  assert.equal(bad.success, false);
});

test("unsubscribing stops delivery, and no progress is built without listeners", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0 });
  let count = 0;
  const unsubscribe = conductor.node.onProgress(() => count++);
  await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } });
  const seen = count;
  assert.ok(seen > 0);
  unsubscribe();
  await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } });
  assert.equal(count, seen);
});

test("concurrent runs keep their own progress", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    progressThrottle: 0,
    nodeExecutorFactory: { getNodeExecutable: () => ({ execute: () => sleep(5) }) },
  });
  const byRun = new Map();
  conductor.node.onProgress((e) => byRun.set(e.executionId, [...(byRun.get(e.executionId) ?? []), e.progress]));
  const flow = {
    id: "f",
    type: "group",
    nodes: [
      { id: "a", type: "w" },
      { id: "b", type: "w" },
    ],
    edges: [{ id: "e", source: "a", target: "b" }],
  };
  await Promise.all(Array.from({ length: 10 }, (_, i) => conductor.node.run(flow, { executionId: `run-${i}` })));
  assert.equal(byRun.size, 10);
  for (const [, values] of byRun) assert.equal(values.at(-1), 100);
});

test("slowMo paces progress steps", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0 });
  const steps = [];
  conductor.node.onProgress((e) => steps.push(e.nodes[0].progress));
  const started = Date.now();
  const result = await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { slowMo: 20 });
  assert.equal(result.success, true);
  assert.equal(result.context.slowMo, 20);
  // A lower bound only: timers never fire early, however fast the machine.
  assert.ok(Date.now() - started >= 20 * 4, "pre-delay, three steps and half a step");
  for (const step of [30, 70, 90, 100]) assert.ok(steps.includes(step), `step ${step} in ${steps}`);
});

test("listeners added right after node.run() is called still see that run's events", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1] } },
      { id: "b", type: "transform" },
    ],
    edges: [{ id: "e", source: "a", target: "b" }],
  };
  const running = conductor.node.run(flow);
  const seen = [];
  conductor.node.onProgress((event) => seen.push(event.progress));
  assert.equal((await running).success, true);
  assert.equal(seen.at(-1), 100, `progress seen: ${seen.join(", ")}`);
});
