// Properties at the package's JavaScript boundary, with fast-check: arbitrary flows, run
// options and values — well-formed, malformed, hostile (BigInt, cycles, holes, getters that
// throw, deep nesting) — into `node.validate`, `node.run`, storage and the YAML formatter always
// give a result or an error carrying a known code. Never a throw without a code, never a crash,
// never a run that does not resolve. Seeded: a failure prints its seed and the shrunk input.
//
// Node types with effects (shell, files, HTTP) are left out on purpose: arbitrary parameters
// must not run commands or touch the disk; the server's properties cover refusing them.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createConductor, ErrorCode } from "@atomiton/conductor";

const CODES = new Set(Object.values(ErrorCode));
const SEED = Number(process.env.PROPERTY_SEED ?? 20261122);
/** A run that has not resolved by then hangs (the work in any of these is microseconds). */
const HANG_MS = 60_000;

/** Any JS value, including what JSON cannot say. */
const anyValue = fc.anything({
  maxDepth: 4,
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
  withBoxedValues: true,
  withNullPrototype: true,
  withObjectString: true,
});

/** Values made to break careless code: cycles, throwing getters, huge nesting, symbols, functions. */
const hostileValue = fc.constantFrom("cycle", "getter", "deep", "symbol", "function", "proxy", "lone", "hugeSparse").map((kind) => {
  switch (kind) {
    case "cycle": {
      const o = { a: 1 };
      o.self = o;
      return o;
    }
    case "getter":
      return Object.defineProperty({}, "boom", {
        enumerable: true,
        get() {
          throw new Error("getter");
        },
      });
    case "deep": {
      let v = {};
      for (let i = 0; i < 50_000; i++) v = { v };
      return v;
    }
    case "symbol":
      return Symbol("s");
    case "function":
      return () => 1;
    case "proxy":
      return new Proxy(
        {},
        {
          ownKeys() {
            throw new Error("ownKeys");
          },
        },
      );
    case "lone":
      return "\ud800x";
    default: {
      const a = [];
      a[1e6] = 1;
      return a;
    }
  }
});

const value = fc.oneof({ weight: 4, arbitrary: anyValue }, { weight: 1, arbitrary: hostileValue });

/** Expressions: mostly plausible, sometimes anything. */
const expression = fc.oneof(
  fc.constantFrom(
    "x => x",
    "x => x * 2",
    "x => x.a.b",
    "item => item",
    "(acc, item) => acc + item",
    "x => [...x]",
    "x => 'a'.repeat(1e9)",
    "x => { return x }",
    "iteration < 3",
    "x => JSON.parse(x)",
  ),
  fc.string({ maxLength: 40 }),
  value,
);

const PURE_TYPES = ["transform", "loop", "parallel", "edit-fields", "group", "spreadsheet", "image", "nope", ""];

/** A node: a known pure type (or an unknown one) with parameters of any shape. */
const node = fc.record(
  {
    id: fc.oneof(fc.constantFrom("a", "b", "c", "d"), fc.string({ maxLength: 8 }), value),
    type: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PURE_TYPES) }, { weight: 1, arbitrary: value }),
    parameters: fc.oneof(
      fc.record(
        {
          operation: fc.constantFrom("map", "filter", "reduce", "sort", "group", "flatten", "unique", "nope"),
          transformFunction: expression,
          data: value,
          loopType: fc.constantFrom("times", "while", "forEach"),
          condition: expression,
          count: value,
          maxIterations: value,
          processFunction: expression,
          operations: value,
          values: value,
          timeout: value,
          retries: value,
        },
        { requiredKeys: [] },
      ),
      value,
    ),
  },
  { requiredKeys: ["id"] },
);

