#!/usr/bin/env node
// What schedules cost, side by side with a plain `setTimeout` per schedule in the same process:
//   1. idle: 10,000 active schedules that do not fire during the measure — the process's memory
//      and CPU over 30 s, against 10,000 pending timers;
//   2. busy: 1,000 schedules firing every second for 10 s (1,000 fires a second, each a run
//      recorded in the store) — how late each run started after its time (median, p99), against
//      1,000 `setInterval`s of 1 s (how late each callback ran).
// A program, not a test: it prints numbers and never fails.
//
//   node --expose-gc npm/bench/triggers.mjs          (after scripts/build-npm.sh)
//   node --expose-gc npm/bench/triggers.mjs --idle 20000 --busy 500
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { median } from "./lib.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const idleCount = arg("--idle", 10_000);
const busyCount = arg("--busy", 1_000);
const IDLE_MS = 30_000;
// setTimeout's longest delay (about 24.8 days): a pending timer that never fires here.
const LONGEST_TIMEOUT = 2 ** 31 - 1;
const BUSY_MS = 10_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    await sleep(100);
  }
};
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const p99 = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.99)];

/** RSS growth and CPU ms over `ms` after `arm()` (which sets up what waits). */
async function idle(label, arm) {
  await settle();
  const before = process.memoryUsage().rss;
  const disarm = await arm();
  await settle();
  const armed = process.memoryUsage().rss;
  const cpu = process.cpuUsage();
  await sleep(IDLE_MS);
  const used = process.cpuUsage(cpu);
  console.log(
    `${label}: +${mib(armed - before)} MiB RSS armed; CPU ${((used.user + used.system) / 1000).toFixed(0)} ms over ${IDLE_MS / 1000} s idle`,
  );
  await disarm();
}

const flowOf = (id, count, parameters) => ({
  id,
  type: "group",
  nodes: [
    ...Array.from({ length: count }, (_, n) => ({ id: `s${n}`, type: "schedule", parameters })),
    { id: "work", type: "transform", parameters: {} },
  ],
  edges: [],
});

const directory = mkdtempSync(join(tmpdir(), "atomiton-triggers-bench-"));
process.on("exit", () => rmSync(directory, { recursive: true, force: true }));
const conductor = createConductor({ storage: { directory } });

console.log(`# ${idleCount} schedules idle, ${IDLE_MS / 1000} s`);
await idle(`conductor (${idleCount} schedules, yearly)`, async () => {
  await conductor.storage.saveFlow(flowOf("yearly", idleCount, { cron: "0 0 1 1 *", timezone: "Europe/Berlin" }));
  await conductor.triggers.activate("yearly");
  return () => conductor.triggers.deactivate("yearly");
});
await idle(`setTimeout (${idleCount} timers)`, () => {
  const timers = Array.from({ length: idleCount }, () => setTimeout(() => {}, LONGEST_TIMEOUT));
  return () => timers.forEach(clearTimeout);
});

console.log(`# ${busyCount} schedules every second, ${BUSY_MS / 1000} s`);
// A flow each: a fire runs its own flow (a schedule and the node it starts).
for (let n = 0; n < busyCount; n++) {
  await conductor.storage.saveFlow({
    id: `busy-${n}`,
    type: "group",
    nodes: [
      { id: "tick", type: "schedule", parameters: { every: "1s" } },
      { id: "work", type: "transform", parameters: {} },
    ],
    edges: [{ id: "e1", source: "tick", target: "work" }],
  });
}
const began = Date.now();
for (let n = 0; n < busyCount; n++) await conductor.triggers.activate(`busy-${n}`);
const activated = Date.now();
await sleep(BUSY_MS);
for (let n = 0; n < busyCount; n++) await conductor.triggers.deactivate(`busy-${n}`);
await sleep(2_000);
const late = [];
let fired = 0;
for (let n = 0; n < busyCount; n++) {
  for (const fire of await conductor.triggers.fires(`busy-${n}/tick`, { limit: 100 })) {
    if (!fire.firedAt || fire.scheduledAt < activated) continue;
    fired++;
    late.push(fire.firedAt - fire.scheduledAt);
  }
}
console.log(`(activating ${busyCount} flows took ${activated - began} ms)`);
console.log(
  `conductor: ${fired} fires started (${(fired / (BUSY_MS / 1000)).toFixed(0)}/s); late by median ${median(late)} ms, p99 ${p99(late)} ms`,
);
const lateTimers = [];
const intervals = Array.from({ length: busyCount }, () => {
  let due = Date.now() + 1000;
  return setInterval(() => {
    lateTimers.push(Date.now() - due);
    due += 1000;
  }, 1000);
});
await sleep(BUSY_MS);
intervals.forEach(clearInterval);
console.log(`setInterval: ${lateTimers.length} callbacks; late by median ${median(lateTimers)} ms, p99 ${p99(lateTimers)} ms`);
await conductor.shutdown();
