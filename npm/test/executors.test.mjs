// Custom JS executors from nodeExecutorFactory, called by the Rust scheduler.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { sleep, until } from "../test-support/helpers.mjs";

function conductorWith(executors, config = {}) {
  return createConductor({ storage: { type: "memory" }, ...config, nodeExecutorFactory: { getNodeExecutable: (type) => executors[type] } });
}

const chain = (types) => ({
  id: "flow",
  type: "group",
  nodes: types.map((type, i) => ({ id: `n${i}`, type })),
  edges: types.slice(1).map((_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
});

test("sync and async executors, chained through default inputs", async () => {
  const conductor = conductorWith({
    double: { execute: (p) => p.input.default * 2 },
    addTen: {
      execute: async (p) => {
        await sleep(5);
        return p.input.default + 10;
      },
    },
    square: { execute: async (p) => p.input.default ** 2 },
  });
  const result = await conductor.node.run(chain(["double", "addTen", "square"]), { input: { default: 5 } });
  assert.equal(result.success, true, result.error?.message);
  assert.equal(result.data, 400);
  assert.deepEqual(result.executedNodes, ["flow", "n0", "n1", "n2"]);
});

test("params are {...context, ...parameters, signal}", async () => {
  let seen;
  const conductor = conductorWith({
    probe: {
      execute: (p) => {
        seen = p;
        return "ok";
      },
    },
  });
  const node = { id: "p", type: "probe", parameters: { custom: 1, input: "overridden?" } };
  await conductor.node.run(
    { id: "g", type: "group", nodes: [node] },
    { executionId: "exec-1", variables: { user: "u" }, input: { default: 3 }, slowMo: 0 },
  );
  assert.equal(seen.nodeId, "p");
  assert.equal(seen.executionId, "exec-1");
  assert.deepEqual(seen.variables, { user: "u" });
  assert.equal(seen.input, "overridden?", "a parameter named like a context key wins");
  assert.equal(seen.custom, 1);
  assert.equal(seen.parentContext.nodeId, "g");
  assert.deepEqual(seen.parentContext.input, { default: 3 });
  assert.ok(seen.signal instanceof AbortSignal);
  assert.equal(seen.signal.aborted, false);
});

test("a throwing executor fails the run with its message and is not retried", async () => {
  let calls = 0;
  const conductor = conductorWith({
    bad: {
      execute: () => {
        calls++;
        throw new Error("Execution failed");
      },
    },
  });
  const result = await conductor.node.run({ id: "x", type: "bad", parameters: { retries: 3 } });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "EXECUTION_FAILED");
  assert.equal(result.error.message, "Execution failed");
  assert.equal(result.error.nodeId, "x");
  assert.ok(result.error.stack?.includes("Execution failed"));
  assert.equal(calls, 1);
  const rejecting = conductorWith({ bad: { execute: () => Promise.reject("String error") } });
  assert.equal((await rejecting.node.run({ id: "y", type: "bad" })).error.message, "String error");
});

test("a thrown retryable code is retried with backoff", async () => {
  let calls = 0;
  const conductor = conductorWith(
    {
      flaky: {
        execute: () => {
          calls++;
          if (calls < 3) throw Object.assign(new Error("busy"), { code: "RATE_LIMIT_EXCEEDED" });
          return "done";
        },
      },
    },
    { retryDelay: 10, maxRetries: 5 },
  );
  const result = await conductor.node.run({ id: "f", type: "flaky", parameters: { retries: 5 } });
  assert.equal(result.success, true, result.error?.message);
  assert.equal(result.data, "done");
  assert.equal(calls, 3);
});

test("a slow executor past its timeout is aborted through its signal", async () => {
  let aborted = false;
  const conductor = conductorWith({
    // Would take an hour: only the node's timeout ends it.
    slow: {
      execute: (p) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve("done"), 3_600_000);
          p.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            aborted = true;
            resolve("late");
          });
        }),
    },
  });
  const result = await conductor.node.run({ id: "s", type: "slow", parameters: { timeout: 100, retries: 0 } });
  assert.equal(result.error.code, "TIMEOUT");
  assert.equal(result.error.message, "Node execution timed out after 100ms");
  await until(() => aborted, undefined, "the executor to see its signal abort");
});

test("executors override built-ins of the same type; built-ins are the fallback", async () => {
  const conductor = conductorWith({ transform: { execute: () => "custom transform" } });
  assert.equal((await conductor.node.run({ id: "t", type: "transform" })).data, "custom transform");
  const plain = conductorWith({});
  const result = await plain.node.run({ id: "t", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x * 3" } });
  assert.deepEqual(result.data.result, [3, 6]);
});

test("the factory is asked each atomic type once before a run (never a group's), then once per node it runs", async () => {
  // The engine routes the types the factory provides to JS and the rest to its built-ins, so it
  // asks before the run (COMPATIBILITY.md); the TypeScript engine asked only per node, as each ran.
  const asked = [];
  const double = { execute: (p) => (p.input.default ?? 1) * 2 };
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: { getNodeExecutable: (type) => (asked.push(type), type === "double" ? double : undefined) },
  });
  const flow = {
    id: "flow",
    type: "group",
    nodes: [
      {
        id: "inner",
        type: "group",
        nodes: [
          { id: "a", type: "double" },
          { id: "b", type: "double" },
        ],
      },
      { id: "t", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x + 1" } },
    ],
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, result.error?.message);
  assert.deepEqual(asked, ["double", "transform", "double", "double"], "each type once before the run, then each custom node as it runs");

  asked.length = 0;
  assert.equal((await conductor.node.validate(flow)).valid, true);
  assert.deepEqual(asked, ["double", "transform"], "validation asks each type once");

  asked.length = 0;
  await conductor.node.run({ id: "empty", type: "group", nodes: [] });
  assert.deepEqual(asked, ["group"], "a group without children is an atomic node: its type is asked");
});

test("many concurrent executor calls are batched and all answered", async () => {
  let inFlight = 0;
  let peak = 0;
  const conductor = conductorWith(
    {
      io: {
        execute: async (p) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await sleep(10);
          inFlight--;
          return p.nodeId;
        },
      },
    },
    { concurrency: 8 },
  );
  const flow = { id: "fan", type: "group", nodes: Array.from({ length: 64 }, (_, i) => ({ id: `n${i}`, type: "io" })) };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true);
  assert.equal(result.data, "n63");
  assert.equal(peak, 8, "the concurrency limit applies to JS executors too");
});

test("an executor's value stays the very object between JS nodes; a built-in that cannot read it fails clearly", async () => {
  let made;
  const conductor = conductorWith({
    cyclic: {
      execute: () => {
        made = { n: 1 };
        made.self = made;
        return made;
      },
    },
    same: { execute: (p) => p.input.default },
  });
  const chain = {
    id: "g",
    type: "group",
    nodes: [
      { id: "c", type: "cyclic" },
      { id: "s", type: "same" },
    ],
    edges: [{ id: "e", source: "c", target: "s" }],
  };
  const passed = await conductor.node.run(chain);
  assert.equal(passed.success, true, passed.error?.message);
  assert.equal(passed.data, made, "the same object, cycle and all");
  const intoBuiltin = {
    id: "g",
    type: "group",
    nodes: [
      { id: "c", type: "cyclic" },
      { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
    ],
    edges: [{ id: "e", source: "c", target: "t", targetHandle: "data" }],
  };
  const refused = await conductor.node.run(intoBuiltin);
  assert.equal(refused.error.code, "SERIALIZATION_FAILED");
  assert.match(refused.error.message, /circular reference at \[0\]\.self/);
  assert.equal(refused.error.nodeId, "t");
});
