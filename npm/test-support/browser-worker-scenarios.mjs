// Scenarios of worker mode (`createConductor({ worker: true })`) in the test page
// npm/test/browser/worker-page.html, where `mod` makes every conductor in worker mode and
// `window.browserModule` is the entry as it is (in-page conductors, for comparison). Like
// browser-scenarios.mjs, each scenario is sent to the page as source text and must use nothing
// outside its own body; the matching `check*` functions hold the assertions.
import assert from "node:assert/strict";

/**
 * Counts the page's timer ticks (a `setTimeout(0)` chain) while a transform with a costly
 * expression runs over `items` numbers, on a worker-mode conductor or (`inPage`) an in-page one.
 */
export async function ticksDuringHeavyRun(mod, { items, inPage }) {
  const create = inPage ? window.browserModule.createConductor : mod.createConductor;
  const c = create({ storage: { type: "memory" } });
  await c.ready;
  const flow = {
    id: "heavy",
    type: "transform",
    parameters: {
      data: Array.from({ length: items }, (_, i) => i),
      operation: "map",
      transformFunction: 'x => "ab".repeat(2000).split("").reverse().join("").length',
    },
  };
  let ticks = 0;
  let running = true;
  const tick = () => {
    ticks += 1;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const result = await c.node.run(flow);
  running = false;
  return {
    success: result.success,
    error: result.error?.message,
    count: result.data?.result?.length,
    first: result.data?.result?.[0],
    ticks,
  };
}

/** Where JS executors run, the objects they pass each other, and their `signal`. */
export async function executorsInPage(mod) {
  const made = {
    fn: () => 1,
    cls: new (class Point {
      constructor() {
        this.x = 1;
      }
    })(),
    nested: [1, 2],
  };
  const seen = [];
  const factory = {
    getNodeExecutable: (type) =>
      type === "make"
        ? { execute: (params) => (seen.push({ inPage: typeof document === "object", signal: params.signal instanceof AbortSignal }), made) }
        : type === "same"
          ? { execute: (params) => (seen.push({ identical: params.input.default === made }), params.input.default) }
          : undefined,
  };
  const c = mod.createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  const input = { big: new Map([[1n, new Date(0)]]) };
  let inputSeen;
  const echo = mod.createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "echo" ? { execute: (params) => ((inputSeen = params.input.big === input.big), params.input) } : undefined,
    },
  });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "m", type: "make" },
      { id: "s", type: "same" },
    ],
    edges: [{ id: "e", source: "m", target: "s" }],
  };
  const result = await c.node.run(flow);
  const echoed = await echo.node.run({ id: "e", type: "echo" }, { input });
  return {
    success: result.success,
    sameObjectBack: result.data === made,
    seen,
    inputSeen,
    echoedInput: echoed.data === input || echoed.data?.big === input.big,
  };
}

export function checkExecutorsInPage(r) {
  assert.equal(r.success, true);
  assert.deepEqual(
    r.seen,
    [{ inPage: true, signal: true }, { identical: true }],
    "executors run in the page, get a signal and get the very object the previous one returned",
  );
  assert.equal(r.sameObjectBack, true, "functions and class instances never leave the page");
  assert.equal(r.inputSeen, true, "a run's input reaches executors as the very object passed");
  assert.equal(r.echoedInput, true);
}

/**
 * Values cross the page↔worker boundary as they cross into the in-page engine: each value goes
 * through a JS executor chain, a transform `x => x`, a group and a disabled node, on a
 * worker-mode conductor and on an in-page one, compared with `Object.is` at the leaves
 * (test-support/same-value.mjs, imported by the page). `makers` are functions as source text.
 */
export async function valuesAcross(mod, makers) {
  const { difference } = await import("/test-support/same-value.mjs");
  const edge = (source, target, targetHandle) => ({ id: `${source}-${target}`, source, target, ...(targetHandle ? { targetHandle } : {}) });
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
  const found = {};
  for (const [name, source] of Object.entries(makers)) {
    const make = (0, eval)(`(${source})`);
    for (const [mode, create] of [
      ["worker", mod.createConductor],
      ["page", window.browserModule.createConductor],
    ]) {
      const differences = [];
      for (const [pathName, path] of Object.entries(paths)) {
        const value = make();
        const c = create({
          storage: { type: "memory" },
          nodeExecutorFactory: {
            getNodeExecutable: (type) =>
              type === "src"
                ? { execute: () => (path.wrap ? path.wrap(value) : value) }
                : type === "id"
                  ? { execute: (params) => params.input.default }
                  : undefined,
          },
        });
        const result = await c.node.run(path.flow);
        if (!result.success) differences.push(`${pathName}: ${result.error.code} ${result.error.message}`);
        else {
          const diff = difference(value, path.read(result.data));
          if (diff) differences.push(`${pathName}: ${diff}`);
        }
      }
      found[`${mode}: ${name}`] = differences;
    }
  }
  return found;
}

/** The values `valuesAcross` sends through, as source text (they are built in the page). */
export const valueMakers = {
  "a string with a lone surrogate": () => "\ud800x",
  "new Uint8Array([1, 2])": () => new Uint8Array([1, 2]),
  "every typed array": () => [
    new Int16Array([-1, 2]),
    new Float64Array([0.1, -0]),
    new BigInt64Array([-(2n ** 63n)]),
    new Uint8ClampedArray([255]),
    new DataView(new ArrayBuffer(3)),
    new ArrayBuffer(2),
  ],
  "new Date(0) and an invalid date": () => [new Date(0), new Date(NaN)],
  "a Map and a Set": () => [
    new Map([
      [1, "one"],
      ["k", { v: [2] }],
    ]),
    new Set(["a", -0, NaN]),
  ],
  "-0, NaN, ±Infinity": () => [-0, NaN, Infinity, -Infinity],
  "{ a: undefined }": () => ({ a: undefined, b: 1 }),
  "[1, , 3]": () => [1, , 3], // eslint-disable-line no-sparse-arrays
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
  "20,000 random doubles": () =>
    Array.from({ length: 20_000 }, () => {
      const bits = new DataView(new ArrayBuffer(8));
      bits.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      bits.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      const x = bits.getFloat64(0);
      return Number.isFinite(x) ? x : 1.5;
    }),
};

