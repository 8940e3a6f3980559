// Queue mode on a real Redis (scripts/redis.sh) with real worker processes (`atomiton worker`):
// every run ends with exactly one stored result; with `--lost-runs crash`, a killed worker's runs
// are marked crashed and not run again (queue-durability.test.mjs: resumed, the default); a worker stopped with SIGTERM finishes its runs and takes no more; a cancelled
// run stops and is not retried; progress arrives in order; values, saved flows and the run
// history are shared. Bounds are generous: they catch a hang, never a slow machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createQueueConductor, startQueueWorker } from "@atomiton/conductor";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** Workers that run a lost run at most once: the policy the first test checks. */
const AT_MOST_ONCE = ["--lost-runs", "crash"];
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import { freePort } from "../test-support/servers.mjs";
import executors from "../test-support/queue-executors.mjs";

/** A run's record once its end is stored (a worker's writes follow its results by milliseconds). */
async function endedRecord(conductor, id) {
  for (;;) {
    const record = await conductor.executions.get(id).catch(() => undefined);
    if (record && record.status !== "running") return record;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sleepFlow = (ms) => ({
  id: "sleeper",
  type: "group",
  nodes: [
    { id: "wait", type: "sleep", parameters: { ms } },
    { id: "who", type: "pid" },
  ],
  edges: [{ id: "e", source: "wait", target: "who" }],
});

test("three worker processes, 60 runs: one stored result each; kill -9, SIGTERM, cancel and progress behave", {
  timeout: 180_000,
}, async (t) => {
  const redis = await startRedis();
  const queue = "multi";
  const conductor = createQueueConductor({ connection: redis.url, queue, pollInterval: 1000 });
  // Workers are killed by their own hooks; Redis goes last.
  t.after(async () => {
    await conductor.close();
    await redis.stop();
  });
  const results = new Map();
  const endedAt = {};
  const run = (id, ms, options = {}) => {
    const promise = conductor.node.run(sleepFlow(ms), { executionId: id, ...options });
    results.set(id, promise);
    promise.then(() => (endedAt[id] = Date.now()));
    return promise;
  };

  // A takes four long runs, and is killed with them in flight.
  const a = startWorker(t, redis.url, queue, AT_MOST_ONCE);
  await a.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  for (let i = 0; i < 4; i++) run(`killed-${i}`, 600_000);
  await a.until(() => a.started("killed-") === 4, "four runs started");
  // B takes four 1.5 s runs, then is asked to stop while they run: it finishes them.
  const b = startWorker(t, redis.url, queue, AT_MOST_ONCE);
  await b.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  for (let i = 0; i < 4; i++) run(`drained-${i}`, 1500);
  await b.until(() => b.started("drained-") === 4, "four runs started");
  const c = startWorker(t, redis.url, queue, AT_MOST_ONCE);
  await c.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");

  const killedAt = Date.now();
  a.child.kill("SIGKILL");
  b.child.kill("SIGTERM");
  await b.until((lines) => lines.some((line) => line.startsWith("SIGTERM")), "the SIGTERM line");

  // The rest: 48 quick runs, two heavy ones, one followed for progress, one cancelled while it runs.
  const progress = [];
  const off = conductor.events.onProgress((event) => {
    if (event.executionId === "watched") progress.push(event.cachedProgress);
  });
  for (let i = 0; i < 48; i++) run(`quick-${i}`, 20);
  // Seconds of CPU in one node, against a 2 s lock: the engine works off the worker's JS thread,
  // which goes on renewing the lock (a starved renewal would get the run marked crashed).
  for (let i = 0; i < 2; i++) {
    const heavy = {
      id: "heavy",
      type: "transform",
      parameters: {
        operation: "map",
        transformFunction: 'x => "ab".repeat(2000).split("").reverse().join("").length',
        data: Array.from({ length: 20_000 }, (_, n) => n),
      },
    };
    results.set(`heavy-${i}`, conductor.node.run(heavy, { executionId: `heavy-${i}` }));
  }
  const watched = run("watched", 50);
  const cancelled = run("cancel-me", 600_000);
  await c.until(() => c.started("cancel-me") === 1, "the run to cancel started");
  assert.equal(await conductor.node.cancel("cancel-me"), true);

  const ended = Object.fromEntries(await Promise.all([...results].map(async ([id, promise]) => [id, await promise])));
  const crashedWithin = Math.max(...[0, 1, 2, 3].map((i) => endedAt[`killed-${i}`])) - killedAt;
  off();
  assert.equal(Object.keys(ended).length, 60);

  // Killed: crashed, not run again (no other worker started them).
  for (let i = 0; i < 4; i++) {
    const result = ended[`killed-${i}`];
    assert.equal(result.success, false);
    assert.equal(result.error.code, "INTERNAL_ERROR");
    assert.match(result.error.message, /marked crashed/);
  }
  assert.equal(b.started("killed-") + c.started("killed-"), 0, "a crashed run is never started again");
  assert.ok(crashedWithin < 60_000, `the killed worker's runs ended within a minute (${crashedWithin} ms; lock 2 s)`);
  t.diagnostic(`the killed worker's runs ended ${crashedWithin} ms after kill -9 (lock 2 s, stalled check every 0.5 s)`);

  // SIGTERM: B finished its four, took nothing after the signal, and exited 0.
  for (let i = 0; i < 4; i++) assert.equal(ended[`drained-${i}`].success, true, `drained-${i}: ${ended[`drained-${i}`].error?.message}`);
  assert.deepEqual(await b.exit, { code: 0, signal: null });
  const signalLine = b.lines.findIndex((line) => line.startsWith("SIGTERM"));
  assert.deepEqual(
    b.lines.slice(signalLine).filter((line) => line.startsWith("started")),
    [],
    "no run started after SIGTERM",
  );

  // Cancelled: CANCELLED, and started exactly once.
  const cancelResult = await cancelled;
  assert.equal(cancelResult.error?.code, "CANCELLED");
  assert.equal(c.started("cancel-me"), 1);

  // Everything else succeeded; progress went up in order to 100.
  for (const id of [...Array.from({ length: 48 }, (_, i) => `quick-${i}`), "heavy-0", "heavy-1"])
    assert.equal(ended[id].success, true, `${id}: ${ended[id].error?.message}`);
  assert.equal((await watched).success, true);
  assert.ok(progress.length >= 2, `progress events arrived (${progress.length})`);
  assert.deepEqual(
    progress,
    [...progress].sort((x, y) => x - y),
    "progress never goes back",
  );
  assert.equal(progress.at(-1), 100);

  // The shared history: exactly one record per run, in the state its result says.
  for (const id of Object.keys(ended)) await endedRecord(conductor, id);
  const page = await conductor.executions.list({ limit: 1000 });
  const ids = page.executions.map((run) => run.id);
  assert.equal(page.total, 60);
  assert.equal(new Set(ids).size, 60, "one record per run");
  const status = Object.fromEntries(page.executions.map((run) => [run.id, run.status]));
  for (let i = 0; i < 4; i++) assert.equal(status[`killed-${i}`], "crashed");
  assert.equal(status["cancel-me"], "cancelled");
  assert.equal(page.executions.filter((run) => run.status === "success").length, 55);
  const owners = new Set(page.executions.map((run) => run.owner));
  assert.ok(owners.size >= 2, `at least two workers did work (${[...owners].join(", ")})`);
  // A retry goes through the queue too; the worker reads the recorded run from the shared history.
  const retried = await conductor.executions.retry("quick-0", { from: "start" });
  assert.equal(retried.success, true, retried.error?.message);
  assert.equal((await endedRecord(conductor, retried.context?.executionId)).retryOf, "quick-0");

  c.child.kill("SIGTERM");
  assert.deepEqual(await c.exit, { code: 0, signal: null });
});

test("through the queue values arrive unchanged, saved flows and history are shared, debugging options are refused; the CLI runs and lists through it", {
  timeout: 120_000,
}, async (t) => {
  const redis = await startRedis();
  // The worker's files (the hello template writes one) go to a directory of the test's own.
  const workingDirectory = mkdtempSync(join(tmpdir(), "atomiton-queue-"));
  const worker = await startQueueWorker({
    connection: redis.url,
    queue: "api",
    workingDirectory,
    nodeExecutorFactory: { getNodeExecutable: (type) => executors[type] },
  });
  const first = createQueueConductor({ connection: redis.url, queue: "api" });
  const second = createQueueConductor({ connection: redis.url, queue: "api" });
  t.after(async () => {
    await Promise.all([first.close(), second.close(), worker.close()]);
    await redis.stop();
    rmSync(workingDirectory, { recursive: true, force: true });
  });

  const odd = {
    bytes: new Uint8Array([0, 255, 7]),
    nan: Number.NaN,
    negativeZero: -0,
    big: 1e300,
    when: new Date(1_700_000_000_000),
    deep: { list: [1, "two", null] },
  };
  const echoed = await first.node.run({ id: "echo", type: "transform", parameters: { data: [1] } }, { input: odd });
  assert.equal(echoed.success, true, echoed.error?.message);
  const context = echoed.context?.input;
  assert.ok(context.bytes instanceof Uint8Array, "a Uint8Array input stays one");
  assert.deepEqual([...context.bytes], [0, 255, 7]);
  assert.ok(Number.isNaN(context.nan));
  assert.ok(Object.is(context.negativeZero, -0));
  assert.equal(context.big, 1e300);
  assert.ok(context.when instanceof Date && context.when.getTime() === 1_700_000_000_000, "a Date stays one");
  assert.deepEqual(context.deep, odd.deep);

  const numbers = await first.node.run({ id: "t", type: "transform", parameters: { data: [Number.NaN, -0, 1e-310] } });
  assert.ok(Number.isNaN(numbers.data.result[0]));
  assert.ok(Object.is(numbers.data.result[1], -0));
  assert.equal(numbers.data.result[2], 1e-310);

  const saved = await first.storage.saveFlow({
    id: "shared-flow",
    name: "Shared",
    type: "group",
    nodes: [{ id: "p", type: "pid" }],
    edges: [],
  });
  assert.equal(saved.id, "shared-flow");
  const loaded = await second.storage.loadFlow("shared-flow");
  assert.equal(loaded.name, "Shared");
  const ran = await second.flow.run(loaded, { executionId: "by-second" });
  assert.equal(ran.success, true, ran.error?.message);
  assert.equal(typeof ran.data, "number", "the custom node ran on the worker");
  const record = await endedRecord(first, "by-second");
  assert.equal(record.status, "success");

  const refused = await first.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { breakpoints: ["t"] });
  assert.equal(refused.error?.code, "VALIDATION_FAILED");
  const badId = await first.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { executionId: "a:b" });
  assert.equal(badId.error?.code, "VALIDATION_FAILED");

  // A run's permissions hold on the worker: no shell granted, no command run there.
  const shell = await first.node.run(
    { id: "sh", type: "shell-command", parameters: { program: "echo", args: ["hi"] } },
    { permissions: {} },
  );
  assert.equal(shell.error?.code, "PERMISSION_DENIED", shell.error?.message);
  const allowed = await first.node.run(
    { id: "sh", type: "shell-command", parameters: { program: "echo", args: ["hi"] } },
    { permissions: { shell: true } },
  );
  assert.equal(allowed.success, true, allowed.error?.message);

  // Ids that look like the queue's own keys are runs like any other; cancelling one touches nothing else.
  const flowsRun = await first.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { executionId: "flows" });
  assert.equal(flowsRun.success, true, flowsRun.error?.message);
  assert.equal(await first.node.cancel("flows"), false, "an ended run is not cancelled");
  assert.equal((await second.storage.loadFlow("shared-flow")).name, "Shared", "saved flows are untouched");
  assert.equal(await first.node.cancel("never-queued"), false, "an unknown run is not cancelled");
  // The same id again, from another producer: refused, not answered with the other run's result.
  const duplicate = await second.node.run({ id: "t", type: "transform", parameters: { data: [2] } }, { executionId: "flows" });
  assert.equal(duplicate.error?.code, "VALIDATION_FAILED");
  assert.match(duplicate.error.message, /already queued/);
  // A queued run no worker has taken is taken off the queue: it never starts, even later.
  const idle = createQueueConductor({ connection: redis.url, queue: "idle" });
  const waiting = idle.node.run({ id: "p", type: "pid" }, { executionId: "never-run" });
  assert.equal(await idle.node.cancel("never-run"), true);
  assert.equal((await waiting).error?.code, "CANCELLED");
  const idleWorker = await startQueueWorker({
    connection: redis.url,
    queue: "idle",
    nodeExecutorFactory: { getNodeExecutable: (type) => executors[type] },
  });
  const after = await idle.node.run({ id: "p", type: "pid" }, { executionId: "runs-later" });
  assert.equal(after.success, true, after.error?.message);
  await assert.rejects(idle.executions.get("never-run"), /not found/, "the cancelled run never began");
  await Promise.all([idle.close(), idleWorker.close()]);

  // The CLI: a run and the history through the same queue; a worker without Redis is a usage error.
  const cli = (args) =>
    promisify(execFile)(process.execPath, [CLI, ...args]).then(
      ({ stdout }) => stdout,
      (error) => ({ code: error.code, stderr: error.stderr }),
    );
  const printed = JSON.parse(await cli(["templates", "run", "hello", "--redis", redis.url, "--queue", "api", "--quiet"]));
  assert.equal(printed.success, true, printed.error?.message);
  await endedRecord(first, printed.context.executionId);
  const listed = JSON.parse(await cli(["runs", "--redis", redis.url, "--queue", "api", "--json", "--limit", "100"]));
  assert.ok(
    listed.executions.some((run) => run.flowId === printed.executedNodes[0]),
    "the CLI's run is in the shared history",
  );
  const usage = await cli(["worker"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--redis/);
});

