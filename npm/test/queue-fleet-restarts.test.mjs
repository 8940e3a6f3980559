// A fleet whose stores restart under load: three real `atomiton worker` processes on one Redis
// (append-only file on, as scripts/redis.sh runs it) and one PostgreSQL (the run history and
// checkpoints, `--store`), 200 runs of a 3-node flow queued at once; Redis is restarted (SIGTERM,
// started again on its port and directory) and then PostgreSQL (fast shutdown, started again)
// while runs go on; then the same with a Redis that comes back empty, as one without persistence
// does. Every run resolves with its right result, and has exactly one record in the database,
// ended `success`, with each of its nodes; none is left running. Bounds catch a hang, never a
// slow machine. The same again with the workers cut off from both stores twice (a proxy on
// 127.0.0.1 resets their connections and refuses new ones), once within their lock, once past it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createQueueConductor } from "@atomiton/conductor";
import { tempDir, until, within } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import { startCutProxy } from "../test-support/cut-proxy.mjs";

const EXECUTORS = fileURLToPath(new URL("../test-support/queue-durable-executors.mjs", import.meta.url));
const RUNS = 200;
/**
 * `close` run when the test ends: one that hangs fails the test naming what did not close
 * (instead of holding the file open for ever); each says on stderr how long it took.
 */
function cleanup(t, what, close) {
  t.after(async () => {
    const began = Date.now();
    try {
      await within(Promise.resolve(close()), 60_000, () => new Error(`closing ${what} did not end within 60 s`));
    } finally {
      process.stderr.write(`# cleanup: ${what} took ${Date.now() - began} ms\n`);
    }
  });
}

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

/** Where a test is, on stderr as it goes: a run of it that hangs says at which step. */
const stepsOf = (name) => (what) => process.stderr.write(`# ${name}: ${what} at ${new Date().toISOString()}\n`);

/** What run `n` gives for input [1, 2, 3]. */
const expected = (n) => [1, 2, 3].map((x) => x + n + 11);

test("three workers, 200 runs, Redis and then PostgreSQL restarted under load: each run once, with its right result and one whole record", {
  timeout: 600_000,
}, async (t) => {
  const step = stepsOf("fleet");
  const fleet = await startFleet(t, "fleet");
  const { conductor, load, queue } = fleet;
  await load.reached(0.25);
  step("25% of the runs done; restarting Redis");
  await fleet.restartRedis();
  await load.reached(0.55);
  step("55% of the runs done; restarting PostgreSQL");
  await fleet.restartPostgres();
  await everyRunOnceWhole(await load.all, conductor);
  step("every run checked");
  const { redis, postgres } = fleet;
  // A pool on PostgreSQL keeps its saved flows there too: another producer reads them.
  await conductor.storage.saveFlow({ ...flowFor(1), name: "kept in the database" });
  const other = createQueueConductor({ connection: redis.url, queue, store: postgres.url });
  cleanup(t, "the second producer", () => other.close());
  assert.equal((await other.storage.loadFlow("fleet-1")).name, "kept in the database");
});

test("three workers, 200 runs, Redis restarted without persistence (every job, lock and event gone) and then PostgreSQL restarted under load: each run once, with its right result and one whole record", {
  timeout: 600_000,
}, async (t) => {
  const step = stepsOf("fleet-forgotten");
  const fleet = await startFleet(t, "fleet-forgotten");
  await fleet.load.reached(0.3);
  step("30% of the runs done; restarting Redis empty");
  // Runs ended on their workers after their jobs went are answered with the result each worker
  // kept; runs whose jobs were lost before a worker began them are queued again.
  await fleet.restartRedis({ empty: true });
  await fleet.load.reached(0.6);
  step("60% of the runs done; restarting PostgreSQL");
  await fleet.restartPostgres();
  await everyRunOnceWhole(await fleet.load.all, fleet.conductor);
  step("every run checked");
});

