// The flow language through the built package: for-each (order, concurrency, failures, a
// durable loop killed mid-way and resumed with the missing items only), sub-flows (saved flows
// called by id, pinned for a run's life, cycles and missing flows refused by validate, depth
// bounded), and random flows with random branch outcomes giving the same result on the native
// engine and the WebAssembly engine. The branch/merge/skip table is the conformance fixtures
// (tests/fixtures/flow-*.json), which run on every engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { repoRoot, statesOf, tempDir, until } from "../test-support/helpers.mjs";

const ENGINES = ["native", "wasm"];

/** A conductor whose `effect` type records what each call got and doubles a number. */
function conductorWith(engine, calls = []) {
  const conductor = createConductor({
    engine,
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "effect"
          ? {
              execute: async (p) => {
                calls.push(p.input?.item ?? p.input?.default);
                await new Promise((resolve) => setTimeout(resolve, p.delay ?? 0));
                if (p.input?.item === "boom") throw new Error("it broke");
                return typeof p.input?.item === "number" ? p.input.item * 2 : p.input?.item;
              },
            }
          : undefined,
    },
  });
  return conductor;
}

const forEach = (items, parameters, body) => ({
  id: "loop",
  type: "group",
  nodes: [{ id: "each", type: "for-each", parameters: { items, ...parameters }, nodes: body, edges: [] }],
  edges: [],
});

for (const engine of ENGINES) {
  test(`${engine}: for-each keeps the items' order at any concurrency, and a JS executor gets each item`, async (t) => {
    const calls = [];
    const conductor = conductorWith(engine, calls);
    t.after(() => conductor.shutdown());
    const items = Array.from({ length: 20 }, (_, i) => i);
    // Later items take less time: with concurrency they finish first.
    const result = await conductor.node.run(forEach(items, { concurrency: 5 }, [{ id: "call", type: "effect" }]));
    assert.equal(result.success, true, result.error?.message);
    assert.deepEqual(
      result.data,
      items.map((i) => i * 2),
    );
    assert.deepEqual(
      [...calls].sort((a, b) => a - b),
      items,
    );
  });

  test(`${engine}: an item that fails fails the for-each as the lowest failing item, unless its node's onError collects it`, async (t) => {
    const conductor = conductorWith(engine);
    t.after(() => conductor.shutdown());
    const failed = await conductor.node.run(forEach([1, "boom", 3], {}, [{ id: "call", type: "effect" }]));
    assert.equal(failed.success, false);
    assert.match(failed.error.message, /item 1 failed at 'call': .*it broke/);
    const collected = await conductor.node.run(
      forEach([1, "boom", 3], {}, [{ id: "call", type: "effect", parameters: { onError: "continue" } }]),
    );
    assert.equal(collected.success, true, collected.error?.message);
    assert.equal(collected.data[0], 2);
    assert.match(collected.data[1].error.message, /it broke/);
    assert.equal(collected.data[2], 6);
  });

  test(`${engine}: a sub-flow runs a saved flow; validate finds a missing flow and a cycle; calls nest at most 16 deep`, async (t) => {
    const conductor = createConductor({ engine, storage: { type: "memory" } });
    t.after(() => conductor.shutdown());
    await conductor.storage.saveFlow({
      id: "double",
      type: "group",
      nodes: [{ id: "twice", type: "transform", parameters: { transformFunction: "x => x * 2", dataPath: "result" } }],
      edges: [],
    });
    const caller = (flowId) => ({
      id: "main",
      type: "group",
      nodes: [
        { id: "numbers", type: "transform", parameters: { transformFunction: "x => x + 1", data: [1, 2] } },
        { id: "call", type: "sub-flow", parameters: { flowId } },
      ],
      edges: [{ id: "e", source: "numbers", target: "call", targetHandle: "data" }],
    });
    const result = await conductor.node.run(caller("double"));
    assert.equal(result.success, true, result.error?.message);
    assert.deepEqual(result.data.result, [4, 6]);

    const missing = await conductor.node.validate(caller("nowhere"));
    assert.equal(missing.valid, false);
    assert.match(missing.errors.join("\n"), /calls flow 'nowhere', which is neither a saved flow nor a template/);

    const looping = (id, next) => ({ id, type: "group", nodes: [{ id: "c", type: "sub-flow", parameters: { flowId: next } }], edges: [] });
    await conductor.storage.saveFlow(looping("ping", "pong"));
    await conductor.storage.saveFlow(looping("pong", "ping"));
    const cycle = await conductor.node.validate(caller("ping"));
    assert.equal(cycle.valid, false);
    assert.equal(cycle.issues[0].code, "CIRCULAR_DEPENDENCY");
    assert.match(cycle.errors[0], /ping → pong → ping/);

    // 17 flows, each calling the next: one call deeper than sub-flows may nest.
    for (let i = 0; i < 17; i++) await conductor.storage.saveFlow(looping(`deep${i}`, `deep${i + 1}`));
    await conductor.storage.saveFlow({
      id: "deep17",
      type: "group",
      nodes: [{ id: "end", type: "transform", parameters: { data: [1] } }],
      edges: [],
    });
    const deep = await conductor.node.run(caller("deep0"));
    assert.equal(deep.success, false);
    assert.match(deep.error.message, /16 sub-flows deep/);
  });
}