test("the result cache in queue mode lives in the queue's Redis: a result one worker made is a hit on another", {
  timeout: 120_000,
}, async (t) => {
  const redis = await startRedis();
  const queue = "cached";
  const conductor = createQueueConductor({ connection: redis.url, queue, cache: true });
  t.after(async () => {
    await conductor.close();
    await redis.stop();
  });
  const flow = {
    id: "pricing",
    type: "group",
    nodes: [
      { id: "prices", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 1.2", data: [10, 20] } },
      { id: "total", type: "transform", parameters: { operation: "reduce", transformFunction: "(sum, x) => sum + x", reduceInitial: "0" } },
    ],
    edges: [{ id: "e", source: "prices", target: "total", targetHandle: "data" }],
  };
  const states = (record) => Object.fromEntries(record.nodes.map((node) => [node.nodeId, node.state]));

  const first = startWorker(t, redis.url, queue, ["--cache"]);
  await first.until((lines) => lines.some((line) => line.includes("ready")), "it was ready");
  const made = await conductor.node.run(flow);
  assert.equal(made.success, true, made.error?.message);
  assert.deepEqual(states(await endedRecord(conductor, made.context.executionId)), { prices: "completed", total: "completed" });
  first.child.kill("SIGTERM");
  await first.exit;

  const second = startWorker(t, redis.url, queue, ["--cache"]);
  await second.until((lines) => lines.some((line) => line.includes("ready")), "it was ready");
  const served = await conductor.node.run(flow);
  assert.deepEqual(served.data, made.data, "the same result");
  const record = await endedRecord(conductor, served.context.executionId);
  assert.deepEqual(states(record), { prices: "cached", total: "cached" }, "the second worker ran nothing");
  assert.ok(
    record.nodes.every((node) => /^[0-9a-f]{32}$/.test(node.cacheKey) && node.cacheAge >= 0),
    "the record names each entry",
  );

  const stats = await conductor.cache.stats();
  assert.deepEqual([stats.enabled, stats.entries, stats.hits], [true, 2, 2], JSON.stringify(stats));
  assert.deepEqual(await conductor.cache.invalidate({ nodeId: "total" }), { removed: 1 });
  const partly = await conductor.node.run(flow);
  assert.deepEqual(states(await endedRecord(conductor, partly.context.executionId)), { prices: "cached", total: "completed" });
  assert.deepEqual(await conductor.cache.clear(), { removed: 2 });
  const withoutCache = await conductor.node.run(flow, { cache: false });
  assert.deepEqual(states(await endedRecord(conductor, withoutCache.context.executionId)), { prices: "completed", total: "completed" });
  assert.equal((await conductor.cache.stats()).entries, 0, "cache: false neither reads nor writes");
});

test("queue conductors closed right after they were made leave no unhandled rejection and no open connection (15 processes)", {
  timeout: 180_000,
}, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const child = fileURLToPath(new URL("../test-support/queue-close-child.mjs", import.meta.url));
  const outcomes = [];
  for (let i = 0; i < 15; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, [child, redis.url]).catch((error) => error);
    outcomes.push(String(stdout).trim());
  }
  assert.deepEqual(outcomes, Array(15).fill("clean"), outcomes.filter((o) => o !== "clean").join("\n"));
});

