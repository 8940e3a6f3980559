// A PostgreSQL store that stops answering never holds up the app: opening waits for another
// process's migration off the JS thread, and a server stopped with SIGSTOP (its connections
// open, its kernel still acknowledging, as a paused machine's) is a coded, retryable error at the
// store's deadline, with the event loop free throughout and no record lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor, createQueueConductor } from "@atomiton/conductor";
import { startRedis } from "../test-support/redis.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { probed, tempDir, until } from "../test-support/helpers.mjs";

const linux = process.platform === "linux";

/** The server process and every process it started (its backends), from /proc. */
function serverTree(port) {
  const pids = readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
  const parent = new Map();
  const commands = new Map();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      parent.set(pid, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
      commands.set(pid, readFileSync(`/proc/${pid}/cmdline`, "utf8"));
    } catch {}
  }
  const root = pids.find((pid) => /postgres\0/.test(commands.get(pid) ?? "") && (commands.get(pid) ?? "").includes(`\0${port}\0`));
  assert.ok(root, "the server's process is found");
  const tree = [root];
  for (let at = 0; at < tree.length; at++) {
    for (const [pid, of] of parent) if (of === tree[at] && !tree.includes(pid)) tree.push(pid);
  }
  return tree;
}

const MIGRATION_LOCK = "7022360234688802670"; // 0x61746f6d69746f6e, "atomiton": the engine's key

/** What opens a store on PostgreSQL: a conductor, and a queue fleet's producer (on Redis, its store on PostgreSQL). */
const OPENERS = {
  "a conductor": async (_t, url) => createConductor({ storage: { type: "postgres", url }, history: { store: url } }),
  "a queue producer": async (t, url) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    return createQueueConductor({ connection: redis.url, queue: "migration-lock", store: url });
  },
};

for (const [opener, open] of Object.entries(OPENERS)) {
  test(`${opener} opening a PostgreSQL store while another process holds the migration lock keeps the event loop free`, {
    skip: !linux && "needs PostgreSQL here",
    timeout: 180_000,
  }, async (t) => {
    const postgres = await startPostgres();
    t.after(() => postgres.stop());
    const dir = tempDir(t, "migration-lock");
    const [held, letting] = [join(dir, "held"), join(dir, "letting-go")];
    // Another process migrating: it holds the engine's lock for 6 s, then says it lets it go
    // (the lock goes with its session, after that).
    const holder = spawn(
      "psql",
      [
        postgres.url,
        "-q",
        ...["-c", `SELECT pg_advisory_lock(${MIGRATION_LOCK})`, "-c", `\\! touch ${held}`],
        ...["-c", "SELECT pg_sleep(6)", "-c", `\\! touch ${letting}`],
      ],
      { stdio: "ignore" },
    );
    t.after(() => holder.kill("SIGKILL"));
    await until(() => existsSync(held), undefined, "the other process to hold the lock");
    const { value: flows, widest } = await probed(async () => {
      const conductor = await open(t, postgres.url);
      t.after(() => conductor.shutdown());
      // Answered once the lock is free and the tables are made.
      return conductor.storage.listFlows();
    }, 5);
    assert.deepEqual(flows.flows, []);
    assert.ok(existsSync(letting), "the store answered before the other process let the lock go: the lock was not waited for");
    t.diagnostic(`widest event-loop gap while the store opened: ${widest().toFixed(1)} ms`);
    // The lock was held for 6 s: an opener waiting for it on the JS thread stalls that long.
    assert.ok(widest() < 2000, `the event loop stalled ${widest()} ms while the store opened`);
  });
}

test("PostgreSQL stopped (SIGSTOP) mid-run for 30 s: runs complete, a read fails TRANSPORT_ERROR at the deadline, the event loop stays free, no record is lost", {
  skip: !linux && "SIGSTOP and /proc are Linux's",
  timeout: 240_000,
}, async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = createConductor({ storage: { type: "postgres", url: postgres.url }, history: { store: postgres.url } });
  t.after(() => conductor.shutdown());
  const flow = (id) => ({
    id,
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1, 2, 3], transformFunction: "x => x * 2" } },
      { id: "b", type: "transform", parameters: { transformFunction: "x => x + 1" } },
    ],
    edges: [{ id: "e", source: "a", target: "b" }],
  });
  const before = await conductor.node.run(flow("before"), { executionId: "exec-before" });
  assert.equal(before.success, true, before.error?.message);
  await until(async () => (await conductor.executions.list()).executions.length === 1, undefined, "the first run to be recorded");

  const tree = serverTree(postgres.port);
  for (const pid of tree) process.kill(pid, "SIGSTOP");
  let resumed = false;
  const resume = () => {
    if (!resumed)
      for (const pid of tree)
        try {
          process.kill(pid, "SIGCONT");
        } catch {}
    resumed = true;
  };
  t.after(resume);
  const { value, widest } = await probed(async () => {
    const during = await conductor.node.run(flow("during"), { executionId: "exec-during" });
    const read = await conductor.executions.list().then(
      () => undefined,
      (error) => error,
    );
    return { during, read };
  }, 5);
  resume();
  const { during, read } = value;
  // The run either completes or fails with a code; here it completes (its records are queued).
  assert.equal(during.success, true, during.error?.message);
  assert.ok(read, "a read while the server does not answer fails");
  assert.equal(read.code, "TRANSPORT_ERROR", read.message);
  assert.match(read.message, /did not answer within 30 s/);
  t.diagnostic(`widest event-loop gap while the server did not answer: ${widest().toFixed(1)} ms`);
  assert.ok(widest() < 100, `the event loop stalled ${widest()} ms while the server did not answer`);
  // Once it answers again, both runs are there.
  await until(
    async () => {
      try {
        return (await conductor.executions.list()).executions.length === 2;
      } catch {
        return false;
      }
    },
    undefined,
    "both runs to be recorded once the server answers",
  );
  assert.equal((await conductor.executions.get("exec-during")).status, "success");
});
