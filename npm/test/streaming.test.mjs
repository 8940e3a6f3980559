// Streams of rows through the package, on the native addon and on the WebAssembly engine: a CSV
// file read a piece at a time, filtered, mapped and written out as it goes gives the bytes the
// same flow writes node by node (`streamBatchRows: 0`); progress counts rows and bytes; a
// cancelled stream leaves no output file behind; a for-each takes the rows as they come.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor, formatStreamProgress } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";

/** `rows` rows of `id,name,score`, with quotes, commas and non-ASCII text in the names. */
function writeCsv(path, rows) {
  const lines = ["id,name,score"];
  for (let i = 0; i < rows; i++) lines.push(`${i},"Name, ${i} ""é""",${(i * 37) % 101}`);
  writeFileSync(path, `${lines.join("\r\n")}\r\n`);
}

/** sheet(input) → keep (filter) → shape (map) → save (write output as `format`). */
function pipeline(input, output, format, filter = "r => Number(r.score) > 50") {
  const nodes = [
    { id: "sheet", type: "spreadsheet", parameters: { path: input } },
    { id: "keep", type: "transform", parameters: { operation: "filter", transformFunction: filter } },
    {
      id: "shape",
      type: "transform",
      parameters: { operation: "map", transformFunction: "r => ({ id: Number(r.id), name: r.name, score: Number(r.score) })" },
    },
    { id: "save", type: "file-system", parameters: { operation: "write", path: output, format } },
  ];
  const edges = nodes.slice(1).map((node, i) => ({
    id: `e${i}`,
    source: nodes[i].id,
    target: node.id,
    targetHandle: node.id === "save" ? "input" : "data",
  }));
  return { id: "pipeline", type: "group", nodes, edges };
}

