#!/usr/bin/env node
// What durable waits cost: 10,000 runs parked at a `wait` node in one store (the process's memory
// before and after, and its CPU while they wait), then signals (the time from
// `executions.signal` to the run's completion). A program, not a test: it prints numbers and
// never fails.
//
//   node --expose-gc npm/bench/waits.mjs          (after scripts/build-npm.sh)
//   node --expose-gc npm/bench/waits.mjs --runs 20000
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { median, now } from "./lib.mjs";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 10_000;
const signalled = 500;
const directory = mkdtempSync(join(tmpdir(), "atomiton-waits-bench-"));
process.on("exit", () => rmSync(directory, { recursive: true, force: true }));

const flow = {
  id: "approve-refund",
  type: "group",
  nodes: [
    { id: "draft", type: "edit-fields", parameters: { values: { amount: 120, note: "refund" } } },
    { id: "approval", type: "wait", parameters: { mode: "signal", signal: "decided" } },
    { id: "apply", type: "transform", parameters: { transformFunction: "x => x" } },
  ],
  edges: [
    { id: "e1", source: "draft", target: "approval" },
    { id: "e2", source: "approval", target: "apply" },
  ],
};
const conductor = createConductor({ storage: { directory }, durability: {} });
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const mib = (bytes) => (bytes / 1024 / 1024).toFixed(1);

// Warm up (the engine, the store, the JIT), then the baseline.
for (let i = 0; i < 200; i++) await conductor.node.run(flow, { executionId: `warm-${i}` });
await settle();
const before = process.memoryUsage();
const parkStart = now();
for (let i = 0; i < runs; i += 100) {
  await Promise.all(Array.from({ length: 100 }, (_, k) => conductor.node.run(flow, { executionId: `parked-${i + k}` })));
}
const parkMs = now() - parkStart;
await conductor.executions.list({ limit: 0 }); // every record stored
await settle();
const after = process.memoryUsage();
const waiting = (await conductor.executions.counts()).waiting;

// Idle: what the process spends while they wait.
const idleFrom = process.cpuUsage();
await new Promise((resolve) => setTimeout(resolve, 2000));
const idle = process.cpuUsage(idleFrom);

// Signals: each one to its run's completion (the run resumed here).
const latencies = [];
for (let i = 0; i < signalled; i++) {
  const start = now();
  const result = await conductor.executions.signal(`parked-${i}`, "decided", { approved: true });
  latencies.push(now() - start);
  if (!result.success) throw new Error(result.error?.message);
}
latencies.sort((a, b) => a - b);
console.log(`${waiting} runs parked (${runs} asked) in ${(parkMs / 1000).toFixed(1)} s (${((parkMs * 1000) / runs).toFixed(0)} us a run)`);
console.log(
  `memory: rss ${mib(before.rss)} -> ${mib(after.rss)} MiB (+${mib(after.rss - before.rss)}), heap ${mib(before.heapUsed)} -> ${mib(after.heapUsed)} MiB (+${mib(after.heapUsed - before.heapUsed)}), external +${mib(after.external - before.external)} MiB (budget: +50 MB for 10,000)`,
);
console.log(`idle 2 s with them parked: ${((idle.user + idle.system) / 1000).toFixed(1)} ms of CPU (budget: none)`);
console.log(
  `signal to completion, ${signalled} runs: median ${median(latencies).toFixed(2)} ms, p95 ${latencies[Math.floor(latencies.length * 0.95)].toFixed(2)} ms (budget <= 10 ms)`,
);
await conductor.shutdown();
