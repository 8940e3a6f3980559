#!/usr/bin/env node
// Benchmarks of the native package against its budgets (README "Performance"). A program,
// not a test: it prints medians and never fails.
//
//   node --expose-gc npm/bench/bench.mjs            (after scripts/build-npm.sh)
//
// Each case runs several rounds after a warm-up; the median round is reported, and ratios are
// taken within the same run because these machines are noisy. Memory is measured in a fresh
// child process, so the large arrays of the speed cases do not count against it.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { chainFlow, fanFlow, measure, median, report } from "./lib.mjs";

const tenTransforms = chainFlow(10, "transform", (i) => (i === 0 ? { data: [1] } : {}));

async function speed() {
  // 1. A 10-node flow end to end through conductor.node.run, default config (trace on).
  const conductor = createConductor({ storage: { type: "memory" } });
  const noTrace = createConductor({ storage: { type: "memory" }, trace: false });
  const trivial = { id: "t", type: "transform", parameters: { data: [] } };
  for (let i = 0; i < 500; i++) await conductor.node.run(tenTransforms);
  const tenRound = await measure(15, async () => {
    for (let i = 0; i < 200; i++) await conductor.node.run(tenTransforms);
  });
  report("10-node flow via node.run, end to end (µs per run)", (tenRound / 200) * 1000, "µs", 100);
  report("  same, per node (µs)", (tenRound / 200 / 10) * 1000, "µs");
  const tenNoTrace = await measure(15, async () => {
    for (let i = 0; i < 200; i++) await noTrace.node.run(tenTransforms);
  });
  report("10-node flow, trace: false (µs per run)", (tenNoTrace / 200) * 1000, "µs");
  const single = await measure(15, async () => {
    for (let i = 0; i < 200; i++) await conductor.node.run(trivial);
  });
  report("1-node flow via node.run (µs per run)", (single / 200) * 1000, "µs");

  // 2. JS executor overhead per node: JS executors against built-in nodes of the same shape.
  const js = createConductor({
    storage: { type: "memory" },
    trace: false,
    nodeExecutorFactory: { getNodeExecutable: (t) => (t === "noop" ? { execute: () => 1 } : undefined) },
  });
  const builtinChain = chainFlow(100, "transform", (i) => (i === 0 ? { data: [] } : {}));
  const jsChain = chainFlow(100, "noop");
  for (let i = 0; i < 20; i++) {
    await js.node.run(jsChain);
    await noTrace.node.run(builtinChain);
  }
  const builtinChainMs = await measure(9, async () => {
    for (let i = 0; i < 20; i++) await noTrace.node.run(builtinChain);
  });
  const jsChainMs = await measure(9, async () => {
    for (let i = 0; i < 20; i++) await js.node.run(jsChain);
  });
  report("JS executor overhead per node, 100-node chain (µs)", ((jsChainMs - builtinChainMs) / 20 / 100) * 1000, "µs", 10);
  const builtinFan = fanFlow(1000, "transform");
  const jsFan = fanFlow(1000, "noop");
  await js.node.run(jsFan);
  const builtinFanMs = await measure(9, () => noTrace.node.run(builtinFan));
  const jsFanMs = await measure(9, () => js.node.run(jsFan));
  report("JS executor overhead per node, 1000-node fan-out (µs)", ((jsFanMs - builtinFanMs) / 1000) * 1000, "µs", 10);

  // 3. transform map over 100,000 items, end to end from JS.
  const numbers = Array.from({ length: 100_000 }, (_, i) => i);
  const mapNode = { id: "m", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: numbers } };
  for (let i = 0; i < 5; i++) await noTrace.node.run(mapNode);
  const engineMs = [];
  report(
    "transform map x => x * 2 over 100k items, end to end (ms)",
    await measure(21, async () => engineMs.push((await noTrace.node.run(mapNode)).duration)),
    "ms",
    10,
  );
  report("  of which inside the engine (result.duration, ms)", median(engineMs), "ms", 5);
  report("  for scale: JSON.stringify + JSON.parse of the data (ms)", await measure(21, () => JSON.parse(JSON.stringify(mapNode))), "ms");
  report(
    "  for scale: V8 mapping the same array in JS (ms)",
    await measure(21, () => numbers.map(new Function("x", "return x * 2"))),
    "ms",
  );
}

async function memory() {
  // 4. 1,000 runs in flight at once on one conductor: the first node of each 10-node chain is
  // an asynchronous JS executor, so every run is started before any finishes.
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: {
      getNodeExecutable: (t) => (t === "tick" ? { execute: () => new Promise((resolve) => setTimeout(() => resolve([1]), 1)) } : undefined),
    },
  });
  const ten = chainFlow(10, (i) => (i === 0 ? "tick" : "transform"));
  global.gc?.();
  const base = process.memoryUsage().rss / 1048576;
  const runs = await Promise.all(Array.from({ length: 1000 }, () => conductor.node.run(ten)));
  report("1,000 concurrent 10-node runs: failures", runs.filter((r) => !r.success).length, "runs", 0);
  report("1,000 concurrent 10-node runs: peak RSS of the process (MB)", process.resourceUsage().maxRSS / 1024, "MB", 200);
  report("  RSS before they started (MB)", base, "MB");

  // 5. Memory over 10,000 sequential runs: it must not grow with the number of runs.
  const rss = [];
  for (let batch = 0; batch < 10; batch++) {
    for (let i = 0; i < 1000; i++) await conductor.node.run(tenTransforms);
    global.gc?.();
    rss.push(process.memoryUsage().rss / 1048576);
  }
  report("10,000 sequential runs: RSS after the first 1,000 (MB)", rss[0], "MB");
  report("10,000 sequential runs: RSS after 10,000 (MB)", rss[9], "MB");
  report("  growth from run 1,000 to run 10,000 (MB)", rss[9] - rss[0], "MB", 20);
}

if (process.argv[2] === "memory") {
  await memory();
} else {
  await speed();
  const child = spawnSync(process.execPath, ["--expose-gc", fileURLToPath(import.meta.url), "memory"], { encoding: "utf8" });
  process.stdout.write(child.stdout);
  process.stderr.write(child.stderr);
}
