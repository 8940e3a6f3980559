#!/usr/bin/env node
// How responsive the host stays while heavy flows run on the native package: the longest
// event-loop stall during each run, with the 10-node latency measured in the same process.
// A program, not a test: it prints medians and never fails.
//
//   node npm/bench/responsiveness.mjs                       (after scripts/build-npm.sh)
//   node npm/bench/responsiveness.mjs --before <npm dir>    the same, side by side with another
//                                                           build of the package (its dist/)
//   node npm/bench/responsiveness.mjs --rows 40000000 --rounds 1
//                                                           the streamed CSV pipelines over 40M rows
//                                                           (default 1M; files kept in target/bench-data)
//   node npm/bench/responsiveness.mjs --only sort           only the scenarios whose name has "sort"
//
// A stall is the longest gap between two ticks of a 1 ms interval while a run is in flight,
// less the 1 ms the interval asks for: what every other piece of work on that thread (an
// Electron window's IPC, a server's requests) would have waited. Goal: no stall over 20 ms.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { benchData, employeesCsv, pipelineFlow } from "./employees.mjs";
import { chainFlow, measure, median, now } from "./lib.mjs";
import { writePng, writeXlsx } from "../test-support/generated-files.mjs";

const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const ROUNDS = Number(argument("--rounds", "5"));
const PIPELINE_ROWS = Number(argument("--rows", "1000000"));
const ONLY = argument("--only", "");
const dir = mkdtempSync(join(tmpdir(), "atomiton-responsiveness-"));
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** Runs `work`, returning its duration and the longest stall of this thread meanwhile (ms). */
async function stallDuring(work) {
  let last = now();
  let longest = 0;
  const timer = setInterval(() => {
    const t = now();
    longest = Math.max(longest, t - last);
    last = t;
  }, 1);
  const start = now();
  try {
    const result = await work();
    if (!result.success) throw new Error(`run failed: ${result.error?.message}`);
  } finally {
    clearInterval(timer);
  }
  const end = now();
  longest = Math.max(longest, end - last);
  return { ms: end - start, stall: Math.max(0, longest - 1) };
}

async function scenarios() {
  const png = join(dir, "big.png");
  writePng(png, 4000, 3000, (x, y) => [x % 256, y % 256, (x + y) % 256, 255]);
  const csv = await employeesCsv(PIPELINE_ROWS);
  const xlsx = join(dir, "rows.xlsx");
  writeXlsx(xlsx, "Rows", [
    ["id", "name", "score", "city"],
    ...Array.from({ length: 50_000 }, (_, i) => [i, `name ${i}`, i % 97, `city ${i % 13}`]),
  ]);
  return [
    {
      name: "transform: 200k objects, item => ({ ...item, processed: true })",
      flow: {
        id: "objects",
        type: "transform",
        parameters: {
          operation: "map",
          transformFunction: "item => ({ ...item, processed: true })",
          data: Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `item ${i}`, value: i * 1.5 })),
        },
      },
    },
    {
      name: "transform: 20k items, a costly expression",
      flow: {
        id: "costly",
        type: "transform",
        parameters: {
          operation: "map",
          transformFunction: 'x => "ab".repeat(2000).split("").reverse().join("").length',
          data: Array.from({ length: 20_000 }, (_, i) => i),
        },
      },
    },
    {
      name: "image: 4000×3000 PNG resized to 800×600",
      flow: {
        id: "resize",
        type: "image",
        parameters: { operation: "composite", images: [png], output: join(dir, "small.png"), width: 800, height: 600, format: "png" },
      },
    },
    { name: "spreadsheet: 50k-row XLSX read", flow: { id: "sheet", type: "spreadsheet", parameters: { path: xlsx, format: "xlsx" } } },
    // The data-pipeline template streamed, with a progress display as an app shows it.
    ...[false, true].map((sort) => ({
      name: `stream: ${PIPELINE_ROWS.toLocaleString("en")}-row CSV pipeline, ${sort ? "with" : "no"} sort, progress shown`,
      flow: pipelineFlow(csv, join(benchData, `out-responsiveness-${PIPELINE_ROWS}.json`), sort),
      watch: true,
    })),
  ];
}

/**
 * Runs `flow` with a progress line kept up to date as a desktop app's status bar would: every
 * progress event's streamed nodes worded with `formatStreamProgress` (the line is held, not
 * printed, so the figures measure the package, not the terminal).
 */
async function watched(module, conductor, flow) {
  const start = now();
  let line = "";
  const off = conductor.node.onProgress((event) => {
    for (const node of event.nodes) if (node.rows !== undefined) line = `${node.id}: ${module.formatStreamProgress(node, now() - start)}`;
  });
  try {
    const result = await conductor.node.run(flow);
    if (result.success && line === "") throw new Error("no progress event counted rows: the flow did not stream");
    return result;
  } finally {
    off?.();
  }
}

async function loadPackage(npmDir) {
  if (!npmDir) return import("@atomiton/conductor");
  return import(pathToFileURL(join(resolve(npmDir), "dist", "index.js")).href);
}

async function tenNodeMicros(conductor) {
  const flow = chainFlow(10, "transform", (i) => (i === 0 ? { data: [1] } : {}));
  for (let i = 0; i < 300; i++) await conductor.node.run(flow);
  return (
    ((await measure(15, async () => {
      for (let i = 0; i < 200; i++) await conductor.node.run(flow);
    })) /
      200) *
    1000
  );
}

const beforeAt = process.argv.indexOf("--before");
const builds = [{ label: "this build", module: await loadPackage() }];
if (beforeAt > 0) builds.push({ label: "before", module: await loadPackage(process.argv[beforeAt + 1]) });
const conductors = builds.map((b) => ({ ...b, conductor: b.module.createConductor({ storage: { type: "memory" }, trace: false }) }));

const pad = (s, n) => String(s).padStart(n);
console.log(`${"scenario".padEnd(64)}${conductors.map((c) => pad(`${c.label}: run / longest stall`, 36)).join("")}`);
for (const { name, flow, watch } of (await scenarios()).filter((s) => s.name.includes(ONLY))) {
  const cells = [];
  for (const { conductor, module } of conductors) {
    await conductor.node.run(flow); // warm-up
    const samples = [];
    for (let i = 0; i < ROUNDS; i++)
      samples.push(await stallDuring(() => (watch ? watched(module, conductor, flow) : conductor.node.run(flow))));
    const ms = median(samples.map((s) => s.ms));
    const stall = median(samples.map((s) => s.stall));
    cells.push(pad(`${ms.toFixed(0)} ms / ${stall.toFixed(1)} ms`, 36));
  }
  console.log(`${name.padEnd(64)}${cells.join("")}`);
}
const latencies = [];
for (const { conductor } of conductors) latencies.push(await tenNodeMicros(conductor));
console.log(
  `${"10-node transform chain via node.run, trace off (µs per run)".padEnd(64)}${latencies.map((l) => pad(l.toFixed(1), 36)).join("")}`,
);
if (latencies.length === 2) console.log(`  10-node latency, this build / before: ${(latencies[0] / latencies[1]).toFixed(2)}×`);
process.exit(0);