for (const engine of ["native", "wasm"]) {
  test(`${engine}: a streamed CSV pipeline writes the bytes of a node-by-node run, in every format`, async (t) => {
    const dir = tempDir(t, `streaming-${engine}`);
    const input = join(dir, "in.csv");
    writeCsv(input, 30_000);
    const streaming = createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows: 500, progressThrottle: 0 });
    const whole = createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows: 0 });
    for (const format of ["json", "jsonl", "csv"]) {
      const events = [];
      const off = streaming.node.onProgress((event) => events.push(event));
      const streamed = await streaming.node.run(pipeline(input, join(dir, `streamed.${format}`), format));
      off?.();
      assert.equal(streamed.success, true, JSON.stringify(streamed.error));
      const plain = await whole.node.run(pipeline(input, join(dir, `whole.${format}`), format));
      assert.equal(plain.success, true, JSON.stringify(plain.error));
      const [a, b] = [readFileSync(join(dir, `streamed.${format}`)), readFileSync(join(dir, `whole.${format}`))];
      assert.ok(a.equals(b), `${format}: ${a.length} vs ${b.length} bytes`);
      assert.equal(streamed.data.size, a.length);
      assert.equal(existsSync(join(dir, `streamed.${format}.partial`)), false);
      const sheet = events.flatMap((event) => event.nodes).filter((node) => node.id === "sheet" && node.rows !== undefined);
      assert.ok(sheet.length > 0, "progress counts the source's rows");
      assert.equal(sheet.at(-1).totalBytes, readFileSync(input).length);
      assert.ok(sheet.every((node) => node.bytes <= node.totalBytes));
    }
    const jsonl = readFileSync(join(dir, "streamed.jsonl"), "utf8").split("\n");
    assert.deepEqual(JSON.parse(jsonl[0]), { id: 2, name: 'Name, 2 "é"', score: 74 });
    const csv = readFileSync(join(dir, "streamed.csv"), "utf8").split("\n");
    assert.equal(csv[0], "id,name,score");
    assert.equal(csv[1], '2,"Name, 2 ""é""",74');
  });

  test(`${engine}: a for-each at the end of a stream runs its body over the rows as they come, as node by node`, async (t) => {
    const dir = tempDir(t, `streaming-for-each-${engine}`);
    const input = join(dir, "in.csv");
    writeCsv(input, 20_000);
    // Version 2: the edges carry the rows themselves; each batch of 1,000 rows is counted.
    const flow = (failAt) => ({
      id: "rows",
      type: "group",
      version: "2",
      nodes: [
        { id: "sheet", type: "spreadsheet", parameters: { path: input } },
        { id: "keep", type: "transform", parameters: { operation: "filter", transformFunction: "r => Number(r.score) > 50" } },
        {
          id: "each",
          type: "for-each",
          parameters: { batchSize: 1000, concurrency: 2 },
          nodes: [
            {
              id: "count",
              type: "transform",
              parameters: {
                operation: "reduce",
                transformFunction: `(n, r) => r.id == '${failAt}' ? r.missing.field : n + 1`,
                reduceInitial: "0",
              },
            },
          ],
          edges: [],
        },
      ],
      edges: [
        { id: "e1", source: "sheet", target: "keep" },
        { id: "e2", source: "keep", target: "each" },
      ],
    });
    const streaming = createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows: 500, progressThrottle: 0 });
    const whole = createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows: 0 });
    t.after(() => Promise.all([streaming.shutdown(), whole.shutdown()]));
    const events = [];
    const off = streaming.node.onProgress((event) => events.push(event));
    const streamed = await streaming.node.run(flow(-1));
    off?.();
    const plain = await whole.node.run(flow(-1));
    assert.equal(streamed.success, true, JSON.stringify(streamed.error));
    assert.deepEqual(streamed.data, plain.data);
    const kept = Array.from({ length: 20_000 }, (_, i) => (i * 37) % 101).filter((score) => score > 50).length;
    assert.equal(streamed.data.length, Math.ceil(kept / 1000));
    assert.equal(
      streamed.data.reduce((sum, batch) => sum + batch.result, 0),
      kept,
    );
    const counted = events.flatMap((event) => event.nodes).filter((node) => node.id === "each" && node.rows > 0);
    assert.ok(counted.length > 0, "progress counts the for-each's rows as its body runs");
    // A row that fails the body fails the for-each as the same item, with the same message.
    const [failedStreamed, failedPlain] = [await streaming.node.run(flow(15002)), await whole.node.run(flow(15002))];
    assert.equal(failedStreamed.success, false);
    assert.equal(failedStreamed.error.message, failedPlain.error.message);
    assert.match(failedStreamed.error.message, /^\[for-each\] item \d+ failed at 'count'/);
    assert.deepEqual(failedStreamed.executedNodes, failedPlain.executedNodes);
  });

  test(`${engine}: a row that fails midway fails its node as a node-by-node run does, and leaves no file`, async (t) => {
    const dir = tempDir(t, `streaming-fail-${engine}`);
    const input = join(dir, "in.csv");
    writeCsv(input, 20_000);
    const filter = "r => r.id == '15000' ? r.missing.field : true";
    const run = (streamBatchRows, output) =>
      createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows }).node.run(
        pipeline(input, output, "jsonl", filter),
      );
    const streamed = await run(300, join(dir, "streamed.jsonl"));
    const plain = await run(0, join(dir, "whole.jsonl"));
    assert.equal(streamed.success, false);
    assert.equal(streamed.error.message, plain.error.message);
    assert.equal(streamed.error.nodeId, "keep");
    await until(() => !existsSync(join(dir, "streamed.jsonl.partial")), 30_000);
    assert.equal(existsSync(join(dir, "streamed.jsonl")), false);
  });
}

test("native: cancelling a stream stops it and removes its partial file", async (t) => {
  const dir = tempDir(t, "streaming-cancel");
  const input = join(dir, "in.csv");
  writeCsv(input, 300_000);
  const output = join(dir, "out.csv");
  const conductor = createConductor({
    engine: "native",
    storage: { type: "memory" },
    history: false,
    streamBatchRows: 64,
    progressThrottle: 0,
  });
  const controller = new AbortController();
  // Once the source has counted rows, the stream is under way.
  conductor.node.onProgress((event) => {
    if (event.nodes.some((node) => node.id === "sheet" && node.rows > 0)) controller.abort();
  });
  const result = await conductor.node.run(pipeline(input, output, "csv", "r => true"), { signal: controller.signal });
  assert.equal(result.success, false);
  assert.equal(controller.signal.aborted, true);
  await until(() => !existsSync(`${output}.partial`), 30_000);
  assert.equal(existsSync(output), false);
});

test("formatStreamProgress groups thousands as toLocaleString('en') does", () => {
  let seed = 7;
  const values = [0, 1, 999, 1000, 9999, 10_000, 999_999, 1_000_000, 40_000_000, 2 ** 31, Number.MAX_SAFE_INTEGER];
  for (let i = 0; i < 500; i++) values.push(Math.floor(((seed = (seed * 48271) % 2147483647) / 2147483647) * 10 ** (i % 16)));
  for (const rows of values) {
    assert.equal(formatStreamProgress({ rows }, 0), `${rows.toLocaleString("en")} rows`);
    // One second in, the rate is the rows a second, rounded and grouped the same way.
    if (rows < 1e12) assert.equal(formatStreamProgress({ rows }, 1000).split(" · ")[1], `${rows.toLocaleString("en")} rows/s`);
  }
});

