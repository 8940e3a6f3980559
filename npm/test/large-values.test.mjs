// Large values cross the native engine in pieces (the event loop runs between them): a flow
// carrying large arrays is written a slice at a time, values a built-in reads are written out
// the same way, and a result's large arrays arrive as slices read a few at a time. Whatever
// the route, values come back unchanged.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { difference } from "../test-support/same-value.mjs";
import { decodeValue } from "../dist/values/codec.js";
import { readSliced, writeSliced } from "../dist/values/sliced.js";

/**
 * Every kind of value the codec tags, and plain ones, repeated to `n` items; with `holes`, some
 * slots left empty (kept out of what a transform maps: its callback runs on holes).
 */
function mixed(n, holes = false) {
  const kinds = [
    () => undefined,
    () => -0,
    () => NaN,
    () => 12345678901234567890n,
    () => new Date(86_400_000),
    () => Buffer.from([0, 1, 2, 255]),
    () => new Uint8Array([9, 8, 7]),
    () => "\ud800 lone",
    () => new Map([["k", { deep: [1, undefined] }]]),
    () => new Set([1, "two"]),
    () => ({ $atomiton: "looks like a tag", ["__proto__"]: "an own key" }),
    () => ({ id: 1, name: "plain", nested: { list: [1, 2, 3] } }),
    () => 0.1 + 0.2,
    () => "plain text",
  ];
  const out = new Array(n);
  for (let i = 0; i < n; i++) if (!holes || i % 97 !== 13) out[i] = kinds[i % kinds.length]();
  return out;
}

const identity = (data) => ({ id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data } });

test("a flow carrying large arrays, and a result made of them, cross unchanged", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const data = mixed(30_000);
  const result = await conductor.node.run(identity(data));
  assert.equal(result.success, true, result.error?.message);
  assert.equal(difference(data, result.data.result), null);
});

test("large arrays of numbers cross as doubles, every double bit for bit, in the flow, the result and the run record", async () => {
  for (const engine of ["native", "wasm"]) {
    const conductor = createConductor({ storage: { type: "memory" }, engine });
    const numbers = Array.from({ length: 100_000 }, (_, i) =>
      i % 1000 === 1 ? -0 : i % 1000 === 2 ? NaN : i % 1000 === 3 ? -Infinity : i * 0.1,
    );
    const result = await conductor.node.run(
      { id: "g", type: "group", nodes: [identity(numbers)], edges: [] },
      { executionId: `doubles-${engine}` },
    );
    assert.equal(result.success, true, result.error?.message);
    assert.equal(difference(numbers, result.data.result), null, engine);
    // With something else in it, an array stays text (and still crosses unchanged).
    const mixedNumbers = [...numbers.slice(0, 5000), "x"];
    assert.equal(difference(mixedNumbers, (await conductor.node.run(identity(mixedNumbers))).data.result), null, engine);
    // One array reached along two paths (two nodes sharing one parameters object) crosses once.
    const shared = { operation: "map", transformFunction: "x => x", data: numbers };
    const twice = await conductor.node.run({
      id: "g2",
      type: "group",
      nodes: [
        { id: "a", type: "transform", parameters: shared },
        { id: "b", type: "transform", parameters: shared },
      ],
      edges: [],
    });
    assert.equal(twice.success, true, twice.error?.message);
    assert.equal(difference(numbers, twice.data.result), null, `${engine}: shared`);
    // The history keeps the definition whole: its data, and a retry that runs it again.
    const record = await conductor.executions.get(`doubles-${engine}`);
    assert.equal(difference(numbers, record.flow.nodes[0].parameters.data), null, `${engine}: the recorded flow`);
    const again = await conductor.executions.retry(`doubles-${engine}`, { from: "start" });
    assert.equal(difference(numbers, again.data.result), null, `${engine}: retried from the record`);
    await conductor.shutdown();
  }
});

