#!/usr/bin/env node
// Benchmarks of the WebAssembly build against its budgets (≤ 5 µs per node; `.wasm`
// ≤ 400 KiB gzipped; instantiation ≤ 50 ms). A program, not a test: it prints medians and never
// fails.
//
//   node npm/bench/wasm-bench.mjs            (after scripts/build-npm.sh; Chromium part needs /usr/bin/chromium)
//
// - size: the .wasm in dist/, raw and gzipped (zlib's default level 6, and level 9);
// - instantiation: WebAssembly compile + instantiate through the glue's init, bytes already in
//   memory, each in a fresh Node process (no code cache, no warm module), median of the
//   processes; and, for scale, a fresh process's `conductor.ready` from importing the package;
// - per-node overhead: chains and fan-outs of trivial `transform` nodes through
//   `conductor.node.run` (trace: false), per node = run time / nodes, median of rounds after a
//   warm-up; the native engine runs the same flows in the same process for a ratio; then the
//   same wasm numbers inside headless Chromium (one page.evaluate loop).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as browserEntry from "@atomiton/conductor/browser";
import * as nativeEntry from "@atomiton/conductor";
import { chainFlow, fanFlow, median, now, report } from "./lib.mjs";

const WASM_DIR = new URL("../dist/engines/wasm/", import.meta.url);
const WASM_FILE = new URL("atomiton_conductor_wasm_bg.wasm", WASM_DIR);
const GLUE_FILE = new URL("atomiton_conductor_wasm.js", WASM_DIR);
const PROCESSES = 9;
const WARMUP = 3;
const ROUNDS = 9;

const trivialChain = (n) => chainFlow(n, "transform", (i) => (i === 0 ? { data: [] } : {}));
const perNodeFlows = () => ({
  "1,000-node chain": trivialChain(1000),
  "10,000-node chain": trivialChain(10_000),
  "1,000-node fan-out": fanFlow(1000, "transform"),
  "10,000-node fan-out": fanFlow(10_000, "transform"),
});

// ----- child process modes --------------------------------------------------------------------

/** In a fresh process: compile + instantiate through the glue's init, in ms. */
async function instantiateOnce() {
  const bytes = readFileSync(WASM_FILE);
  const glue = await import(GLUE_FILE.href);
  const start = now();
  await glue.default({ module_or_path: bytes });
  const instantiated = now() - start;
  const compileStart = now();
  await WebAssembly.compile(bytes);
  console.log(JSON.stringify({ instantiated, compiled: now() - compileStart }));
}

/** In a fresh process: from importing the package's browser entry to `conductor.ready`, in ms. */
async function readyOnce() {
  const start = now();
  const { conductor } = await import("@atomiton/conductor/browser");
  await conductor.ready;
  console.log(JSON.stringify({ ready: now() - start }));
}

function inChildren(mode) {
  const samples = [];
  for (let i = 0; i < PROCESSES; i++) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), mode], { encoding: "utf8" });
    if (child.status !== 0) throw new Error(`${mode} child failed: ${child.stderr}`);
    samples.push(JSON.parse(child.stdout));
  }
  return samples;
}

// ----- the measurements -----------------------------------------------------------------------

/**
 * The budget is 400 KiB gzipped as `gzip -9` compresses it (what scripts/build-wasm.sh checks
 * before it installs a module); zlib, which Node and most web servers use, gives ~1% more.
 */
function size() {
  const bytes = readFileSync(WASM_FILE);
  report(".wasm raw (KiB)", bytes.length / 1024, "KiB");
  const gzip = spawnSync("gzip", ["-9", "-c", fileURLToPath(WASM_FILE)], { maxBuffer: 1 << 26 });
  if (gzip.status === 0) report(".wasm gzip -9 (KiB)", gzip.stdout.length / 1024, "KiB", 350);
  report(".wasm zlib level 9 (KiB)", gzipSync(bytes, { level: 9 }).length / 1024, "KiB");
  report(".wasm zlib level 6 (KiB)", gzipSync(bytes).length / 1024, "KiB");
}

function instantiation() {
  const samples = inChildren("instantiate");
  report(`instantiation: compile + instantiate, Node (ms, ${PROCESSES} processes)`, median(samples.map((s) => s.instantiated)), "ms", 50);
  report("  of which WebAssembly.compile alone, measured after (ms)", median(samples.map((s) => s.compiled)), "ms");
  report("  for scale: import to conductor.ready, fresh process (ms)", median(inChildren("ready").map((s) => s.ready)), "ms");
}

/**
 * Per-node µs of each flow on a fresh conductor of `mod` (the browser entry or the native one):
 * `[end to end, result.duration / nodes]`. Self-contained: it also runs inside the Chromium page
 * as source text (test-support/browser-page.mjs `inPage`).
 */
async function perNodeLoop(mod, { flows, warmup, rounds }) {
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const conductor = mod.createConductor({ storage: { type: "memory" }, trace: false });
  const out = {};
  for (const [name, flow] of Object.entries(flows)) {
    // Warm up until the engine's code has tiered up (V8 compiles wasm with a baseline compiler
    // first): at least `warmup` runs and half a second.
    const warmStart = performance.now();
    for (let i = 0; i < warmup || performance.now() - warmStart < 500; i++) await conductor.node.run(flow);
    const total = [];
    const engine = [];
    for (let i = 0; i < rounds; i++) {
      const start = performance.now();
      const result = await conductor.node.run(flow);
      total.push(performance.now() - start);
      if (!result.success) throw new Error(`${name}: ${result.error?.message}`);
      engine.push(result.duration);
    }
    out[name] = [(median(total) / flow.nodes.length) * 1000, (median(engine) / flow.nodes.length) * 1000];
  }
  return out;
}

async function perNodeInNode() {
  const flows = perNodeFlows();
  const wasm = await perNodeLoop(browserEntry, { flows, warmup: WARMUP, rounds: ROUNDS });
  const native = await perNodeLoop(nativeEntry, { flows, warmup: WARMUP, rounds: ROUNDS });
  for (const name of Object.keys(flows)) {
    report(`wasm in Node, ${name}, per node via node.run (µs)`, wasm[name][0], "µs", 5);
    report(`  result.duration / nodes (µs)`, wasm[name][1], "µs");
    report(`  native, same flow, same process (µs)`, native[name][0], "µs");
    report(`  wasm / native (ratio)`, wasm[name][0] / native[name][0], "x");
  }
}

async function perNodeInChromium() {
  const { chromiumMissing, launchChromium } = await import("../test-support/chromium.mjs");
  if (chromiumMissing) {
    console.log(`Chromium part skipped: ${chromiumMissing}`);
    return;
  }
  const { serveStatic } = await import("../demo/serve.mjs");
  const { inPage, whenModuleReady } = await import("../test-support/browser-page.mjs");
  const server = await serveStatic();
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/test/browser/page.html`);
    await whenModuleReady(page);
    const results = await inPage(page, perNodeLoop, { flows: perNodeFlows(), warmup: WARMUP, rounds: ROUNDS });
    const version = browser.context.browser()?.version() ?? "";
    for (const [name, [total, engine]] of Object.entries(results)) {
      report(`wasm in Chromium ${version.split(".")[0]}, ${name}, per node (µs)`, total, "µs", 5);
      report(`  result.duration / nodes (µs)`, engine, "µs");
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

const mode = process.argv[2];
if (mode === "instantiate") {
  await instantiateOnce();
} else if (mode === "ready") {
  await readyOnce();
} else {
  size();
  instantiation();
  await perNodeInNode();
  await perNodeInChromium();
}