test("three workers cut off from Redis and PostgreSQL twice under load (a proxy resets their connections): each run once, with its right result and one whole record", {
  timeout: 600_000,
}, async (t) => {
  const redis = await startRedis();
  const postgres = await startPostgres();
  const [redisCut, postgresCut] = await Promise.all([startCutProxy(redis.port), startCutProxy(postgres.port)]);
  cleanup(t, "the proxies", () => Promise.all([redisCut.close(), postgresCut.close()]));
  cleanup(t, "Redis", () => redis.stop());
  cleanup(t, "PostgreSQL", () => postgres.stop());
  const queue = "fleet-cut";
  // The workers reach their stores through the proxies; the producer directly.
  const viaPostgres = `postgres://postgres@127.0.0.1:${postgresCut.port}/postgres`;
  const step = stepsOf("fleet-cut");
  step("stores and proxies up");
  // The producer first, so it is the one that migrates the database (the workers find it done).
  const conductor = createQueueConductor({ connection: redis.url, queue, store: postgres.url, pollInterval: 1000 });
  cleanup(t, "the producer", () => conductor.close());
  await conductor.executions.list({ limit: 0 });
  await startWorkers(t, "fleet-cut", `redis://127.0.0.1:${redisCut.port}`, queue, viaPostgres);
  step("workers ready");
  const load = underLoad(conductor);
  await load.reached(0.25);
  step("25% of the runs done; cutting for 1 s");
  // Shorter than the workers' lock (2 s here): their runs stay theirs.
  await Promise.all([redisCut.cut(1000), postgresCut.cut(1000)]);
  await load.reached(0.55);
  step("55% of the runs done; cutting for 4 s");
  // Longer than the lock: the pool takes their runs for lost, and resumes them.
  await Promise.all([redisCut.cut(4000), postgresCut.cut(4000)]);
  await everyRunOnceWhole(await load.all, conductor);
  step("every run checked");
});

/** Redis, PostgreSQL, three workers and a producer with the runs under way (`queue`: `name`). */
async function startFleet(t, name) {
  const fleet = { redis: await startRedis(), postgres: await startPostgres(), queue: name };
  cleanup(t, "Redis", () => fleet.redis.stop());
  cleanup(t, "PostgreSQL", () => fleet.postgres.stop());
  await startWorkers(t, name, fleet.redis.url, name, fleet.postgres.url);
  fleet.conductor = createQueueConductor({ connection: fleet.redis.url, queue: name, store: fleet.postgres.url, pollInterval: 1000 });
  cleanup(t, "the producer", () => fleet.conductor.close());
  fleet.load = underLoad(fleet.conductor);
  fleet.restartRedis = async (how) => (fleet.redis = await fleet.redis.restart(how));
  fleet.restartPostgres = async () => (fleet.postgres = await fleet.postgres.restart());
  return fleet;
}

/** Three `atomiton worker` processes on `redisUrl` keeping the history in `store`, once ready. */
async function startWorkers(t, name, redisUrl, queue, store) {
  const env = { ATOMITON_TEST_EFFECT_LOG: join(tempDir(t, name), "effects.log") };
  const workers = [0, 1, 2].map(() =>
    startWorker(t, redisUrl, queue, ["--store", store, "--concurrency", "4"], { executors: EXECUTORS, env }),
  );
  for (const worker of workers) await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
}

/** The runs queued at once: `reached(share)` resolves once that share of them has resolved. */
function underLoad(conductor) {
  const pending = new Set();
  const results = Array.from({ length: RUNS }, (_, n) => {
    pending.add(n);
    return conductor.node
      .run(flowFor(n), { executionId: `fleet-run-${n}`, input: { default: [1, 2, 3] } })
      .finally(() => pending.delete(n));
  });
  return {
    // Well within the test's own bound, so a hang fails here, saying where.
    reached: (share) => until(() => RUNS - pending.size >= RUNS * share, 150_000, `${share * 100}% of the runs done`),
    get all() {
      const unresolved = () => new Error(`runs never resolved: ${[...pending].map((n) => `fleet-run-${n}`).join(" ")}`);
      return within(Promise.all(results), 150_000, unresolved);
    },
  };
}

/** Each run resolved with its right result, and has one record, ended `success`, with each of its nodes. */
async function everyRunOnceWhole(all, conductor) {
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
    const seen = new Set(page.executions.map((run) => run.id));
    const missing = Array.from({ length: RUNS }, (_, n) => `fleet-run-${n}`).filter((id) => !seen.has(id));
    const open = page.executions.filter((run) => run.status !== "success").map((run) => `${run.id}:${run.status}`);
    throw new Error(`${error.message}: ${page.total} recorded; missing ${missing.join(" ")}; not success ${open.join(" ")}`);
  });
  const page = await conductor.executions.list({ limit: 1000 });
  assert.equal(page.total, RUNS, "one record per run");
  const counts = await conductor.executions.counts();
  assert.deepEqual([counts.total, counts.success, counts.running], [RUNS, RUNS, 0], "the dashboard's counts agree");
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
}