for (const engine of ["native", "wasm"]) {
  test(`${engine}: limits.maxOutputBytes bounds what a node holds, which a stream never does, and its error says so`, async (t) => {
    const dir = tempDir(t, `streaming-limits-${engine}`);
    const input = join(dir, "in.csv");
    writeCsv(input, 5_000);
    const flow = {
      id: "bounded",
      type: "group",
      nodes: [
        { id: "sheet", type: "spreadsheet", parameters: { path: input } },
        { id: "few", type: "transform", parameters: { operation: "filter", transformFunction: "r => Number(r.id) % 1000 == 0" } },
      ],
      edges: [{ id: "e", source: "sheet", target: "few", targetHandle: "data" }],
    };
    const limits = { maxOutputBytes: 50_000 };
    const run = (streamBatchRows) =>
      createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows, limits }).node.run(flow);
    // Node by node, the spreadsheet holds every record: over the bound, by name.
    const whole = await run(0);
    assert.equal(whole.success, false);
    assert.equal(whole.error.code, "MEMORY_LIMIT_EXCEEDED");
    assert.equal(whole.error.nodeId, "sheet");
    assert.match(
      whole.error.message,
      /^\[spreadsheet\] Output exceeds the node's output limit of 50000 bytes \(limits\.maxOutputBytes raises it\)$/,
    );
    // Streamed, each node holds a batch: the same flow goes through.
    const streamed = await run(256);
    assert.equal(streamed.success, true, JSON.stringify(streamed.error));
    assert.deepEqual(
      streamed.data.result.map((row) => row.id),
      ["0", "1000", "2000", "3000", "4000"],
    );
    // Raised, node by node goes through too, with the same rows.
    const raised = await createConductor({
      engine,
      storage: { type: "memory" },
      history: false,
      streamBatchRows: 0,
      limits: { maxOutputBytes: 64_000_000 },
    }).node.run(flow);
    assert.deepEqual(raised.data, streamed.data);
  });
}

// Random tables through random flows, on both engines: every way a CSV file is written (a
// byte-order mark, CRLF or LF, empty lines, quoted fields holding delimiters, quotes and line
// breaks, padding, unicode, numbers in strings, rows shorter or longer than the header) through
// any chain of the nodes that stream and some that end a stream, optionally written out as JSON,
// JSON lines or CSV: streamed in batches of any size, the result (or the error: its code, node
// and message) and the written bytes are the node-by-node run's.
function random(seed) {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (items) => items[Math.floor(next() * items.length)] };
}

const CELLS = ["", "abc", "7", "13", "-2.5", "42", "é ünï", "😀 x", "中文", "a, b", 'say "hi"', "two\nlines", "cr\r\nlf", "  padded "];

