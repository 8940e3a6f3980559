// Inputs that used to take the host down, hang a run, or escape without an error code: each
// now gives a result or an error with a code, and the process carries on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor, ErrorCode } from "@atomiton/conductor";
import { sleep } from "../test-support/helpers.mjs";

const memory = () => createConductor({ storage: { type: "memory" } });

/** Every code the package may put on an error. */
const CODES = new Set(Object.values(ErrorCode));

/** Resolves to the value, or to the thrown error, which must carry a known code. */
async function settled(call) {
  try {
    return { value: await call() };
  } catch (error) {
    assert.ok(CODES.has(error?.code), `thrown without an error code: ${error?.constructor?.name}: ${error?.message?.slice(0, 200)}`);
    return { error };
  }
}

test("a flow of 300,000 nodes in one cycle is refused with CIRCULAR_DEPENDENCY (it overflowed the stack and killed the process)", async () => {
  const n = 300_000;
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: "transform" }));
  const edges = Array.from({ length: n }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${(i + 1) % n}` }));
  const flow = { id: "ring", type: "group", nodes, edges };
  const conductor = memory();
  const report = await conductor.node.validate(flow);
  assert.equal(report.valid, false);
  assert.equal(report.issues[0].code, "CIRCULAR_DEPENDENCY");
  assert.match(report.errors[0], /^Cycle detected in node graph: n0 → n1 → n2 → .* → n299999 → n0$/);
  const result = await conductor.node.run(flow);
  assert.equal(result.error.code, "CIRCULAR_DEPENDENCY");
});

test("a flow over limits.maxFlowBytes is refused with a coded error before it is read, on run and validate; the default bounds the CLI's parseFlow", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, limits: { maxFlowBytes: 100_000 } });
  const big = { id: "big", type: "group", nodes: [{ id: "t", type: "transform", parameters: { data: ["x".repeat(200_000)] } }] };
  const result = await conductor.node.run(big);
  assert.equal(result.success, false);
  assert.equal(result.error.code, "VALIDATION_FAILED");
  assert.match(result.error.message, /^The flow is \d+ bytes, over the conductor's limit of 100000 \(limits\.maxFlowBytes raises it/);
  await assert.rejects(conductor.node.validate(big), (e) => e.code === "VALIDATION_FAILED" && /limits\.maxFlowBytes/.test(e.message));
  // Under the limit, the same conductor runs flows.
  const small = await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1, 2] } });
  assert.equal(small.success, true, small.error?.message);
  // The default (64 MiB) bounds what parseFlow reads.
  const { parseFlow } = await import("@atomiton/conductor");
  const huge = `id: f\nnodes: []\nnote: "${"x".repeat(65 * 1024 * 1024)}"\n`;
  assert.throws(
    () => parseFlow(huge),
    (e) => e.code === "VALIDATION_FAILED" && /limits\.maxFlowBytes/.test(e.message),
  );
});

test("a JS executor returning a string with a lone surrogate: the run resolves, built-ins take the value or fail with a code", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: { getNodeExecutable: (type) => (type === "lone" ? { execute: (p) => p.value } : undefined) },
  });
  const alone = await conductor.node.run({ id: "a", type: "lone", parameters: { value: "\ud800x" } });
  assert.equal(alone.data, "\ud800x");
  const through = (value, node) =>
    conductor.node.run({
      id: "g",
      type: "group",
      nodes: [
        { id: "a", type: "lone", parameters: { value } },
        { id: "b", ...node },
      ],
      edges: [{ id: "e", source: "a", target: "b", targetHandle: "data" }],
    });
  const kept = await through(["\ud800x"], { type: "transform", parameters: { operation: "map", transformFunction: "x => x" } });
  assert.deepEqual(kept.data.result, ["\ud800x"]);
  const length = await through(["\ud800x"], { type: "transform", parameters: { operation: "map", transformFunction: "x => x.length" } });
  assert.deepEqual(length.data.result, [2]);
  const joined = await through(["\ud800x"], { type: "transform", parameters: { operation: "map", transformFunction: "x => x + '!'" } });
  assert.equal(joined.error.code, "EXECUTION_FAILED");
  assert.match(joined.error.message, /lone surrogate/);
  const edited = await through({ s: "\ud800x" }, { type: "edit-fields", parameters: { values: { copy: "{{ s }}" } } });
  assert.equal(edited.success, true, JSON.stringify(edited.error));
  assert.equal(edited.data.result.copy, "\ufffdx");
});

test("a 450-byte YAML alias bomb is refused before it expands", () => {
  let yaml = "a: &a [x, x, x, x, x, x, x, x, x]\n";
  let previous = "a";
  for (const name of "bcdefghij") {
    yaml += `${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]\n`;
    previous = name;
  }
  assert.ok(yaml.length < 500);
  const conductor = memory();
  assert.throws(
    () => conductor.formats.parseFlow(yaml),
    (error) => {
      assert.equal(error.code, "DESERIALIZATION_FAILED");
      const allowed = Number(/more than (\d+) values/.exec(error.message)?.[1]);
      assert.ok(allowed < 20_000, error.message);
      return true;
    },
  );
});

test("transform output is bounded per node: huge strings or array literals over many items fail with a code", async () => {
  const conductor = memory();
  const items = (n) => Array.from({ length: n }, (_, i) => i);
  const strings = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => 'a'.repeat(2 ** 24)", data: items(20) },
  });
  // Over the output bound: a memory limit, whose message names the option that raises it.
  assert.equal(strings.error.code, "MEMORY_LIMIT_EXCEEDED");
  assert.match(
    strings.error.message,
    /^\[transform\] map failed at item \d+: BudgetError: Output exceeds the node's output limit of 134217728 bytes \(limits\.maxOutputBytes raises it\)$/,
  );
  const literal = `x => [${items(10_000).join(",")}]`;
  const arrays = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: literal, data: items(3000) },
  });
  assert.equal(arrays.error.code, "MEMORY_LIMIT_EXCEEDED");
  assert.match(arrays.error.message, /Output exceeds the node's output limit/);
  // One call may not allocate without bound either: a memory budget beside the step budget.
  const many = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => [1, 2, 3, 4, 5].map(() => 'a'.repeat(2 ** 24)).length", data: [0] },
  });
  assert.equal(many.error.code, "EXECUTION_FAILED");
  assert.match(many.error.message, /memory budget of 67108864 bytes/);
});

test("transform of 'a'.repeat(2 ** 24 - 1) over 33 items fails with a code instead of a napi conversion error, and the conductor carries on", async () => {
  const conductor = memory();
  const result = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => 'a'.repeat(2 ** 24 - 1)", data: Array.from({ length: 33 }, (_, i) => i) },
  });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "MEMORY_LIMIT_EXCEEDED");
  assert.match(result.error.message, /output limit/);
  const next = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2] },
  });
  assert.deepEqual(next.data.result, [2, 4]);
});

test("deeply nested, circular and BigInt-carrying flows give results or coded errors from validate, run, saveFlow and toYaml", async () => {
  const conductor = memory();
  const deepParameters = {};
  for (let i = 0, at = deepParameters; i < 200_000; i++, at = at.x) at.x = {};
  let deepGroups = { id: "leaf", type: "transform" };
  for (let i = 0; i < 20_000; i++) deepGroups = { id: `g${i}`, type: "group", nodes: [deepGroups], edges: [] };
  const circular = { id: "c", type: "group", nodes: [{ id: "a", type: "transform", parameters: {} }] };
  circular.nodes[0].parameters.self = circular;
  const flows = {
    deepParameters: { id: "d", type: "group", nodes: [{ id: "a", type: "transform", parameters: deepParameters }] },
    deepGroups,
    circular,
    bigint: { id: "b", type: "group", nodes: [{ id: "a", type: "transform", parameters: { n: 10n } }] },
  };
  for (const [name, flow] of Object.entries(flows)) {
    const validated = await settled(() => conductor.node.validate(flow));
    if (validated.value) assert.equal(typeof validated.value.valid, "boolean", name);
    const result = await conductor.node.run(flow);
    assert.ok(result.success || CODES.has(result.error.code), `${name}: ${JSON.stringify(result.error)?.slice(0, 200)}`);
    await settled(() => conductor.storage.saveFlow(flow));
    await settled(() => conductor.formats.toYaml(flow));
  }
  // What is refused is refused for a reason worth reading, not a stack overflow.
  const { error } = await settled(() => conductor.formats.toYaml(flows.circular));
  assert.equal(error.code, "SERIALIZATION_FAILED");
  assert.match(error.message, /circular reference at \.nodes\[0\]\.parameters\.self/);
  const saved = await settled(() => conductor.storage.saveFlow({ id: "x", type: "transform" }));
  assert.equal(saved.error.code, "VALIDATION_FAILED");
  // 10,000 groups deep is within the limits: it validates, runs and reads back.
  let nested = { id: "leaf", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } };
  for (let i = 0; i < 10_000; i++) nested = { id: `g${i}`, type: "group", nodes: [nested], edges: [] };
  assert.equal((await conductor.node.validate(nested)).valid, true);
  assert.deepEqual((await conductor.node.run(nested, { input: { data: [41] } })).data.result, [42]);
  assert.equal(conductor.formats.parseFlow(conductor.formats.toYaml(nested)).nodes[0].id, "g9998");
});

test("runs of deeply nested flows reading values JS keeps all resolve (an answer could arrive before its call was registered)", async () => {
  // A flow nested this deep runs on a worker thread; the transform reads its input, which JS
  // keeps, so the engine asks JS for it. About one run in four used to wait forever.
  const conductor = memory();
  let nested = { id: "leaf", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } };
  for (let i = 0; i < 1000; i++) nested = { id: `g${i}`, type: "group", nodes: [nested], edges: [] };
  for (let run = 0; run < 40; run++) {
    const result = await conductor.node.run(nested, { input: { data: [run] } });
    assert.deepEqual(result.data.result, [run + 1]);
  }
});

/** Work that would take hours: 1.7 million steps per item, with a budget of 10^12 steps. */
const HEAVY =
  "x => { const a = [...'abcdefghijklmnopqrstuvwxyz'.repeat(50)]; return a.map(v => a.reduce((s, w) => s + w.length, 0)).length }";

// Runs whose document is over 64 KB are driven off the JS thread (the JS thread is then free to
// deliver an abort); the same stop reaches work wherever it runs (core/tests/stopping.rs covers
// timeouts with the work off the scheduler's thread).
const heavyFlow = () => ({
  id: "t",
  type: "transform",
  description: "x".repeat(1_100_000),
  parameters: { operation: "map", transformFunction: HEAVY, data: Array.from({ length: 300 }, (_, i) => i) },
});

test("an AbortSignal stops a transform whose work would take hours", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, limits: { expressionSteps: 1e12 } });
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  const result = await conductor.node.run(heavyFlow(), { signal: controller.signal });
  assert.equal(result.error.code, "CANCELLED");
});

test("a run timeout and a node timeout stop a transform whose work would take hours (both were ignored until it finished)", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, limits: { expressionSteps: 1e12 } });
  const flow = {
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: HEAVY, data: Array.from({ length: 300 }, (_, i) => i) },
  };
  const run = await conductor.node.run(flow, { timeout: 1000 });
  assert.equal(run.error.code, "TIMEOUT");
  assert.equal(run.error.message, "Execution timed out after 1000ms");
  const node = await conductor.node.run({ ...flow, parameters: { ...flow.parameters, timeout: 500 } });
  assert.equal(node.error.code, "TIMEOUT");
  assert.equal(node.error.message, "Node execution timed out after 500ms");
  // The work stopped: the engine's workers are free for the next run.
  const next = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => x + 1", data: [1] },
  });
  assert.deepEqual(next.data.result, [2]);
});

test("node.cancel stops a transform whose work would take hours, and the engine takes the next run", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, limits: { expressionSteps: 1e12 } });
  const running = conductor.node.run(heavyFlow(), { executionId: "endless" });
  await sleep(200);
  assert.equal(await conductor.node.cancel("endless"), true);
  assert.equal((await running).error.code, "CANCELLED");
  const next = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => x + 1", data: [1] },
  });
  assert.deepEqual(next.data.result, [2]);
});

test("BigInt and cyclic values as a run's input or variables reach built-ins as results or coded errors", async () => {
  const conductor = memory();
  const identity = { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } };
  const big = await conductor.node.run(identity, { input: { data: [1n, 2n] } });
  assert.deepEqual(big.data.result, [1n, 2n]);
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  const refused = await conductor.node.run(identity, { input: { data: [cyclic] } });
  assert.equal(refused.error.code, "SERIALIZATION_FAILED");
  assert.match(refused.error.message, /circular reference/);
  for (const variables of [{ n: 10n }, cyclic]) {
    const result = await conductor.node.run({ ...identity, parameters: { ...identity.parameters, data: [1] } }, { variables });
    assert.deepEqual(result.data.result, [1]);
    assert.equal(result.context.variables, variables);
  }
});

test("deeply nested run inputs and executor answers resolve (past 128 levels every call of the batch waited forever), on native and wasm", async () => {
  const nested = (depth) => JSON.parse("[".repeat(depth) + "]".repeat(depth));
  // The wasm engine reads values JS hands it up to 2,500 levels (its stack holds no more); deeper
  // ones fail the run with a code.
  const inputDepths = { native: [125, 130, 1_000, 20_000], wasm: [125, 130, 1_000] };
  for (const engine of ["native", "wasm"]) {
    const conductor = createConductor({
      storage: { type: "memory" },
      engine,
      nodeExecutorFactory: { getNodeExecutable: (type) => (type === "deep" ? { execute: (p) => nested(p.depth) } : undefined) },
    });
    const flow = { id: "t", type: "transform", parameters: { data: [1] } };
    for (const depth of inputDepths[engine]) {
      const result = await conductor.node.run(flow, { input: { v: nested(depth) }, variables: { w: nested(depth) } });
      assert.equal(result.success, true, `${engine}, input ${depth} deep: ${result.error?.message}`);
    }
    if (engine === "wasm") {
      const tooDeep = await conductor.node.run(flow, { input: { v: nested(5_000) } });
      assert.deepEqual([tooDeep.success, tooDeep.error?.code], [false, "SERIALIZATION_FAILED"]);
      assert.match(tooDeep.error.message, /nested deeper than 2500 levels/);
    }
    for (const depth of [125, 130, 1_000, 20_000, 30_000]) {
      const answered = await conductor.node.run({ id: "d", type: "deep", parameters: { depth } });
      assert.equal(answered.success, true, `${engine}, an answer ${depth} deep: ${answered.error?.message}`);
    }
    const [newest] = (await conductor.executions.list({ limit: 1 })).executions;
    const record = await conductor.executions.get(newest.id);
    const output = record.nodes[0].output;
    assert.equal(record.nodes[0].state, "completed");
    assert.ok(
      output === null || output.$truncated === true,
      `a value too deep to record is a marker (or, kept by JS past the parse limit, null): ${JSON.stringify(output)?.slice(0, 80)}`,
    );
    await conductor.shutdown();
  }
});