test("native: a sub-flow is pinned when its run starts: a durable run woken after the saved flow changed calls what it started with, and its record names the hash", async (t) => {
  const directory = tempDir(t, "sub-flow-pin");
  const conductor = createConductor({ storage: { directory }, durability: {} });
  t.after(() => conductor.shutdown());
  const version = (n) => ({
    id: "greeting",
    type: "group",
    nodes: [{ id: "say", type: "edit-fields", parameters: { values: { version: n }, keepOnlySet: true } }],
    edges: [],
  });
  await conductor.storage.saveFlow(version(1));
  const flow = {
    id: "parked",
    type: "group",
    nodes: [
      { id: "hold", type: "wait", parameters: { mode: "signal", signal: "go" } },
      { id: "call", type: "sub-flow", parameters: { flowId: "greeting" } },
    ],
    edges: [{ id: "e", source: "hold", target: "call" }],
  };
  const parked = await conductor.node.run(flow, { executionId: "exec-pinned" });
  assert.equal(parked.error?.code, "WAITING", parked.error?.message);
  await conductor.storage.saveFlow(version(2));
  const resumed = await conductor.executions.signal("exec-pinned", "go");
  assert.equal(resumed.success, true, resumed.error?.message);
  assert.deepEqual(resumed.data, { result: { version: 1 } }, "the version the run started with");
  const record = await conductor.executions.get("exec-pinned");
  const pin = record.nodes.find((n) => n.nodeId === "$sub-flow:greeting");
  assert.ok(pin, JSON.stringify(record.nodes.map((n) => n.nodeId)));
  assert.match(pin.output.hash, /^[0-9a-f]{16}$/);
  assert.ok(
    record.nodes.some((n) => n.nodeId === "call[sub]/say"),
    "the called flow's nodes are recorded below the sub-flow",
  );
  // A new run calls the flow as it is now.
  const fresh = await conductor.node.run({ ...flow, nodes: [flow.nodes[1]], edges: [] });
  assert.deepEqual(fresh.data, { result: { version: 2 } });
});

test("native: a durable for-each killed with SIGKILL mid-way resumes with the missing items only", async (t) => {
  const directory = tempDir(t, "for-each-kill");
  const log = join(directory, "effects.log");
  const COUNT = 200;
  const child = spawn(
    process.execPath,
    [join(repoRoot, "npm", "test-support", "for-each-child.mjs"), directory, log, "exec-items", String(COUNT)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  t.after(() => child.kill("SIGKILL"));
  const lines = () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : []);
  await until(() => lines().length >= 70, undefined, "70 items to have had their effect");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const before = lines().length;
  assert.ok(before < COUNT, `killed mid-way (${before} of ${COUNT})`);

  const conductor = createConductor({
    storage: { directory },
    durability: {},
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "effect"
          ? {
              execute: async (p) => {
                (await import("node:fs")).appendFileSync(log, `item ${p.input.item}\n`);
                return p.input.item * 10;
              },
            }
          : undefined,
    },
  });
  t.after(() => conductor.shutdown());
  assert.equal((await conductor.executions.get("exec-items")).status, "interrupted");
  const resumed = await conductor.executions.resume("exec-items");
  assert.equal(resumed.success, true, resumed.error?.message);
  assert.deepEqual(
    resumed.data,
    Array.from({ length: COUNT }, (_, i) => i * 10),
    "every item's result, in order",
  );
  const counts = new Map();
  for (const line of lines()) counts.set(line, (counts.get(line) ?? 0) + 1);
  assert.equal(counts.size, COUNT, "every item had its effect");
  const twice = [...counts].filter(([, n]) => n > 1).map(([item]) => item);
  // Only the item in flight at the kill (its node is idempotent) ran again.
  assert.ok(twice.length <= 1, `items whose effect repeated: ${twice.join(", ")}`);
  assert.equal(lines().length, COUNT + twice.length);
});