test("queue conductors with their history in PostgreSQL, one having run flows on two workers, closed one after the other: no unhandled rejection and no open connection (15 processes)", {
  timeout: 300_000,
}, async (t) => {
  const redis = await startRedis();
  const postgres = await startPostgres();
  t.after(async () => {
    await redis.stop();
    await postgres.stop();
  });
  for (const worker of [0, 1].map(() => startWorker(t, redis.url, "closing", ["--store", postgres.url]))) {
    await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  }
  const child = fileURLToPath(new URL("../test-support/queue-close-child.mjs", import.meta.url));
  const outcomes = [];
  for (let i = 0; i < 15; i++) {
    const { stdout } = await promisify(execFile)(process.execPath, [child, redis.url, postgres.url]).catch((error) => error);
    outcomes.push(String(stdout).trim());
  }
  assert.deepEqual(outcomes, Array(15).fill("clean"), outcomes.filter((o) => o !== "clean").join("\n"));
});

test("queue conductors whose Redis stops before they are closed (while one still connects, or later) close within a bound and let their process end (12 processes)", {
  timeout: 600_000,
}, async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const child = fileURLToPath(new URL("../test-support/queue-close-gone-child.mjs", import.meta.url));
  const outcomes = [];
  // At once: a conductor made a moment before still opens its connections (a graceful close
  // once waited on them for ever); after 1 s: they are open, and Redis goes from under them.
  for (const wait of [0, 0, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000]) {
    const { stdout } = await promisify(execFile)(process.execPath, [child, postgres.url, String(wait)]).catch((error) => error);
    outcomes.push(String(stdout).trim());
  }
  assert.deepEqual(outcomes, Array(12).fill("clean"), outcomes.filter((o) => o !== "clean").join("\n"));
});