test("large arrays nested in a flow's nodes, and reached along two paths, cross unchanged", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const shared = { rows: mixed(9_000) };
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data: shared.rows } },
      { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data: shared.rows } },
    ],
    edges: [],
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, result.error?.message);
  // A group's output is its last node's: b's copy of the array written once for both.
  assert.equal(difference(shared.rows, result.data.result), null);
});

test("a large value a JS node passes to a built-in is written out in pieces, unchanged", async () => {
  const data = mixed(20_000);
  const conductor = createConductor({
    storage: { type: "memory" },
    trace: false,
    nodeExecutorFactory: { getNodeExecutable: (type) => (type === "src" ? { execute: () => data } : undefined) },
  });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "s", type: "src" },
      { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
    ],
    edges: [{ id: "e", source: "s", target: "t", targetHandle: "data" }],
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, result.error?.message);
  assert.equal(difference(data, result.data.result), null);
});

test("a cyclic value inside a large array is refused with SERIALIZATION_FAILED", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const data = mixed(10_000);
  const loop = { name: "loop" };
  loop.self = loop;
  data[5_000] = loop;
  const result = await conductor.node.run(identity(data));
  assert.equal(result.success, false);
  assert.equal(result.error.code, "SERIALIZATION_FAILED");
});

test("a run cancelled while its large flow is still being written ends cancelled", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, trace: false });
  const data = Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `item ${i}` }));
  const running = conductor.node.run(
    { ...identity(data), parameters: { ...identity(data).parameters, transformFunction: "x => x.id" } },
    { executionId: "cancel-while-writing" },
  );
  // Queued before the writing starts (a microtask after node.run), so it runs at the writing's
  // first turn at the latest: the run is known, its flow not yet handed over.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(await conductor.node.cancel("cancel-while-writing"), true);
  const result = await running;
  assert.equal(result.success, false);
  assert.match(result.error.message, /cancel/i);
});

test("written in pieces and read from slices, holes, binary data and tags come back as they were", async () => {
  const value = { a: { rows: mixed(12_345, true) }, b: [mixed(5_000, true), "small"], c: 1 };
  const written = writeSliced(value, { buffers: [] });
  assert.equal(typeof written, "object", "large arrays are written in pieces");
  assert.equal(difference(value, decodeValue(await written)), null);
  // Slices as the native engine sends them: the array's items split over several texts.
  const rows = value.a.rows;
  const third = Math.ceil(rows.length / 3);
  const slice = async (from, to) => {
    const text = await writeSliced({ x: rows.slice(from, to) }, {});
    return text.slice('{"x":'.length, -1);
  };
  const slices = [[await slice(0, third), await slice(third, 2 * third), await slice(2 * third, rows.length)]];
  const read = await readSliced('{"rows":{"$atomiton":"slices","v":0}}', slices, {});
  assert.equal(difference({ rows }, read), null);
});

test("a large array of doubles a built-in hands a JS executor arrives bit for bit, on both engines", async () => {
  // Its call's text refers to the doubles (`"i": n`), which come beside it (`takeCallBuffers`).
  const numbers = Array.from({ length: 5000 }, (_, i) => (i === 7 ? -0 : i / 7 - 300));
  for (const engine of ["native", "wasm"]) {
    let seen;
    const factory = {
      getNodeExecutable: (type) =>
        type === "check" ? { execute: (params) => ((seen = params.input.default.result), seen.length) } : undefined,
    };
    const conductor = createConductor({ engine, storage: { type: "memory" }, nodeExecutorFactory: factory });
    const flow = {
      id: "g",
      type: "group",
      nodes: [
        { id: "a", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data: numbers } },
        { id: "b", type: "check" },
      ],
      edges: [{ id: "e", source: "a", target: "b" }],
    };
    const result = await conductor.node.run(flow);
    assert.equal(result.success, true, `${engine}: ${result.error?.message}`);
    assert.equal(result.data, numbers.length);
    assert.equal(difference(seen, numbers), null, `${engine}: the executor's input differs`);
    assert.ok(Object.is(seen[7], -0), `${engine}: -0 kept`);
    await conductor.shutdown();
  }
});
