// Arrays of records cross the boundary as tables of columns (the codec's `rows` tag) wherever the
// engine reads them, in both directions, and come back exactly as they went in: every double,
// every string (UTF-16 lengths, a leading BOM), lists, nested records, columns of mixed kinds,
// odd keys. Engines without tables (the browser's default module) get text and answer the same.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createConductor } from "@atomiton/conductor";
import { difference } from "../test-support/same-value.mjs";
import { decodeTable, encodeTable, readTables } from "../dist/values/table.js";
import { readSliced, writeSliced } from "../dist/values/sliced.js";
import { loadNative } from "../dist/engines/native/loader.js";

const require = createRequire(import.meta.url);

/** `n` records of one shape, holding every kind a column can be, and a few a column cannot. */
function records(n) {
  const words = ["", "plain", "é", "日本語", "🦀x", "a\u0000b", "\ufeffbom first", 'quote " and \\ back'];
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      id: i,
      price: i % 7 === 0 ? -0 : i % 11 === 0 ? NaN : i % 13 === 0 ? -Infinity : i / 3,
      name: `${words[i % words.length]} ${i}`,
      active: i % 2 === 0,
      tags: i % 5 === 0 ? [] : ["a", `t${i % 3}`],
      scores: [i, i * 0.5],
      at: { x: i, label: words[(i + 1) % words.length] },
      // Of two shapes, and sometimes null: a text column.
      extra: i % 3 === 0 ? null : i % 3 === 1 ? { kind: "one" } : { other: [1, { deep: true }] },
      ["__proto__"]: "an own key",
    };
  }
  return out;
}

const identity = (data) => ({ id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data } });
const group = (node) => ({ id: "g", type: "group", nodes: [node], edges: [] });

test("a table read back in JavaScript is the records that were written, wherever its bytes sit", () => {
  const expected = records(3000);
  const table = encodeTable(expected, 0, expected.length, {});
  assert.ok(table instanceof Uint8Array, "records of one shape make a table");
  assert.equal(difference(expected, decodeTable(table, {})), null);
  // Views at odd offsets are read by copying, not misread.
  for (const offset of [1, 3, 4]) {
    const shifted = new Uint8Array(table.byteLength + offset);
    shifted.set(table, offset);
    assert.equal(difference(expected, decodeTable(shifted.subarray(offset), {})), null, `offset ${offset}`);
  }
  // Lone surrogates (UTF-8 cannot carry them) make their column text, even when two of them
  // side by side look like a pair once joined; the records still come back exactly.
  const lone = [{ name: "a\ud800" }, { name: "\udc00b" }, { name: "\ud800 lone" }, { name: "🦀 whole" }];
  const loneTable = encodeTable(lone, 0, lone.length, {});
  assert.ok(loneTable instanceof Uint8Array);
  assert.equal(difference(lone, decodeTable(loneTable, {})), null);
  // Not one shape, or not records: no table (the text path writes them).
  assert.equal(encodeTable([{ a: 1 }, { b: 1 }], 0, 2, {}), undefined);
  assert.equal(encodeTable([{ a: 1 }, [1]], 0, 2, {}), undefined);
  assert.equal(encodeTable([{ a: () => 1 }, { a: 2 }], 0, 2, {}), undefined, "a value text refuses: the text path names it");
  // Truncated or corrupted tables are errors, never garbage.
  for (const end of [0, 4, 9, table.byteLength - 1])
    assert.throws(() => decodeTable(table.subarray(0, end), {}), /Malformed table|ends early|more items/);
  assert.throws(() => readTables([7], { buffers: [table] }), /buffer 7, which was not passed/);
});

test("a flow's records are written as tables only inside parameters, and read back whole in pieces", async () => {
  const rows = records(40_000);
  const flow = group(identity(rows));
  const buffers = [];
  const text = await writeSliced(flow, {
    buffers,
    omitUndefined: true,
    buffersAfterText: true,
    tables: (path) => path.includes("parameters"),
  });
  assert.match(text, /"\$atomiton":"rows","i":\[0,1,2,3,4,5,6,7,8,9\]/, "40,000 records are ten tables of up to 4,096");
  assert.equal(buffers.length, 10);
  // A flow of many nodes keeps its `nodes` as text: the engine reads them as typed fields.
  const wide = { id: "w", type: "group", nodes: Array.from({ length: 5000 }, (_, i) => ({ id: `n${i}`, type: "transform" })), edges: [] };
  const wideText = await writeSliced(wide, {
    buffers: [],
    omitUndefined: true,
    buffersAfterText: true,
    tables: (path) => path.includes("parameters"),
  });
  assert.doesNotMatch(wideText, /"rows"/);
  // Read back (as results are): the later tables a turn of the event loop at a time.
  const read = readSliced('{"data":{"$atomiton":"rows","i":[0,1,2,3,4,5,6,7,8,9]}}', undefined, { buffers });
  assert.ok(read instanceof Promise, "several tables are read in pieces");
  assert.equal(difference(rows, (await read).data), null);
});

