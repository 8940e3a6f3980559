#!/usr/bin/env node
// Queue mode against an in-process run, in one run of this program: what the queue adds to one
// run (enqueue → result, one at a time, median), and runs/s of a trivial 10-node flow through 1,
// 2 and 4 worker processes. Starts its own Redis (scripts/redis.sh) and `atomiton worker`s.
// A program, not a test: medians, never fails.
//
//   node npm/bench/queue.mjs            (after scripts/build-npm.sh; needs redis-server)
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createConductor, createQueueConductor } from "@atomiton/conductor";
import { startRedis } from "../test-support/redis.mjs";
import { chainFlow, median, now } from "./lib.mjs";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const flow = chainFlow(10, "transform", (i) => (i === 0 ? { data: [1, 2, 3] } : {}));

/** The machine's busy and total CPU time so far (Linux /proc/stat), to tell when the cores are busy. */
function cpuTimes() {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3] + (fields[4] ?? 0);
  const total = fields.reduce((sum, value) => sum + value, 0);
  return { busy: total - idle, total };
}

/** CPU time (ms) a process has used so far (Linux /proc/<pid>/stat: utime + stime). */
function processCpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
}

function startWorker(url, queue, concurrency, extra = []) {
  const child = spawn(
    process.execPath,
    [CLI, "worker", "--redis", url, "--queue", queue, "--concurrency", String(concurrency), "--quiet", ...extra],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("ready")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker exited ${code}`)));
  });
}

async function stopWorkers(workers) {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise((resolve) => {
          child.removeAllListeners("exit");
          child.once("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );
}

const redis = await startRedis();
try {
  // Latency: one run at a time.
  const local = createConductor({ storage: { type: "memory" } });
  const localTimes = [];
  for (let i = 0; i < 1000; i++) {
    const t = now();
    await local.node.run(flow);
    if (i >= 200) localTimes.push(now() - t);
  }
  await local.shutdown();

  // Queued, with workers whose runs are durable (the default) and at most once (`--lost-runs crash`).
  const queuedMedian = async (queue, extra) => {
    const workers = [await startWorker(redis.url, queue, 1, extra)];
    const queued = createQueueConductor({ connection: redis.url, queue });
    const times = [];
    for (let i = 0; i < 1000; i++) {
      const t = now();
      const result = await queued.node.run(flow);
      if (!result.success) throw new Error(`run failed: ${result.error?.message}`);
      if (i >= 200) times.push(now() - t);
    }
    await queued.close();
    await stopWorkers(workers);
    return median(times);
  };
  // Three rounds in turn (a round's first workers start colder): medians of the rounds.
  const rounds = { crash: [], durable: [] };
  for (let round = 0; round < 3; round++) {
    rounds.crash.push(await queuedMedian(`latency-crash-${round}`, ["--lost-runs", "crash"]));
    rounds.durable.push(await queuedMedian(`latency-${round}`, []));
  }
  const [atMostOnceMs, queueMs] = [median(rounds.crash), median(rounds.durable)];
  const localMs = median(localTimes);
  console.log(
    `one run, 10-node flow (median of 800): in-process ${localMs.toFixed(3)} ms, queued ${queueMs.toFixed(3)} ms, added ${(queueMs - localMs).toFixed(3)} ms (goal ≤ 2 ms)`,
  );
  console.log(
    `  durable (lostRuns "resume", the default) against at most once ("crash"): ${queueMs.toFixed(3)} ms against ${atMostOnceMs.toFixed(3)} ms (${(queueMs / atMostOnceMs).toFixed(3)}×)`,
  );

  // Throughput: many runs in flight, through 1, 2 and 4 workers.
  for (const count of [1, 2, 4]) {
    const queue = `throughput-${count}`;
    const pool = await Promise.all(Array.from({ length: count }, () => startWorker(redis.url, queue, 8)));
    const producer = createQueueConductor({ connection: redis.url, queue });
    const runs = 3000;
    let next = 0;
    const lane = async () => {
      while (next < runs) {
        next++;
        const result = await producer.node.run(flow);
        if (!result.success) throw new Error(`run failed: ${result.error?.message}`);
      }
    };
    const t = now();
    const before = cpuTimes();
    const spent = () => ({
      producer: process.cpuUsage(),
      workers: pool.reduce((sum, child) => sum + processCpuMs(child.pid), 0),
      redis: processCpuMs(redis.pid),
    });
    const start = spent();
    await Promise.all(Array.from({ length: 64 }, lane));
    const seconds = (now() - t) / 1000;
    const after = cpuTimes();
    const end = spent();
    const busy = (100 * (after.busy - before.busy)) / (after.total - before.total);
    const producerMs = (end.producer.user + end.producer.system - start.producer.user - start.producer.system) / 1000;
    const perRun = (ms) => ((ms * 1000) / runs).toFixed(0);
    console.log(
      `${count} worker(s) × concurrency 8: ${(runs / seconds).toFixed(0)} runs/s (${runs} runs, 64 in flight; the machine's cores ${busy.toFixed(0)}% busy;` +
        ` CPU per run: producer ${perRun(producerMs)} µs, workers ${perRun(end.workers - start.workers)} µs, Redis ${perRun(end.redis - start.redis)} µs)`,
    );
    await producer.close();
    await stopWorkers(pool);
  }
} finally {
  await redis.stop();
}
