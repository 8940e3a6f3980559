#!/usr/bin/env node
// What a for-each costs per item: a 1,000-item for-each whose body is a 3-node chain of pure
// nodes, against the same work as one flat chain of 3,000 nodes (the body's three nodes written
// out once per item), turn about in one process; the median per item of each and their ratio
// (budget: the for-each at most 2× the flat chain per item). Both on the native engine,
// history off, then with history on (every item's nodes recorded). A program, not a test: it
// prints numbers and never fails.
//
// `--rows N` measures instead a generated CSV of N employees read by a spreadsheet into a
// for-each whose body counts each batch of 10,000 rows over 80,000: its time and peak memory,
// streamed (the for-each takes the rows as they come) and node by node (`streamBatchRows: 0`),
// each in a process of its own.
//
//   node npm/bench/for-each.mjs               (after scripts/build-npm.sh)
//   node npm/bench/for-each.mjs --items 1000 --rounds 15
//   node npm/bench/for-each.mjs --rows 1000000
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { employeesCsv } from "./employees.mjs";
import { paired } from "./lib.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const items = arg("items", 1000);
const rounds = arg("rounds", 15);
const rows = arg("rows", 0);
const child = process.argv.includes("--child");

if (child) {
  // One run of the rows flow in this process: its time, count and peak RSS as JSON.
  const conductor = createConductor({ history: false, streamBatchRows: arg("batch-rows", 4096) });
  const flow = {
    id: "rows",
    type: "group",
    version: "2",
    nodes: [
      { id: "read", type: "spreadsheet", parameters: { path: process.argv[process.argv.indexOf("--file") + 1] } },
      {
        id: "each",
        type: "for-each",
        parameters: { batchSize: 10000 },
        nodes: [
          { id: "high", type: "transform", parameters: { operation: "filter", transformFunction: "r => Number(r.salary) > 80000" } },
          { id: "count", type: "transform", parameters: { operation: "reduce", transformFunction: "(n, r) => n + 1", reduceInitial: "0" } },
        ],
        edges: [{ id: "e", source: "high", target: "count" }],
      },
    ],
    edges: [{ id: "e1", source: "read", target: "each" }],
  };
  const started = performance.now();
  const result = await conductor.node.run(flow);
  const ms = performance.now() - started;
  await conductor.shutdown();
  const counted = result.success ? result.data.reduce((sum, batch) => sum + batch.result, 0) : result.error.message;
  console.log(JSON.stringify({ ms, counted, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

if (rows > 0) {
  const file = await employeesCsv(rows);
  for (const [label, batchRows] of [
    ["streamed", 4096],
    ["node by node", 0],
  ]) {
    const script = fileURLToPath(import.meta.url);
    const args = [script, "--child", "--file", file, "--batch-rows", String(batchRows)];
    const ran = spawnSync(process.execPath, args, { encoding: "utf8" });
    const out = JSON.parse(ran.stdout.trim().split("\n").pop() ?? "{}");
    console.log(
      `${rows.toLocaleString("en")} rows through a for-each, ${label}: ${(out.ms / 1000).toFixed(2)} s, peak RSS ${Math.round(out.maxRssMb)} MB (rows over 80,000: ${out.counted})`,
    );
  }
  process.exit(0);
}

/** The body's three nodes, reading `item` and passing a number along. */
const body = (prefix = "") => [
  { id: `${prefix}a`, type: "if", parameters: { condition: "item => item >= 0" } },
  { id: `${prefix}b`, type: "edit-fields", parameters: { values: { n: 1 }, keepOnlySet: true } },
  { id: `${prefix}c`, type: "merge", parameters: { mode: "append" } },
];
const bodyEdges = (prefix = "") => [
  { id: `${prefix}e1`, source: `${prefix}a`, target: `${prefix}b`, sourceHandle: "true" },
  { id: `${prefix}e2`, source: `${prefix}b`, target: `${prefix}c` },
];

const list = Array.from({ length: items }, (_, i) => i);
const looped = {
  id: "looped",
  type: "group",
  nodes: [{ id: "each", type: "for-each", parameters: { items: list }, nodes: body(), edges: bodyEdges() }],
  edges: [],
};
// The same nodes, once per item, one chain after the other.
const flat = { id: "flat", type: "group", nodes: [], edges: [] };
for (let i = 0; i < items; i++) {
  flat.nodes.push(...body(`i${i}`));
  flat.edges.push(...bodyEdges(`i${i}`));
  if (i > 0) flat.edges.push({ id: `link${i}`, source: `i${i - 1}c`, target: `i${i}a` });
}

for (const history of [false, true]) {
  const conductor = createConductor({ storage: { type: "memory" }, history, trace: false });
  const run = (flow) => async () => {
    const result = await conductor.node.run(flow);
    if (!result.success) throw new Error(result.error.message);
  };
  for (let i = 0; i < 3; i++) {
    await run(looped)();
    await run(flat)();
  }
  const { a, b, ratio } = await paired(rounds, run(looped), run(flat));
  const per = (ms) => `${((ms * 1000) / items).toFixed(1).padStart(6)} µs`;
  console.log(
    `history ${history ? "on " : "off"}: for-each ${per(a)} per item, flat chain ${per(b)} per item (3 nodes): ${ratio.toFixed(2)}x (median of ${rounds} rounds)`,
  );
  await conductor.shutdown();
}