test("a worker started before its Redis waits for it, saying so, then takes runs", { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const worker = startWorker(t, url, "late", ["--wait", "60000"]);
  await worker.until((lines) => lines.some((line) => line.startsWith("waiting for the stores")), "the waiting line");
  const redis = await startRedis({ port });
  t.after(() => redis.stop());
  await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready once Redis answers");
  const conductor = createQueueConductor({ connection: url, queue: "late" });
  t.after(() => conductor.close());
  const result = await conductor.node.run(sleepFlow(10), { executionId: "after-wait" });
  assert.equal(result.success, true, result.error?.message);
});

test("a cancel Redis does not answer in time says false, and the run is not cancelled once Redis is back", {
  timeout: 120_000,
}, async (t) => {
  const redis = await startRedis();
  const queue = "paused";
  const conductor = createQueueConductor({ connection: redis.url, queue, pollInterval: 1000 });
  let paused = false;
  t.after(async () => {
    if (paused) process.kill(redis.pid, "SIGCONT");
    await conductor.close();
    await redis.stop();
  });
  // The default lock (10 s) outlasts the outage: the worker keeps its run.
  const worker = startWorker(t, redis.url, queue, ["--lock-duration", "10000", "--stalled-interval", "5000"]);
  await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  const run = conductor.node.run(sleepFlow(8000), { executionId: "paused-1" });
  await worker.until(() => worker.started("paused-") === 1, "the run started");
  // Redis stops answering (its connections stay open: what a hung server or a cut network does).
  process.kill(redis.pid, "SIGSTOP");
  paused = true;
  assert.equal(await conductor.node.cancel("paused-1"), false, "not cancelled, as far as anyone could tell");
  process.kill(redis.pid, "SIGCONT");
  paused = false;
  const result = await run;
  assert.equal(result.success, true, `the cancel answered false did nothing later: ${result.error?.message}\n${worker.lines.join("\n")}`);
});

test("a queue conductor made before its Redis runs flows once Redis is up", { timeout: 120_000 }, async (t) => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const conductor = createQueueConductor({ connection: url, queue: "early" });
  t.after(() => conductor.close());
  const run = conductor.node.run(sleepFlow(10), { executionId: "before-redis" });
  const redis = await startRedis({ port });
  t.after(() => redis.stop());
  const worker = startWorker(t, url, "early");
  await worker.until((lines) => lines.some((line) => line.startsWith("worker ")), "ready");
  const result = await run;
  assert.equal(result.success, true, result.error?.message);
  const record = await endedRecord(conductor, "before-redis");
  assert.equal(record.status, "success");
});
