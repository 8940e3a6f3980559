// Durable waits in queue mode, on a real Redis with three real worker processes: runs park at
// `wait` nodes and free their workers; one worker is killed with SIGKILL while they wait; signals
// sent through a producer, and times that come (BullMQ delayed jobs), wake each run on whichever
// worker is free, once: every node before and after the wait has its effect exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createQueueConductor } from "@atomiton/conductor";
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import { tempDir, until } from "../test-support/helpers.mjs";

const EXECUTORS = fileURLToPath(new URL("../test-support/queue-durable-executors.mjs", import.meta.url));
const RUNS = 8;

/** Run `n`: an effect, a wait (a signal for even runs, 1.5 s for odd ones), an effect. */
function flowFor(n) {
  const effect = (id) => ({ id, type: "effect", parameters: { run: `run-${n}`, k: 1 } });
  const wait = n % 2 === 0 ? { mode: "signal", signal: "go" } : { mode: "duration", duration: 1500 };
  return {
    id: `queued-wait-${n}`,
    type: "group",
    nodes: [effect("before"), { id: "w", type: "wait", parameters: wait }, effect("after")],
    edges: [
      { id: "e1", source: "before", target: "w" },
      { id: "e2", source: "w", target: "after" },
    ],
  };
}

/** How many times each `<run> <node>` had its effect. */
function effects(log) {
  let text = "";
  try {
    text = readFileSync(log, "utf8");
  } catch {}
  const counts = new Map();
  for (const line of text.split("\n").filter(Boolean)) {
    const [run, node] = line.split(" ");
    counts.set(`${run} ${node}`, (counts.get(`${run} ${node}`) ?? 0) + 1);
  }
  return counts;
}

for (const store of ["redis", "postgres"]) {
  test(`queue mode, history in ${store}: runs parked at waits free their workers; with one worker killed, signals and times wake each run once on the others`, {
    timeout: 240_000,
  }, async (t) => {
    const redis = await startRedis();
    const postgres = store === "postgres" ? await startPostgres() : undefined;
    const log = join(tempDir(t, "queue-waits"), "effects.log");
    const queue = "waits";
    const conductor = createQueueConductor({ connection: redis.url, queue, pollInterval: 1000, store: postgres?.url });
    t.after(async () => {
      await conductor.close();
      await redis.stop();
      await postgres?.stop();
    });
    const options = { executors: EXECUTORS, env: { ATOMITON_TEST_EFFECT_LOG: log } };
    const storeArgs = postgres ? ["--store", postgres.url] : [];
    const ready = (worker) => worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
    const workers = [0, 1, 2].map(() => startWorker(t, redis.url, queue, storeArgs, options));
    await Promise.all(workers.map(ready));

    // Each run parks: its producer gets WAITING, and no worker holds it.
    const parked = await Promise.all(
      Array.from({ length: RUNS }, (_, n) => conductor.node.run(flowFor(n), { executionId: `waits-${n}`, input: { default: [n] } })),
    );
    for (const result of parked) assert.equal(result.error?.code, "WAITING", JSON.stringify(result.error));
    const counts = await conductor.executions.counts();
    assert.equal(counts.waiting, RUNS, JSON.stringify(counts));

    // The worker that parked the most runs goes, mid-wait.
    const parkedOn = workers.map((w) => w.lines.filter((line) => line.startsWith("started waits-")).length);
    const victim = workers[parkedOn.indexOf(Math.max(...parkedOn))];
    const exited = new Promise((resolve) => victim.child.once("exit", resolve));
    victim.child.kill("SIGKILL");
    await exited;

    // Signals through the producer: each run goes on, on a worker that is alive, to its result.
    const signalled = await Promise.all(
      Array.from({ length: RUNS / 2 }, (_, k) => conductor.executions.signal(`waits-${2 * k}`, "go", { default: [100 + k] })),
    );
    for (const result of signalled) assert.equal(result.success, true, result.error?.message);
    // Timed ones wake by themselves (a delayed job, taken by whichever worker is free).
    await until(
      async () => {
        const { executions } = await conductor.executions.list({ status: "success", limit: 100 });
        return executions.length === RUNS;
      },
      120_000,
      "every timed wait to fire",
    );
    const seen = effects(log);
    for (let n = 0; n < RUNS; n++) {
      assert.equal(seen.get(`run-${n} before`), 1, `run ${n}: the node before the wait ran once`);
      assert.equal(seen.get(`run-${n} after`), 1, `run ${n}: the node after it ran once (woken once)`);
      const record = await conductor.executions.get(`waits-${n}`);
      assert.equal(record.status, "success");
    }
    const after = await conductor.executions.counts();
    assert.equal(after.waiting, 0);
    t.diagnostic(`parked on the workers: ${parkedOn.join(", ")}; the one with ${Math.max(...parkedOn)} killed while they waited`);
  });
}