/** A seeded generator (mulberry32). */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random flow of ifs (constant conditions), failing nodes whose errors are routed, plain nodes and merges. */
function randomFlow(seed) {
  const next = random(seed);
  const n = 2 + Math.floor(next() * 12);
  const kinds = Array.from({ length: n }, () => ["if", "failing", "plain", "merge"][Math.floor(next() * 4)]);
  const nodes = kinds.map((kind, i) => {
    const id = `n${i}`;
    if (kind === "if") return { id, type: "if", parameters: { condition: `item => ${next() < 0.5}` } };
    if (kind === "failing") return { id, type: "transform", parameters: { transformFunction: "x => x.a.b", data: [i], onError: "route" } };
    if (kind === "merge") return { id, type: "merge", parameters: { mode: ["all", "append", "first"][Math.floor(next() * 3)] } };
    return { id, type: "transform", parameters: { transformFunction: `x => x + ${i}`, data: [i] } };
  });
  const edges = [];
  for (let target = 1; target < n; target++) {
    const count = kinds[target] === "merge" ? 1 + Math.floor(next() * 3) : Math.floor(next() * 2);
    for (let k = 0; k < count; k++) {
      const source = Math.floor(next() * target);
      if (edges.some((e) => e.source === `n${source}` && e.target === `n${target}`)) continue;
      const edge = { id: `e${edges.length}`, source: `n${source}`, target: `n${target}` };
      if (kinds[source] === "if") edge.sourceHandle = next() < 0.5 ? "true" : "false";
      if (kinds[source] === "failing" && next() < 0.5) edge.sourceHandle = "error";
      edges.push(edge);
    }
  }
  // A merge must have an edge in: one from the node before it when the dice gave none.
  for (let target = 1; target < n; target++) {
    if (kinds[target] === "merge" && !edges.some((e) => e.target === `n${target}`)) {
      const edge = { id: `e${edges.length}`, source: `n${target - 1}`, target: `n${target}` };
      if (kinds[target - 1] === "if") edge.sourceHandle = "true";
      edges.push(edge);
    }
  }
  if (kinds[0] === "merge") nodes[0] = { id: "n0", type: "transform", parameters: { transformFunction: "x => x", data: [0] } };
  return { id: `random-${seed}`, type: "group", nodes, edges };
}

test("random flows with random branch outcomes: every node ends, and the native and WebAssembly engines agree", async (t) => {
  const [native, wasm] = ENGINES.map((engine) => createConductor({ engine, storage: { type: "memory" } }));
  t.after(() => Promise.all([native.shutdown(), wasm.shutdown()]));
  for (let seed = 1; seed <= 200; seed++) {
    const flow = randomFlow(seed);
    const [a, b] = await Promise.all([native.node.run(flow), wasm.node.run(flow)]);
    const label = `seed ${seed}: ${JSON.stringify(flow)}`;
    assert.equal(a.success, true, `${label}\n${a.error?.message}`);
    const states = statesOf(a);
    for (const node of flow.nodes) {
      assert.ok(["completed", "skipped", "error"].includes(states[node.id]), `${label}: ${node.id} is ${states[node.id]}`);
    }
    assert.deepEqual(
      { success: b.success, data: b.data, executedNodes: b.executedNodes, states: statesOf(b) },
      { success: a.success, data: a.data, executedNodes: a.executedNodes, states },
      label,
    );
  }
});
