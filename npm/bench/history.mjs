#!/usr/bin/env node
// What recording runs costs (execution history, on by default): the 10-node run from JS with
// recording on (SQLite beside the flows) and off, interleaved in the same process, and 1,000
// runs a second sustained for a while, watching memory as the number of recorded runs grows.
// A program, not a test: it prints medians and never fails.
//
//   node npm/bench/history.mjs                (after scripts/build-npm.sh)
//   node npm/bench/history.mjs --seconds 20   a longer sustained phase (default 10)
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { chainFlow, median, now } from "./lib.mjs";

const secondsAt = process.argv.indexOf("--seconds");
const seconds = secondsAt > 0 ? Number(process.argv[secondsAt + 1]) : 10;
const directory = mkdtempSync(join(tmpdir(), "atomiton-history-bench-"));
process.on("exit", () => rmSync(directory, { recursive: true, force: true }));

// The 10-node run of the product's budgets: a chain of JS executors, each adding one.
const factory = { getNodeExecutable: (type) => (type === "inc" ? { execute: (p) => (p.input?.default ?? 0) + 1 } : undefined) };
const flow = chainFlow(10, "inc");
const on = createConductor({ storage: { directory }, nodeExecutorFactory: factory });
const off = createConductor({ storage: { directory }, nodeExecutorFactory: factory, history: false });

// Warm both (JIT, the database's first pages).
for (let i = 0; i < 500; i++) {
  await on.node.run(flow, { input: { default: 0 } });
  await off.node.run(flow, { input: { default: 0 } });
}

const rounds = 21;
const perRound = 300;
const medians = { on: [], off: [] };
for (let round = 0; round < rounds; round++) {
  // Alternating which goes first, so neither always runs on a warmer machine.
  const order = round % 2 === 0 ? ["on", "off"] : ["off", "on"];
  for (const which of order) {
    const conductor = which === "on" ? on : off;
    const times = [];
    for (let i = 0; i < perRound; i++) {
      const start = now();
      await conductor.node.run(flow, { input: { default: 0 } });
      times.push((now() - start) * 1000);
    }
    medians[which].push(median(times));
  }
}
const onUs = median(medians.on);
const offUs = median(medians.off);
const added = median(medians.on.map((value, i) => value - medians.off[i]));
console.log(`10-node run from JS, median of ${rounds} rounds x ${perRound} runs:`);
console.log(
  `  recording off ${offUs.toFixed(1)} us, recording on ${onUs.toFixed(1)} us, added ${added.toFixed(1)} us per run (goal <= 25 us), ratio ${(onUs / offUs).toFixed(3)}`,
);

// Sustained: 1,000 runs a second for `seconds`, recording on. Memory is sampled after every
// second; it should level off while the database keeps growing (retention keeps 10,000 runs).
await on.executions.prune({ keep: 0 });
const rate = 1000;
const samples = [];
const started = now();
let done = 0;
let behind = 0;
for (let second = 0; second < seconds; second++) {
  const until = started + (second + 1) * 1000;
  const batch = [];
  for (let i = 0; i < rate; i++) {
    batch.push(on.node.run(flow, { input: { default: i } }));
    // Paced: about one run per millisecond, a few at a time.
    if (i % 10 === 9) {
      await Promise.all(batch.splice(0));
      const due = started + second * 1000 + i + 1;
      if (now() < due) await new Promise((resolve) => setTimeout(resolve, due - now()));
    }
  }
  await Promise.all(batch);
  done += rate;
  if (now() > until + 50) behind++;
  globalThis.gc?.();
  const memory = process.memoryUsage();
  samples.push({ runs: done, rss: memory.rss / 2 ** 20, heap: memory.heapUsed / 2 ** 20 });
}
const elapsed = (now() - started) / 1000;
await on.executions.list({ limit: 1 }); // every record written
const recorded = (await on.executions.list({ limit: 1 })).total;
const file = statSync(join(directory, "history.sqlite")).size / 2 ** 20;
console.log(
  `sustained: ${done} runs in ${elapsed.toFixed(1)} s (${(done / elapsed).toFixed(0)} runs/s; ${behind} of ${seconds} seconds fell behind 1,000/s), ${recorded} recorded, history.sqlite ${file.toFixed(1)} MB`,
);
console.log(`  runs recorded -> RSS MB, JS heap MB${globalThis.gc ? "" : " (run with --expose-gc for steadier heap figures)"}`);
for (const s of samples) console.log(`  ${String(s.runs).padStart(6)} -> ${s.rss.toFixed(0)}, ${s.heap.toFixed(1)}`);
const half = samples.slice(Math.floor(samples.length / 2));
// Reading back from a store of this size: a page of the list (filtered and sorted by an index),
// and one run with its nodes.
const reads = { list: [], filtered: [], get: [] };
const someId = (await on.executions.list({ limit: 1, offset: Math.floor(recorded / 2) })).executions[0].id;
for (let i = 0; i < 50; i++) {
  let start = now();
  await on.executions.list({ limit: 50, offset: 100 });
  reads.list.push(now() - start);
  start = now();
  await on.executions.list({ limit: 50, status: "success", flowId: flow.id });
  reads.filtered.push(now() - start);
  start = now();
  await on.executions.get(someId);
  reads.get.push(now() - start);
}
console.log(
  `  reading at ${recorded} runs: list a page ${median(reads.list).toFixed(2)} ms, filtered ${median(reads.filtered).toFixed(2)} ms, get one run ${median(reads.get).toFixed(2)} ms`,
);
console.log(
  `  RSS growth over the second half: ${(half.at(-1).rss - half[0].rss).toFixed(1)} MB for ${half.at(-1).runs - half[0].runs} more runs`,
);
await on.shutdown();
await off.shutdown();
