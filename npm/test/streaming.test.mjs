// Streams of rows through the package, on the native addon and on the WebAssembly engine: a CSV
// file read a piece at a time, filtered, mapped and written out as it goes gives the bytes the
// same flow writes node by node (`streamBatchRows: 0`); progress counts rows and bytes; a
// cancelled stream leaves no output file behind.
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