for (const engine of ["native", "wasm"]) {
  test(`records cross ${engine} both ways as tables and come back unchanged, in the result, the run record and a retry`, async () => {
    const conductor = createConductor({ storage: { type: "memory" }, engine });
    const rows = records(20_000);
    const result = await conductor.node.run(group(identity(rows)), { executionId: `tables-${engine}` });
    assert.equal(result.success, true, result.error?.message);
    assert.equal(difference(rows, result.data.result), null, engine);
    // A map that builds records (the record tier) gives the interpreter's answer.
    const spread = await conductor.node.run(
      group({
        id: "s",
        type: "transform",
        parameters: { operation: "map", transformFunction: "r => ({ ...r, processed: true, half: r.id / 2 })", data: rows },
      }),
    );
    assert.equal(spread.success, true, spread.error?.message);
    assert.equal(
      difference(
        rows.map((r) => ({ ...r, processed: true, half: r.id / 2 })),
        spread.data.result,
      ),
      null,
      `${engine}: spread`,
    );
    const record = await conductor.executions.get(`tables-${engine}`);
    assert.equal(difference(rows, record.flow.nodes[0].parameters.data), null, `${engine}: the recorded flow`);
    const again = await conductor.executions.retry(`tables-${engine}`, { from: "start" });
    assert.equal(difference(rows, again.data.result), null, `${engine}: retried from the record`);
    await conductor.shutdown();
  });
}

test("a custom node type is given every record of an input longer than one of the engine's tables", async () => {
  // The engine writes an array of records as tables of up to 16,384 rows; a call to a custom
  // executor carries them all, and every one must reach it (only the first table did).
  let given;
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (type) => (type === "count" ? { execute: (p) => ((given = p.input.default.result), given.length) } : undefined),
    },
  });
  const n = 40_000;
  const make = {
    id: "make",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => ({ id: x, name: 'n' + x })", data: Array.from({ length: n }, (_, i) => i) },
  };
  const flow = {
    id: "f",
    type: "flow",
    nodes: [make, { id: "count", type: "count", parameters: {} }],
    edges: [{ source: "make", target: "count" }],
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, result.error?.message);
  assert.equal(result.data, n, "the executor counted every record");
  assert.deepEqual(given.at(-1), { id: n - 1, name: `n${n - 1}` });
  assert.ok(
    given.every((record, i) => record.id === i),
    "in order",
  );
});

test("the engine writes tables and reads them, and refuses malformed ones with a clear error", async () => {
  const native = loadNative();
  assert.ok(native.ok);
  const { NativeConductor, readsTables } = native.addon;
  assert.equal(readsTables(), true);
  const session = new NativeConductor(JSON.stringify({ storage: { type: "memory" } }));
  const finished = () =>
    new Promise((resolve) => {
      const poll = () => {
        const done = session.takeCompleted();
        if (done.length > 0) resolve(done[0]);
        else setTimeout(poll, 5);
      };
      session.setNotifier(() => {});
      poll();
    });
  const flow = JSON.stringify(identity(Array.from({ length: 2000 }, (_, i) => ({ id: i, name: `n${i}` }))));
  session.run(1, flow, JSON.stringify({ executionId: "raw" }), []);
  const { result, buffers } = await finished();
  assert.match(result, /"result":\{"\$atomiton":"rows","i":\[0\]\}/, "the result's records come as a table");
  assert.equal(buffers.length, 1);
  // A table cut short: the run fails with a message saying so; the process carries on.
  const cut = buffers[0].subarray(0, buffers[0].byteLength - 3);
  session.run(
    2,
    '{"id":"t","type":"transform","parameters":{"operation":"map","transformFunction":"x => x","data":{"$atomiton":"rows","i":[0]}}}',
    JSON.stringify({ executionId: "cut" }),
    [cut],
  );
  const failed = JSON.parse((await finished()).result);
  assert.equal(failed.success, false);
  assert.match(failed.error.message, /malformed table of records/);
});

test("modules without tables are told apart, and the browser's default module gets text", async () => {
  const base = await import("../dist/engines/wasm/atomiton_conductor_wasm.js");
  const history = await import("../dist/engines/wasm-history/atomiton_conductor_wasm.js");
  const nodeFallback = require("../dist/engines/wasm-node/atomiton_conductor_wasm.cjs");
  assert.equal(nodeFallback.readsTables(), true, "the Node fallback reads tables");
  // The browser modules' functions need their instance: load them as the package does.
  const { loadWasm } = await import("../dist/engines/wasm/load.js");
  assert.equal((await loadWasm(0, "base")).readsTables(), false, "the browser's default module leaves tables out (size budget)");
  assert.equal((await loadWasm(0, "history")).readsTables(), true, "the editor module reads them");
  assert.ok(base && history);
});
