// A fleet whose stores restart under load: three real `atomiton worker` processes on one Redis
// (append-only file on, as scripts/redis.sh runs it) and one PostgreSQL (the run history and
// checkpoints, `--store`), 200 runs of a 3-node flow queued at once; Redis is restarted (SIGTERM,
// started again on its port and directory) and then PostgreSQL (fast shutdown, started again)
// while runs go on. Every run resolves with its right result, and has exactly one record in the
// database, ended `success`, with each of its nodes; none is left running. Bounds catch a hang,
// never a slow machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createQueueConductor } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";

const EXECUTORS = fileURLToPath(new URL("../test-support/queue-durable-executors.mjs", import.meta.url));
const RUNS = 200;

/** Run `n`: three idempotent effects in a chain (each 150 ms: runs overlap the restarts), each adding its `k`. */
function flowFor(n) {
  const effect = (id, k) => ({ id, type: "effect", parameters: { run: `run-${n}`, k, waitMs: 150, idempotent: true } });
  const nodes = [effect("e0", n), effect("e1", 10), effect("e2", 1)];
  const edges = [
    { source: "e0", target: "e1" },
    { source: "e1", target: "e2" },
  ];
  return { id: `fleet-${n}`, type: "group", nodes, edges };
}

/** What run `n` gives for input [1, 2, 3]. */
const expected = (n) => [1, 2, 3].map((x) => x + n + 11);

test("three workers, 200 runs, Redis and then PostgreSQL restarted under load: each run once, with its right result and one whole record", {
  timeout: 600_000,
}, async (t) => {
  let redis = await startRedis();
  let postgres = await startPostgres();
  t.after(async () => {
    await redis.stop();
    await postgres.stop();
  });
  const log = join(tempDir(t, "fleet"), "effects.log");
  const env = { ATOMITON_TEST_EFFECT_LOG: log };
  const queue = "fleet";
  const workers = [0, 1, 2].map(() =>
    startWorker(t, redis.url, queue, ["--store", postgres.url, "--concurrency", "4"], { executors: EXECUTORS, env }),
  );
  for (const worker of workers) await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  const conductor = createQueueConductor({ connection: redis.url, queue, store: postgres.url, pollInterval: 1000 });
  t.after(() => conductor.close());

  let done = 0;
  const results = Array.from({ length: RUNS }, (_, n) =>
    conductor.node.run(flowFor(n), { executionId: `fleet-run-${n}`, input: { default: [1, 2, 3] } }).then((result) => {
      done += 1;
      return result;
    }),
  );
  await until(() => done >= RUNS * 0.25, 300_000, "a quarter of the runs done");
  redis = await redis.restart();
  await until(() => done >= RUNS * 0.55, 300_000, "over half the runs done after Redis came back");
  postgres = await postgres.restart();
  const all = await Promise.all(results);

  all.forEach((result, n) => {
    assert.equal(result.success, true, `run ${n}: ${result.error?.code} ${result.error?.message}`);
    assert.deepEqual(result.data, expected(n), `run ${n}'s result: ${JSON.stringify(result.data)}`);
  });
  // The records are whole and final once the workers' held writes are in.
  const finished = async () => {
    const page = await conductor.executions.list({ limit: 1000 }).catch(() => undefined);
    return page !== undefined && page.total === RUNS && page.executions.every((run) => run.status !== "running");
  };
  await until(finished, 120_000, "every run recorded and ended").catch(async (error) => {
    const page = await conductor.executions.list({ limit: 1000 });
    // A pool on PostgreSQL keeps its saved flows there too: another producer reads them.
    await conductor.storage.saveFlow({ ...flowFor(1), name: "kept in the database" });
    const other = createQueueConductor({ connection: redis.url, queue, store: postgres.url });
    t.after(() => other.close());
    assert.equal((await other.storage.loadFlow("fleet-1")).name, "kept in the database");
    const seen = new Set(page.executions.map((run) => run.id));
    const missing = Array.from({ length: RUNS }, (_, n) => `fleet-run-${n}`).filter((id) => !seen.has(id));
    const open = page.executions.filter((run) => run.status !== "success").map((run) => `${run.id}:${run.status}`);
    throw new Error(`${error.message}: ${page.total} recorded; missing ${missing.join(" ")}; not success ${open.join(" ")}`);
  });
  const page = await conductor.executions.list({ limit: 1000 });
  assert.equal(page.total, RUNS, "one record per run");
  assert.deepEqual(new Set(page.executions.map((run) => run.id)).size, RUNS, "no run recorded twice");
  assert.deepEqual(
    page.executions.filter((run) => run.status !== "success").map((run) => [run.id, run.status]),
    [],
  );
  for (let n = 0; n < RUNS; n += 1) {
    const record = await conductor.executions.get(`fleet-run-${n}`);
    const ended = new Set(record.nodes.filter((node) => node.state === "completed").map((node) => node.nodeId));
    assert.deepEqual([...ended].sort(), ["e0", "e1", "e2"], `run ${n}: every node recorded`);
  }
});
