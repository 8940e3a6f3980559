// Working and waiting: CPU-heavy built-in work runs on the worker pool (the JS thread stays
// free), and nodes that wait hold no working slot. Every verdict here counts — ticks, nodes in
// flight, pool jobs — none depends on how fast this machine is.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { workerPool } from "@atomiton/conductor/desktop";

// The first conductor of the process sizes the shared pool.
const POOL = 2;
createConductor({ storage: { type: "memory" }, workers: POOL });

const COSTLY = 'x => "ab".repeat(2000).split("").reverse().join("").length';
const heavyTransform = (id, items) => ({
  id,
  type: "transform",
  parameters: { operation: "map", transformFunction: COSTLY, data: Array.from({ length: items }, (_, i) => i) },
});

/** Runs `work` while a 1 ms interval counts how often the JS thread got to run it. */
async function ticksDuring(work) {
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
  }, 1);
  try {
    const result = await work();
    return { result, ticks };
  } finally {
    clearInterval(timer);
  }
}

test("a timer keeps firing while a heavy transform runs", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  // 5,000 costly items: seconds of CPU when it ran on the JS thread, and the timer then fired
  // not once during the run.
  const { result, ticks } = await ticksDuring(() => conductor.node.run(heavyTransform("heavy", 5_000)));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(result.data.result.length, 5_000);
  assert.equal(result.data.result[0], 4000);
  assert.ok(ticks >= 5, `the JS thread ran the timer ${ticks} times during the run`);
});

test("heavy transforms never run more at once than the pool has slots, and all of them ran there", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const before = workerPool.stats();
  assert.equal(before.size, POOL);
  workerPool.resetPeak();
  const n = 6;
  const flow = {
    id: "fan",
    type: "group",
    nodes: Array.from({ length: n }, (_, i) => heavyTransform(`t${i}`, 1_000)),
    edges: [],
  };
  const { result, ticks } = await ticksDuring(() => conductor.node.run(flow));
  assert.equal(result.success, true, result.error?.message);
  const after = workerPool.stats();
  assert.equal(after.started - before.started, n, "each heavy node went to the pool once");
  assert.ok(after.peak <= POOL, `at most ${POOL} at once (peak ${after.peak})`);
  assert.ok(ticks >= 1, "the JS thread stayed free meanwhile");
});

/**
 * Holds whatever arrives until `batch` are held at once, then lets them all go: a count of
 * what runs at once that no machine's speed can skew. A batch that never fills is let go after
 * `fallbackMs` (that happens only when fewer than `batch` can ever be in flight together, and
 * the test then fails on its count).
 */
function batchGate(batch, fallbackMs = 100_000) {
  const counter = { now: 0, most: 0, total: 0 };
  let waiting = [];
  let timer;
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    const go = waiting;
    waiting = [];
    for (const resolve of go) resolve();
  };
  const hold = async () => {
    counter.now += 1;
    counter.total += 1;
    counter.most = Math.max(counter.most, counter.now);
    const passed = new Promise((resolve) => waiting.push(resolve));
    if (waiting.length >= batch) release();
    else timer ??= setTimeout(release, fallbackMs);
    await passed;
    counter.now -= 1;
  };
  return { counter, hold };
}

/** A JS node type `wait` that waits at the gate. */
function waitingFactory(batch) {
  const { counter, hold } = batchGate(batch);
  const factory = {
    getNodeExecutable: (type) =>
      type === "wait"
        ? {
            execute: async () => {
              await hold();
              return 1;
            },
          }
        : undefined,
  };
  return { counter, factory };
}

const fanOut = (n) => ({
  id: "fan-out",
  type: "group",
  nodes: [
    { id: "root", type: "transform", parameters: { data: [1] } },
    ...Array.from({ length: n }, (_, i) => ({ id: `w${i}`, type: "wait" })),
  ],
  edges: Array.from({ length: n }, (_, i) => ({ id: `e${i}`, source: "root", target: `w${i}` })),
});

test("at default settings, 99 waiting nodes are all in flight at once", async () => {
  const { counter, factory } = waitingFactory(99);
  const conductor = createConductor({ storage: { type: "memory" }, trace: false, nodeExecutorFactory: factory });
  const before = workerPool.stats().started;
  const result = await conductor.node.run(fanOut(99));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(counter.most, 99);
  assert.equal(workerPool.stats().started, before, "waiting took no worker slot");
});

test("an explicit concurrency is never exceeded, and is reached", async () => {
  for (const concurrency of [1, 8]) {
    const { counter, factory } = waitingFactory(concurrency);
    const conductor = createConductor({ storage: { type: "memory" }, trace: false, concurrency, nodeExecutorFactory: factory });
    const result = await conductor.node.run(fanOut(40));
    assert.equal(counter.total, 40);
    assert.equal(result.success, true, result.error?.message);
    assert.equal(counter.most, concurrency, `concurrency ${concurrency}`);
  }
});

test("configureTransport('local', { concurrency }) bounds the nodes in flight the same way", async () => {
  const { counter, factory } = waitingFactory(3);
  const conductor = createConductor({ storage: { type: "memory" }, trace: false, nodeExecutorFactory: factory });
  conductor.configureTransport("local", { concurrency: 3 });
  const result = await conductor.node.run(fanOut(20));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(counter.most, 3);
});

/** A local server that answers each batch of `batch` requests once it holds them all. */
async function gatedServer(t, batch) {
  const { createServer } = await import("node:http");
  const gate = batchGate(batch);
  const server = createServer(async (_request, response) => {
    await gate.hold();
    response.setHeader("content-type", "application/json");
    response.end('{"ok":true}');
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { gate, url: `http://127.0.0.1:${server.address().port}/` };
}

const requests = (url, n) => ({
  id: "requests",
  type: "group",
  nodes: Array.from({ length: n }, (_, i) => ({ id: `r${i}`, type: "http-request", parameters: { url: `${url}${i}` } })),
  edges: [],
});

test("http-request: a fan-out to one origin keeps to the per-host limit, and reaches it", async (t) => {
  const four = await gatedServer(t, 4);
  const conductor = createConductor({ storage: { type: "memory" }, trace: false, http: { maxRequestsPerHost: 4 } });
  const result = await conductor.node.run(requests(four.url, 24));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(four.gate.counter.total, 24);
  assert.equal(four.gate.counter.most, 4);

  const six = await gatedServer(t, 6);
  conductor.configureTransport("local", { http: { maxRequestsPerHost: 6 } });
  const again = await conductor.node.run(requests(six.url, 24));
  assert.equal(again.success, true, again.error?.message);
  assert.equal(six.gate.counter.most, 6);
});

test("http-request: at default settings, 50 requests to one slow API are all in flight at once", async (t) => {
  const { gate, url } = await gatedServer(t, 50);
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const result = await conductor.node.run(requests(url, 50));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(gate.counter.most, 50);
});