/** A flow: a group of nodes with edges between any ids, or an arbitrary value where a flow goes. */
const flow = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        id: fc.string({ maxLength: 8 }),
        type: fc.constant("group"),
        nodes: fc.array(node, { maxLength: 5 }),
        edges: fc.array(
          fc.record({
            id: fc.string({ maxLength: 4 }),
            source: fc.constantFrom("a", "b", "c", "d", "x"),
            target: fc.constantFrom("a", "b", "c", "d", "x"),
            targetHandle: fc.option(fc.constantFrom("data", "array", "operations")),
          }),
          { maxLength: 6 },
        ),
      },
      { requiredKeys: ["id", "type", "nodes"] },
    ),
  },
  { weight: 2, arbitrary: node },
  { weight: 1, arbitrary: value },
);

/** Run options: the documented ones with values of any shape. */
const options = fc.oneof(
  fc.record(
    {
      input: value,
      variables: value,
      timeout: fc.oneof(fc.constantFrom(1, 50, 1000, -1, 0, Number.NaN, Infinity), value),
      executionId: fc.oneof(fc.string({ maxLength: 8 }), value),
      trace: fc.boolean(),
      aborted: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  value,
);

/** Resolves with what `call` gave, or the error it threw, which must carry a known code. */
async function settled(what, call) {
  let timer;
  const hang = new Promise(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${HANG_MS} ms`)), HANG_MS)),
  );
  try {
    return { value: await Promise.race([Promise.resolve().then(call), hang]) };
  } catch (error) {
    assert.ok(
      CODES.has(error?.code),
      `${what} threw without a known code: ${error?.constructor?.name}: ${String(error?.message).slice(0, 300)}`,
    );
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

/** Options as `node.run` takes them: `aborted` becomes an AbortSignal that is already aborted. */
function runOptions(o) {
  if (typeof o !== "object" || o === null || !("aborted" in o)) return o;
  const { aborted, ...rest } = o;
  if (!aborted) return rest;
  const controller = new AbortController();
  controller.abort();
  return { ...rest, signal: controller.signal };
}

const conductor = createConductor({ storage: { type: "memory" }, limits: { expressionSteps: 100_000 } });

test("node.validate: any flow gives a report or a coded error", { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(flow, async (f) => {
      const { value: report } = await settled("validate", () => conductor.node.validate(f));
      if (report !== undefined) assert.equal(typeof report.valid, "boolean");
    }),
    { numRuns: 300, seed: SEED },
  );
});

test("node.run: any flow with any options resolves to a result, with a known code when it failed", { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(flow, options, async (f, o) => {
      const { value: result } = await settled("run", () => conductor.node.run(f, runOptions(o)));
      if (result === undefined) return;
      assert.equal(typeof result.success, "boolean");
      if (!result.success)
        assert.ok(CODES.has(result.error?.code), `run failed without a known code: ${JSON.stringify(result.error)?.slice(0, 300)}`);
    }),
    { numRuns: 300, seed: SEED },
  );
  // The engine carries on.
  const next = await conductor.node.run({
    id: "t",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => x + 1", data: [1] },
  });
  assert.deepEqual(next.data.result, [2]);
});

test("storage and the YAML formatter: any flow is saved, read back and written, or refused with a code", { timeout: 600_000 }, async () => {
  await fc.assert(
    fc.asyncProperty(flow, fc.oneof(fc.string({ maxLength: 12 }), value), async (f, id) => {
      const saved = await settled("saveFlow", () => conductor.storage.saveFlow(f));
      if (saved.value?.id !== undefined) {
        const loaded = await settled("loadFlow", () => conductor.storage.loadFlow(saved.value.id));
        if (loaded.value !== undefined) assert.equal(loaded.value.id, saved.value.id);
        await settled("deleteFlow", () => conductor.storage.deleteFlow(saved.value.id));
      }
      await settled("loadFlow(any id)", () => conductor.storage.loadFlow(id));
      await settled("listFlows", () => conductor.storage.listFlows(typeof f === "object" && f !== null ? f : undefined));
      const yaml = await settled("toYaml", () => conductor.formats.toYaml(f));
      if (typeof yaml.value === "string") await settled("parseFlow", () => conductor.formats.parseFlow(yaml.value));
      if (typeof id === "string") await settled("parseFlow(any text)", () => conductor.formats.parseFlow(id));
    }),
    { numRuns: 300, seed: SEED },
  );
});
