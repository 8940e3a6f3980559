// Durable runs in queue mode, on a real Redis with three real worker processes (the run history
// and checkpoints in that Redis, or in a real PostgreSQL with `store`): the worker
// holding runs mid-flow is killed with SIGKILL; another worker takes each run over and resumes it
// from the checkpoints in the shared history, as the same run. The producer's `node.run` resolves
// with the run's real result (the uninterrupted one), no node that had completed ran again, an
// idempotent node that was in flight ran at most once more, and one that is not idempotent
// waited for the user's decision (`executions.resume(id, {rerun | skip})`, through the queue).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor, createQueueConductor } from "@atomiton/conductor";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import { tempDir, until } from "../test-support/helpers.mjs";

const EXECUTORS = fileURLToPath(new URL("../test-support/queue-durable-executors.mjs", import.meta.url));
const RUNS = 4;

/** Run `n`'s flow: effects (each 250 ms; the second idempotent in every other run) and pure transforms. */
function flowFor(n) {
  const effect = (id, k, idempotent) => ({
    id,
    type: "effect",
    parameters: { run: `run-${n}`, k, waitMs: 250, ...(idempotent ? { idempotent: true } : {}) },
  });
  const transform = (id, i) => ({ id, type: "transform", parameters: { transformFunction: `item => item * 2 + ${i}` } });
  const nodes = [
    effect("e0", 1 + n, true),
    transform("t1", 1),
    effect("e2", 10 + n, n % 2 === 0),
    effect("e3", 3, true),
    transform("t4", 4),
    effect("e5", 7, false),
  ];
  const edges = nodes.slice(1).map((node, i) => ({ source: nodes[i].id, target: node.id }));
  return { id: `queued-durable-${n}`, type: "group", nodes, edges };
}

const INPUT = { default: [1, 2, 3] };

/** `<run> <node> <pid>` lines of the effects log. */
function effects(log) {
  let text = "";
  try {
    text = readFileSync(log, "utf8");
  } catch {}
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [run, node, pid] = line.split(" ");
      return { run, node, pid: Number(pid) };
    });
}

/** Each flow run once without interruption, in this process: its result and each node's output. */
async function references(t) {
  process.env.ATOMITON_TEST_EFFECT_LOG = join(tempDir(t, "queue-durable-reference"), "effects.log");
  const { default: types } = await import(EXECUTORS);
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: { getNodeExecutable: (type) => types[type] } });
  t.after(() => conductor.shutdown());
  const expected = [];
  for (let n = 0; n < RUNS; n++) {
    const result = await conductor.node.run(flowFor(n), { executionId: `reference-${n}`, input: INPUT });
    assert.equal(result.success, true, result.error?.message);
    const record = await conductor.executions.get(`reference-${n}`);
    expected.push({ data: result.data, outputs: new Map(record.nodes.map((node) => [node.nodeId, node.output])) });
  }
  return expected;
}

