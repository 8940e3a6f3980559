// How runs are driven: on the JS thread for small documents, on a worker for large or deep
// ones, with Node kept alive while a run waits on the engine alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { loadNative } from "../dist/engines/native/loader.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));

/** A chain `n0 → n1 → …` of `n` nodes of `type`. */
const chainOf = (n, type) => ({
  id: "long",
  type: "group",
  nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type })),
  edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
});

test("a run waiting only on the engine's timers keeps Node alive until it finishes", () => {
  // Nothing on the JS side is pending while the engine sleeps between slowMo steps: without
  // the conductor holding the event loop open, Node would exit with the await unsettled.
  const program = `
    import { createConductor } from "@atomiton/conductor";
    const conductor = createConductor({ storage: { type: "memory" } });
    const flow = { id: "g", type: "group", nodes: [{ id: "a", type: "transform", parameters: { data: [1] } }, { id: "b", type: "transform" }], edges: [{ id: "e", source: "a", target: "b" }] };
    const result = await conductor.node.run(flow, { slowMo: 40 });
    console.log(JSON.stringify({ success: result.success, duration: result.duration }));
  `;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", program], { cwd: packageDir, encoding: "utf8" });
  assert.equal(child.status, 0, child.stderr);
  const printed = JSON.parse(child.stdout);
  assert.equal(printed.success, true);
  assert.ok(printed.duration >= 80, `slowMo paced the run (${printed.duration} ms)`);
});

test("a chain of 10,000 synchronous executors runs without growing the stack", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    trace: false,
    nodeExecutorFactory: { getNodeExecutable: (type) => (type === "inc" ? { execute: (p) => (p.input.default ?? 0) + 1 } : undefined) },
  });
  const n = 10_000;
  const flow = chainOf(n, "inc");
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, result.error?.message);
  assert.equal(result.data, n);
});

test("a long chain of async executors in a document read on a worker wakes the JS thread a bounded number of times, not once per node", async () => {
  // The engine wakes the JS thread from its own threads through the addon's notifier, which
  // calls `drive`: counted here with the real method still doing its work. A run placed on a
  // worker for its size used to stay there, so every executor call woke the JS thread and every
  // answer woke the worker: one wake-up per node, several times the cost of the call itself.
  const addon = loadNative();
  assert.ok(addon.ok, "the native addon loads");
  const prototype = addon.addon.NativeConductor.prototype;
  const drive = prototype.drive;
  let wakes = 0;
  prototype.drive = function (...args) {
    wakes += 1;
    return drive.apply(this, args);
  };
  try {
    const conductor = createConductor({
      storage: { type: "memory" },
      nodeExecutorFactory: {
        getNodeExecutable: (type) => (type === "inc" ? { execute: async (p) => (p.input?.default ?? 0) + 1 } : undefined),
      },
    });
    const n = 3_000;
    const flow = chainOf(n, "inc");
    assert.ok(JSON.stringify(flow).length > 64 * 1024, "a document this size is read on a worker");
    const result = await conductor.node.run(flow);
    assert.equal(result.success, true, result.error?.message);
    assert.equal(result.data, n);
    // Read and started on the worker, then driven by the JS thread inside each answer: a wake-up
    // or two, and at most one scheduler step of nodes (256) while the move is under way.
    assert.ok(wakes <= 300, `${wakes} wake-ups of the JS thread for ${n} executor calls`);
  } finally {
    prototype.drive = drive;
  }
});

test("documents over 1 MB and nested past 128 levels run on a worker with the same results", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const numbers = Array.from({ length: 200_000 }, (_, i) => i);
  const big = {
    id: "big",
    type: "transform",
    parameters: { operation: "reduce", transformFunction: "(acc, x) => acc + x", reduceInitial: "0", data: numbers },
  };
  assert.ok(JSON.stringify(big).length > 1024 * 1024);
  const sum = await conductor.node.run(big);
  assert.equal(sum.success, true, sum.error?.message);
  assert.equal(sum.data.result, (200_000 * 199_999) / 2);

  let deep = { id: "leaf", type: "transform", parameters: { data: [7] } };
  for (let i = 0; i < 100; i++) deep = { id: `g${i}`, type: "group", nodes: [deep], edges: [] };
  const nested = await conductor.node.run(deep);
  assert.equal(nested.success, true, nested.error?.message);
  assert.deepEqual(nested.data.result, [7]);
  assert.equal(nested.executedNodes.length, 101);
});

test("the trace is parsed on first read and survives JSON and structured cloning", async () => {
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
  const result = await conductor.node.run(flow);
  const viaJson = JSON.parse(JSON.stringify(result));
  const cloned = structuredClone(result);
  for (const trace of [result.trace, viaJson.trace, cloned.trace]) {
    assert.equal(trace.rootNodeId, "g");
    assert.deepEqual(
      trace.nodes.map((n) => n.nodeId),
      ["a", "b"],
    );
    assert.equal(trace.events.at(-1).type, "completed");
  }
  assert.equal(result.trace, result.trace, "parsed once, then a plain property");
  result.trace = undefined;
  assert.equal(result.trace, undefined, "writable like any result field");
});

test("a loop awaiting run after run lets timers run, on both engines", async () => {
  // Small runs resolve in microtasks. Every 1,000th result waits for a task, so a loop that
  // never yields by itself still lets timers, I/O and the callbacks that free unread traces run.
  for (const engine of ["native", "wasm"]) {
    const conductor = createConductor({ engine, storage: { type: "memory" }, history: false });
    const flow = { id: "one", type: "transform", parameters: { data: [1] } };
    let finished = 0;
    let finishedWhenTimerRan;
    setTimeout(() => (finishedWhenTimerRan = finished), 0);
    for (let i = 0; i < 3000; i++) {
      assert.equal((await conductor.node.run(flow)).success, true);
      finished++;
    }
    assert.ok(
      finishedWhenTimerRan !== undefined && finishedWhenTimerRan < 3000,
      `${engine}: the timer ran after ${finishedWhenTimerRan} of 3,000 runs`,
    );
    await conductor.shutdown();
  }
});
