// Every value crosses the engine unchanged: through chains of JS executors (which get the very
// same objects), through built-in nodes that pass data on (a transform `x => x`, a group, a
// disabled node), on the native engine and on wasm — compared with `Object.is` at the leaves.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { createConductor as createNative } from "@atomiton/conductor";
import { createConductor as createWasm } from "@atomiton/conductor/browser";
import { difference } from "../test-support/same-value.mjs";

/** A conductor whose `src` node returns `produce(params)` and whose `id` node returns its input. */
function conductorFor(create, produce) {
  return create({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "src"
          ? { execute: (params) => produce(params) }
          : type === "id"
            ? { execute: (params) => params.input.default }
            : undefined,
    },
  });
}

const edge = (source, target, targetHandle) => ({ id: `${source}-${target}`, source, target, ...(targetHandle ? { targetHandle } : {}) });

/** The flows a value goes through, and where in each result it comes out. */
const paths = {
  "JS executor → JS executor": {
    flow: {
      id: "g",
      type: "group",
      nodes: [
        { id: "s", type: "src" },
        { id: "i", type: "id" },
      ],
      edges: [edge("s", "i")],
    },
    read: (data) => data,
  },
  "transform x => x": {
    wrap: (value) => [value],
    flow: {
      id: "g",
      type: "group",
      nodes: [
        { id: "s", type: "src" },
        { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
      ],
      edges: [edge("s", "t", "data")],
    },
    read: (data) => data.result[0],
  },
  "a group's output": {
    flow: { id: "g", type: "group", nodes: [{ id: "inner", type: "group", nodes: [{ id: "s", type: "src" }] }] },
    read: (data) => data,
  },
  "a disabled node": {
    flow: {
      id: "g",
      type: "group",
      nodes: [
        { id: "s", type: "src" },
        { id: "off", type: "transform", parameters: { enabled: false } },
      ],
      edges: [edge("s", "off")],
    },
    read: (data) => data.default,
  },
};

/** Runs `value` through every path; returns the differences found. */
async function differences(create, value) {
  const found = [];
  for (const [name, path] of Object.entries(paths)) {
    const conductor = conductorFor(create, () => (path.wrap ? path.wrap(value) : value));
    const result = await conductor.node.run(path.flow);
    if (!result.success) {
      found.push(`${name}: ${result.error.code} ${result.error.message}`);
      continue;
    }
    const diff = difference(value, path.read(result.data));
    if (diff) found.push(`${name}: ${diff}`);
  }
  return found;
}

function holes() {
  const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
  return sparse;
}

const table = {
  "random doubles of every magnitude": () => Array.from({ length: 2000 }, (_, i) => (Math.random() - 0.5) * 10 ** ((i % 600) - 300)),
  "a string with a lone surrogate": () => "\ud800x",
  "Buffer.from('hi')": () => Buffer.from("hi"),
  "new Uint8Array([1, 2])": () => new Uint8Array([1, 2]),
  "every typed array": () => [
    new Int16Array([-1, 2]),
    new Float64Array([0.1, -0]),
    new BigInt64Array([-(2n ** 63n)]),
    new Uint8ClampedArray([255]),
    new DataView(new ArrayBuffer(3)),
    new ArrayBuffer(2),
  ],
  "new Date(0)": () => new Date(0),
  "an invalid date": () => new Date(NaN),
  "a Map and a Set": () => [
    new Map([
      [1, "one"],
      ["k", { v: [2] }],
    ]),
    new Set(["a", -0, NaN]),
  ],
  "-0, NaN, ±Infinity": () => [-0, NaN, Infinity, -Infinity],
  "{ a: undefined }": () => ({ a: undefined, b: 1 }),
  "[1, , 3]": holes,
  "2n ** 70n": () => 2n ** 70n,
  "a RegExp, an Error, boxed primitives": () => [
    /a+/gi,
    Object.assign(new TypeError("bad"), { stack: "at x" }),
    Object(1),
    Object("s"),
    Object(true),
  ],
  "an object whose first key is the codec's tag": () => ({ $atomiton: "date", v: 0 }),
  undefined: () => undefined,
};

for (const [engine, create] of [
  ["native", createNative],
  ["wasm", createWasm],
]) {
  for (const [name, make] of Object.entries(table)) {
    test(`${engine}: ${name} crosses every path unchanged`, async () => {
      assert.deepEqual(await differences(create, make()), []);
    });
  }

  test(`${engine}: 100,000 random doubles come back bit for bit, through JS nodes and a transform`, async () => {
    const doubles = Array.from({ length: 100_000 }, () => {
      const bits = new DataView(new ArrayBuffer(8));
      bits.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      bits.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      const x = bits.getFloat64(0);
      return Number.isFinite(x) ? x : 1.5;
    });
    const conductor = conductorFor(create, () => doubles);
    const viaTransform = await conductor.node.run({
      id: "g",
      type: "group",
      nodes: [
        { id: "s", type: "src" },
        { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
      ],
      edges: [edge("s", "t", "data")],
    });
    assert.equal(viaTransform.success, true, viaTransform.error?.message);
    const changed = viaTransform.data.result.filter((x, i) => !Object.is(x, doubles[i])).length;
    assert.equal(changed, 0, "doubles changed on their way through Rust");
  });

  test(`${engine}: arbitrary values cross every path unchanged (fast-check)`, async () => {
    await fc.assert(
      fc.asyncProperty(anyValue(), async (value) => (await differences(create, value)).length === 0),
      { numRuns: 150, seed: 20261122 },
    );
  });
}

test("JS values passed between JS nodes are the very same objects, and nothing is kept after the run", async () => {
  const made = {
    nested: [1, 2],
    fn: () => 1,
    cls: new (class Point {
      constructor() {
        this.x = 1;
      }
    })(),
  };
  const conductor = conductorFor(createNative, () => made);
  const result = await conductor.node.run(paths["JS executor → JS executor"].flow);
  assert.equal(result.data, made, "identity, functions and class instances included");
});

/** Values built from what structured clone carries (object keys are well-formed strings). */
function anyValue() {
  const loneSurrogates = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 6 });
  const leaf = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(-0, NaN, Infinity, -Infinity, 0.1 + 0.2, 2 ** 53 + 2),
    fc.string({ maxLength: 8 }),
    loneSurrogates,
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.uint8Array({ maxLength: 6 }),
    fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
    fc.float64Array({ maxLength: 3 }),
    fc.int32Array({ maxLength: 3 }),
  );
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      leaf,
      tie("array"),
      tie("sparse"),
      tie("object"),
      tie("map"),
      tie("set"),
    ),
    array: fc.array(tie("value"), { maxLength: 4 }),
    sparse: fc.sparseArray(tie("value"), { maxLength: 5 }),
    // Objects with Object.prototype: a null-prototype object that a built-in reads comes back
    // with it (as structured clone gives it back; documented in COMPATIBILITY.md). Keys may be
    // anything, "__proto__" included.
    object: fc.dictionary(fc.oneof(fc.string({ maxLength: 5 }), fc.constant("__proto__")), tie("value"), {
      maxKeys: 4,
      noNullPrototype: true,
    }),
    map: fc.array(fc.tuple(tie("value"), tie("value")), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    set: fc.array(tie("value"), { maxLength: 3 }).map((items) => new Set(items)),
  }));
  return value;
}
