// Cancellation, timeouts, retries, heavy concurrency and panic containment.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { until } from "../test-support/helpers.mjs";

// `wait` nodes sleep `parameters.ms` (an hour unless told otherwise) until their signal aborts
// them: a cancel or a timeout that did not work would leave the test hanging, never passing.
const HOUR = 3_600_000;
const waitFactory = (log = []) => ({
  getNodeExecutable: (type) =>
    type === "wait"
      ? {
          execute: (p) =>
            new Promise((resolve) => {
              log.push(`start ${p.nodeId}`);
              const timer = setTimeout(() => resolve(p.nodeId), p.ms ?? HOUR);
              p.signal.addEventListener("abort", () => {
                clearTimeout(timer);
                log.push(`abort ${p.nodeId}`);
                resolve("aborted");
              });
            }),
        }
      : undefined,
});

// `a` is done at once; `b` waits until its run ends.
const chain = {
  id: "c",
  type: "group",
  nodes: [
    { id: "a", type: "wait", parameters: { ms: 0 } },
    { id: "b", type: "wait" },
    { id: "z", type: "wait" },
  ],
  edges: [
    { id: "1", source: "a", target: "b" },
    { id: "2", source: "b", target: "z" },
  ],
};

test("node.cancel stops a run promptly: running nodes see abort, nothing more starts", async () => {
  const log = [];
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: waitFactory(log) });
  const running = conductor.node.run(chain, { executionId: "to-cancel" });
  await until(() => log.includes("start b"), undefined, "b to start");
  assert.equal(await conductor.node.cancel("to-cancel"), true);
  const result = await running;
  assert.equal(result.error.code, "CANCELLED");
  assert.equal(result.error.message, "Execution cancelled");
  assert.deepEqual(result.executedNodes, ["a"]);
  assert.deepEqual(log, ["start a", "start b", "abort b"]);
});

test("an AbortSignal cancels too, even before the run starts", async () => {
  const log = [];
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: waitFactory(log) });
  const controller = new AbortController();
  const running = conductor.node.run(chain, { signal: controller.signal });
  await until(() => log.includes("start b"), undefined, "b to start");
  controller.abort();
  assert.equal((await running).error.code, "CANCELLED");
  const already = new AbortController();
  already.abort();
  assert.equal((await conductor.node.run(chain, { signal: already.signal })).error.code, "CANCELLED");
});

test("run and conductor timeouts bound the whole run", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: waitFactory() });
  const result = await conductor.node.run(chain, { timeout: 1000 });
  assert.equal(result.error.code, "TIMEOUT");
  assert.equal(result.error.message, "Execution timed out after 1000ms");
  assert.deepEqual(result.executedNodes, ["a"]);
  const bounded = createConductor({ storage: { type: "memory" }, timeout: 100, nodeExecutorFactory: waitFactory() });
  assert.equal((await bounded.node.run(chain)).error.message, "Execution timed out after 100ms");
});

test("1,000 concurrent runs on one conductor all succeed", async () => {
  // The first node of every run waits until all 1,000 runs have started it, so they are
  // really in flight together (small flows otherwise finish inside node.run's first call).
  let started = 0;
  let release;
  const allStarted = new Promise((resolve) => {
    release = resolve;
  });
  // A guard against a hang, not a clock verdict: far beyond what starting the runs takes.
  const giveUp = setTimeout(() => release(), 100_000);
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "gate"
          ? {
              execute: async () => {
                if (++started === 1000) release();
                await allStarted;
                return [0];
              },
            }
          : undefined,
    },
  });
  const flow = {
    id: "ten",
    type: "group",
    nodes: Array.from({ length: 10 }, (_, i) =>
      i === 0
        ? { id: "n0", type: "gate" }
        : { id: `n${i}`, type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    ),
    edges: Array.from({ length: 9 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}`, targetHandle: "data" })),
  };
  const results = await Promise.all(Array.from({ length: 1000 }, () => conductor.node.run(flow)));
  clearTimeout(giveUp);
  assert.equal(started, 1000, "every run was in flight before any finished");
  assert.equal(results.filter((r) => r.success).length, 1000, results.find((r) => !r.success)?.error?.message);
  assert.deepEqual(results[999].data.result, [9]);
  assert.equal(new Set(results.map((r) => r.context.executionId)).size, 1000, "every run has its own id");
});

test("a panic inside the engine becomes INTERNAL_ERROR and the process carries on", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1] } },
      { id: "b", type: "transform", parameters: { data: [2] } },
    ],
    edges: [{ id: "e", source: "a", target: "b" }],
  };
  const result = await conductor.node.run(flow, { debug: { simulatePanic: { nodeId: "b" } } });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "INTERNAL_ERROR");
  assert.equal(result.error.message, "Node 'b' panicked: simulated panic (debug.simulatePanic)");
  const after = await conductor.node.run(flow);
  assert.equal(after.success, true, "the same conductor keeps working");
});

test("bad input gets a clear error, never a crash", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const missing = await conductor.node.run({ type: "transform" });
  assert.deepEqual(
    [missing.error.code, missing.error.message, missing.error.nodeId],
    ["INVALID_NODE", "Invalid node definition: id and type are required", "unknown"],
  );
  assert.deepEqual([missing.duration, missing.executedNodes], [0, []]);
  const untyped = await conductor.node.run({ id: "x" });
  assert.deepEqual(
    [untyped.error.message, untyped.error.nodeId, untyped.executedNodes],
    ["Invalid node definition: id and type are required", "x", []],
  );
  assert.deepEqual((await conductor.node.validate({ id: "x" })).errors, ["Node must have a type"], "validate keeps its own messages");
  const cyclic = {};
  cyclic.self = cyclic;
  const unserialisable = await conductor.node.run({ id: "x", type: "transform", parameters: { cyclic } });
  assert.equal(unserialisable.error.code, "SERIALIZATION_FAILED");
  let deep = { id: "leaf", type: "transform" };
  for (let i = 0; i < 2000; i++) deep = { id: `g${i}`, type: "group", nodes: [deep] };
  const nested = await conductor.node.run(deep);
  assert.equal(nested.success, true, nested.error?.message);
  assert.equal(nested.executedNodes.length, 2001);
  const huge = await conductor.node.run({
    id: "s",
    type: "transform",
    parameters: { operation: "map", data: ["x".repeat(1_000_000)], transformFunction: "s => s.repeat(100)" },
  });
  assert.equal(huge.success, false, "huge strings hit the expression budget");
  const validation = await conductor.node.validate({
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform" },
      { id: "a", type: "nope" },
    ],
    edges: [{ id: "e", source: "a", target: "ghost" }],
  });
  assert.equal(validation.valid, false);
  assert.ok(validation.errors.length >= 3, validation.errors.join("\n"));
  assert.ok(validation.issues.some((i) => i.code === "NODE_TYPE_NOT_FOUND"));
});