function randomCsv(r) {
  const quote = (cell) => (/[",\r\n]/.test(cell) || cell.trim() !== cell || r.next() < 0.2 ? `"${cell.replaceAll('"', '""')}"` : cell);
  const header = r.pick(["n,name,tag", "n,name,name", "n,,tag", "n"]);
  let text = (r.next() < 0.3 ? "\uFEFF" : "") + header;
  const rows = r.int(40);
  for (let i = 0; i < rows; i++) {
    text += r.next() < 0.5 ? "\r\n" : "\n";
    if (r.next() < 0.1) text += "\n";
    const width = r.int(5);
    text += Array.from({ length: width }, () => quote(r.pick(CELLS))).join(",");
  }
  return r.next() < 0.5 ? `${text}\n` : text;
}

const STEPS = [
  () => ({ type: "transform", parameters: { operation: "filter", transformFunction: "r => Number(r.n) > 9" } }),
  () => ({ type: "transform", parameters: { operation: "filter", transformFunction: "r => JSON.stringify(r).length % 3 != 0" } }),
  () => ({ type: "transform", parameters: { operation: "filter", transformFunction: "r => r.n == '13' ? r.x.y : true" } }),
  () => ({ type: "transform", parameters: { operation: "map", transformFunction: "r => ({ n: Number(r.n), name: r.name })" } }),
  () => ({ type: "transform", parameters: { operation: "map", transformFunction: "r => [r.n, r.name]" } }),
  () => ({ type: "transform", parameters: { operation: "map", transformFunction: "r => r.item ?? r" } }),
  () => ({ type: "transform", parameters: { operation: "sort", sortKey: "n", sortDirection: "desc" } }),
  () => ({ type: "transform", parameters: { operation: "flatten" } }),
  (r) => ({ type: "transform", parameters: { operation: "limit", limitCount: 1 + r.int(20) } }),
  (r) => ({ type: "transform", parameters: { operation: "skip", skipCount: r.int(20) } }),
  (r) => ({ type: "transform", parameters: { operation: "slice", sliceStart: r.int(10), sliceEnd: r.next() < 0.3 ? -2 : r.int(30) } }),
  () => ({ type: "transform", parameters: { operation: "unique" } }),
  () => ({ type: "transform", parameters: { operation: "reverse" } }),
  (r) => ({ type: "edit-fields", parameters: { forEachItem: true, keepOnlySet: r.next() < 0.5, values: { tag: "{{name}}/{{n}}", k: 1 } } }),
  (r) => ({ type: "loop", parameters: r.next() < 0.3 ? { maxIterations: 5 + r.int(30) } : {} }),
];
const PORT = { transform: "data", "edit-fields": "data", loop: "array" };

function randomFlow(r, input, output) {
  const nodes = [{ id: "sheet", type: "spreadsheet", parameters: { path: input } }];
  const count = 1 + r.int(5);
  for (let i = 0; i < count; i++) nodes.push({ id: `s${i}`, ...r.pick(STEPS)(r) });
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id, targetHandle: PORT[node.type] }));
  // A loop's output says how long it took: written whole (JSON), it differs from run to run.
  const format = r.pick(nodes.at(-1).type === "loop" ? [undefined, "jsonl", "csv"] : [undefined, "json", "jsonl", "csv"]);
  if (format) {
    nodes.push({ id: "save", type: "file-system", parameters: { operation: "write", path: output, format } });
    edges.push({ id: "save", source: nodes.at(-2).id, target: "save", targetHandle: "input" });
  }
  return { id: "random", type: "group", nodes, edges };
}

/** A written file's text with its times (a loop's records') made one, or undefined. */
function writtenText(path) {
  return existsSync(path) ? readFileSync(path, "utf8").replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<time>") : undefined;
}

/** What two runs that must agree are compared on; timestamps and durations left out. */
function outcome(result) {
  const plain = JSON.parse(
    JSON.stringify(result.data ?? null, (key, value) => (key === "timestamp" || key === "duration" ? undefined : value)),
  );
  return {
    success: result.success,
    data: plain,
    error: result.error && { code: result.error.code, message: result.error.message, nodeId: result.error.nodeId },
  };
}

for (const engine of ["native", "wasm"]) {
  test(`${engine}: random flows over random tables give the node-by-node run's result and bytes, streamed in batches of any size`, async (t) => {
    const dir = tempDir(t, `streaming-random-${engine}`);
    const whole = createConductor({ engine, storage: { type: "memory" }, history: false, streamBatchRows: 0 });
    const r = random(engine === "native" ? 20261125 : 1125);
    let streamedRuns = 0;
    for (let round = 0; round < 200; round++) {
      const input = join(dir, `in-${round}.csv`);
      writeFileSync(input, randomCsv(r));
      const flow = randomFlow(r, input, join(dir, `out-${round}`));
      const batch = 1 + r.int(8);
      const streaming = createConductor({
        engine,
        storage: { type: "memory" },
        history: false,
        streamBatchRows: batch,
        progressThrottle: 0,
      });
      let counted = false;
      streaming.node.onProgress((event) => {
        counted ||= event.nodes.some((node) => node.rows !== undefined);
      });
      const streamed = await streaming.node.run(flow);
      const written = writtenText(join(dir, `out-${round}`));
      const plain = await whole.node.run(flow);
      const again = writtenText(join(dir, `out-${round}`));
      const context = `round ${round}, batches of ${batch}: ${JSON.stringify(flow.nodes.map((n) => [n.type, n.parameters]))}`;
      assert.deepEqual(outcome(streamed), outcome(plain), context);
      assert.deepEqual(written, again, `${context}: the same bytes`);
      if (counted) streamedRuns++;
    }
    // Most of these flows stream (a chain of at least two nodes from the source on).
    assert.ok(streamedRuns > 100, `${streamedRuns} of 200 runs streamed`);
  });
}