for (const store of ["redis", "postgres"]) {
  test(`queue mode, history in ${store}: kill -9 of the worker holding runs mid-flow; other workers resume them from their checkpoints to the real result, no completed node run twice`, {
    timeout: 240_000,
  }, async (t) => {
    const expected = await references(t);
    const redis = await startRedis();
    const postgres = store === "postgres" ? await startPostgres() : undefined;
    const log = join(tempDir(t, "queue-durable"), "effects.log");
    const queue = "durable";
    const conductor = createQueueConductor({ connection: redis.url, queue, pollInterval: 1000, store: postgres?.url });
    t.after(async () => {
      await conductor.close();
      await redis.stop();
      await postgres?.stop();
    });
    const options = { executors: EXECUTORS, env: { ATOMITON_TEST_EFFECT_LOG: log } };
    const storeArgs = postgres ? ["--store", postgres.url] : [];
    const ready = (worker) => worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");

    // A alone takes every run; B and C start once A has them.
    const a = startWorker(t, redis.url, queue, storeArgs, options);
    await ready(a);
    const results = Array.from({ length: RUNS }, (_, n) => conductor.node.run(flowFor(n), { executionId: `durable-${n}`, input: INPUT }));
    await a.until(() => a.started("durable-") === RUNS, "every run started on A");
    const b = startWorker(t, redis.url, queue, storeArgs, options);
    const c = startWorker(t, redis.url, queue, storeArgs, options);
    await Promise.all([ready(b), ready(c)]);
    // Mid-flow: each run has had the effects of at least two of its nodes on A.
    await until(
      () => {
        const done = effects(log).filter((e) => e.pid === a.child.pid);
        return Array.from({ length: RUNS }, (_, n) => done.filter((e) => e.run === `run-${n}`).length).every((count) => count >= 2);
      },
      60_000,
      "every run to be mid-flow on A",
    );
    const exited = new Promise((resolve) => a.child.once("exit", resolve));
    a.child.kill("SIGKILL");
    await exited;
    const atKill = effects(log);

    let decided = 0;
    for (let n = 0; n < RUNS; n++) {
      const id = `durable-${n}`;
      let result = await results[n];
      if (!result.success) {
        // The node in flight at the kill has effects and is not idempotent: the run waits for the
        // user, interrupted, and the user decides from what they can see (the effect happened).
        assert.equal(result.error.code, "DECISION_REQUIRED", `${id}: ${result.error.message}`);
        const waiting = [...result.error.message.matchAll(/'([^']+)' \(effect\)/g)].map((m) => m[1]);
        assert.equal(waiting.length, 1, result.error.message);
        assert.equal((await conductor.executions.get(id)).status, "interrupted");
        const seen = atKill.some((e) => e.run === `run-${n}` && e.node === waiting[0]);
        result = await conductor.executions.resume(
          id,
          seen ? { skip: { [waiting[0]]: expected[n].outputs.get(waiting[0]) } } : { rerun: waiting },
        );
        decided += 1;
      }
      assert.equal(result.success, true, `${id}: ${result.error?.message}`);
      assert.deepEqual(result.data, expected[n].data, `${id}: the resumed result is the uninterrupted one`);
    }
    const resumedBy = [b, c].map((w) => w.lines.filter((line) => line.startsWith("resumed durable-")).length);
    assert.equal(resumedBy[0] + resumedBy[1], RUNS, `each run was taken over once (B ${resumedBy[0]}, C ${resumedBy[1]})`);

    // Effects: on A, every node but the last it started had completed — none of those ran again;
    // the one in flight ran again only when idempotent (a decision said whether the others did).
    const all = effects(log);
    for (let n = 0; n < RUNS; n++) {
      const flow = flowFor(n);
      const onA = atKill.filter((e) => e.run === `run-${n}`).map((e) => e.node);
      const inFlight = onA.at(-1);
      for (const node of flow.nodes.filter((x) => x.type === "effect")) {
        const count = all.filter((e) => e.run === `run-${n}` && e.node === node.id).length;
        if (node.id === inFlight && node.parameters.idempotent) {
          assert.ok(count === 1 || count === 2, `run ${n}: in-flight idempotent ${node.id} had its effect ${count} times`);
        } else {
          assert.equal(count, 1, `run ${n}: ${node.id} had its effect ${count} times (on A: ${onA.join(", ")})`);
        }
      }
      // The same run, recorded once, each node once, finished by the worker that resumed it.
      let record;
      await until(
        async () => (record = await conductor.executions.get(`durable-${n}`)).status !== "running",
        60_000,
        "the run's end to be recorded",
      );
      assert.equal(record.status, "success");
      assert.equal(record.durable, true);
      for (const node of flow.nodes)
        assert.equal(record.nodes.filter((x) => x.nodeId === node.id).length, 1, `run ${n}: ${node.id} recorded once`);
    }
    t.diagnostic(`${RUNS} runs killed mid-flow on A and resumed (B ${resumedBy[0]}, C ${resumedBy[1]}); ${decided} waited for a decision`);
    const page = await conductor.executions.list({ limit: 100 });
    assert.equal(page.total, RUNS, "one record per run: a resume is the same run");
    if (postgres) {
      const owners = new Set(page.executions.map((run) => run.owner));
      assert.ok(owners.size >= 1 && [...owners].every((owner) => /^pid:\d+@/.test(owner)), [...owners].join(", "));
    }
  });
}