/**
 * A Rust panic in a worker-mode conductor: the same coded failure as in the page, the same
 * conductor runs the next flow (on a fresh worker), and another worker-mode conductor's run in
 * flight is unaffected (each has its own worker).
 */
export async function workerPanic(mod) {
  const c = mod.createConductor({ storage: { type: "memory" } });
  const other = mod.createConductor({ storage: { type: "memory" } });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1, 2] } },
      { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    ],
    edges: [{ id: "e", source: "a", target: "b", targetHandle: "data" }],
  };
  const panicking = { debug: { simulatePanic: { nodeId: "b" } } };
  const summary = (result) => ({
    success: result.success,
    code: result.error?.code,
    message: result.error?.message,
    data: result.data?.result,
    executedNodes: result.executedNodes,
  });
  const before = summary(await c.node.run(flow));
  await other.ready;
  const inFlight = other.node.run(flow, { slowMo: 50 });
  const panic = summary(await c.node.run(flow, panicking));
  const otherInFlight = summary(await inFlight);
  await c.ready;
  const parsed = c.formats.parseFlow('{"id": "p", "type": "transform"}');
  const after = summary(await c.node.run(flow));
  const again = summary(await c.node.run(flow, panicking));
  const afterAgain = summary(await c.node.run(flow, { slowMo: 5 }));
  const inPage = summary(await window.browserModule.createConductor({ storage: { type: "memory" } }).node.run(flow, panicking));
  return { before, panic, otherInFlight, parsed, after, again, afterAgain, inPage };
}

export function checkWorkerPanic(r) {
  assert.deepEqual(r.before, { success: true, code: undefined, message: undefined, data: [2, 3], executedNodes: ["g", "a", "b"] });
  for (const panic of [r.panic, r.again]) {
    assert.equal(panic.success, false);
    assert.equal(panic.code, "INTERNAL_ERROR");
    assert.match(panic.message, /internal error/i);
  }
  assert.deepEqual(r.panic, r.inPage, "the same coded failure as the in-page engine gives");
  assert.deepEqual(r.otherInFlight, r.before, "another conductor's worker is not touched");
  assert.deepEqual(r.parsed, { id: "p", type: "transform" });
  assert.deepEqual(
    [r.after, r.afterAgain],
    [r.before, r.before],
    "the same conductor runs the next flow (timers included) on a fresh worker",
  );
}

/**
 * Storage from a worker-mode conductor: the origin's IndexedDB, shared with in-page conductors;
 * `onFlowSaved` fires in the page.
 */
export async function workerStorage(mod) {
  const c = mod.createConductor();
  const announced = new Promise((resolve) => c.storage.onFlowSaved((event) => event.id === "worker-flow" && resolve(event)));
  const flow = {
    id: "worker-flow",
    name: "Saved from a worker",
    type: "group",
    nodes: [{ id: "a", type: "transform", parameters: { data: [1, 2, 3] }, custom: { kept: true } }],
    edges: [],
  };
  const saved = await c.storage.saveFlow(flow);
  const event = await announced;
  const listed = (await c.storage.listFlows()).flows.map((f) => f.id);
  const loaded = await c.storage.loadFlow("worker-flow");
  const seenInPage = await window.browserModule.createConductor().storage.loadFlow("worker-flow");
  const run = await c.node.run(loaded);
  await c.storage.deleteFlow("worker-flow");
  let afterDelete;
  try {
    await c.storage.loadFlow("worker-flow");
  } catch (error) {
    afterDelete = error.message;
  }
  const memory = mod.createConductor({ storage: { type: "memory" } });
  await memory.storage.saveFlow({ ...flow, id: "memory-flow" });
  const memoryListed = (await memory.storage.listFlows()).flows.map((f) => f.id);
  const memoryNotInDb = (await c.storage.listFlows()).flows.map((f) => f.id);
  return {
    saved: { version: saved.version, savedAt: saved.savedAt },
    event: { id: event.id, name: event.name },
    listed,
    loaded,
    seenInPage,
    run: { success: run.success, data: run.data?.result },
    afterDelete,
    memoryListed,
    memoryNotInDb,
  };
}

export function checkWorkerStorage(r) {
  assert.equal(r.saved.version, "1.0.0");
  assert.deepEqual(r.event, { id: "worker-flow", name: "Saved from a worker" });
  assert.ok(r.listed.includes("worker-flow"), r.listed.join(", "));
  assert.equal(r.loaded.savedAt, r.saved.savedAt);
  assert.deepEqual(r.loaded.nodes[0].custom, { kept: true }, "unknown fields survive the round trip");
  assert.deepEqual(r.seenInPage, r.loaded, "an in-page conductor reads the same IndexedDB");
  assert.deepEqual(r.run, { success: true, data: [1, 2, 3] });
  assert.match(r.afterDelete, /Flow with id worker-flow not found/);
  assert.deepEqual(r.memoryListed, ["memory-flow"]);
  assert.ok(!r.memoryNotInDb.includes("memory-flow"), "memory storage stays in its worker");
}
