// Flows that start themselves, through the built package: a `schedule` node's flow activated,
// each fire a run with the fire as its input, listed with its run; pause, resume and deactivate;
// mistakes refused; and three processes firing one store (SQLite, PostgreSQL, a queue's Redis), one of them
// SIGKILLed mid-way:
// each fire time runs once, none lost; and a real downtime past the grace minute, after which each
// misfire policy does what it says. No test here judges speed: waits are for counts, with
// margins far beyond what a fire takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createQueueConductor } from "@atomiton/conductor";
import { createConductor } from "@atomiton/conductor/desktop";
import { repoRoot, tempDir, until } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import { startRedis } from "../test-support/redis.mjs";

/** A flow started every second: its schedule node, then a node that keeps the fire it got. */
const ticker = (parameters = { every: "1s" }) => ({
  id: "ticker",
  name: "Ticker",
  type: "group",
  nodes: [
    { id: "tick", type: "schedule", parameters },
    { id: "kept", type: "edit-fields", parameters: { values: { seen: "{{ scheduledAt }}" } } },
  ],
  edges: [{ id: "e1", source: "tick", target: "kept" }],
});

const ran = (fire) => fire.status !== "skipped" && fire.status !== "claimed";

async function fires(conductor, limit = 1000) {
  return conductor.triggers.fires("ticker/tick", { limit });
}

test("native: an activated schedule starts a run per fire, with the fire as its input", async (t) => {
  await runsPerFire(t, createConductor({ storage: { directory: tempDir(t, "triggers") } }));
});

test("wasm in Node: an activated schedule starts a run per fire; triggers and fires are files beside the history", async (t) => {
  const directory = tempDir(t, "triggers-wasm");
  await runsPerFire(t, createConductor({ engine: "wasm", storage: { directory }, history: true }));
  const triggers = readdirSync(join(directory, "triggers")).filter((name) => !name.startsWith("."));
  assert.deepEqual(triggers, [], "deactivated: no trigger left");
  const records = readdirSync(join(directory, "trigger-fires")).filter((name) => name.startsWith("f.ticker.tick."));
  assert.ok(records.length >= 3, records.join(", "));
});

/** Activates the ticker on `conductor`, waits for three runs, checks them, then pauses, resumes and deactivates it. */
async function runsPerFire(t, conductor) {
  t.after(() => conductor.shutdown());
  await conductor.storage.saveFlow(ticker());
  const [active] = await conductor.triggers.activate("ticker");
  assert.deepEqual(
    [active.id, active.flowId, active.nodeId, active.type, active.paused],
    ["ticker/tick", "ticker", "tick", "schedule", false],
  );
  assert.equal(typeof active.next, "number");
  await until(async () => (await fires(conductor)).filter((fire) => fire.status === "succeeded").length >= 3, 120_000, "three fires");

  const done = (await fires(conductor)).filter((fire) => fire.status === "succeeded");
  for (const fire of done) {
    assert.equal(fire.scheduledAt % 1000, (active.next ?? 0) % 1000, "fires are whole intervals apart");
    const record = await conductor.executions.get(fire.executionId);
    assert.equal(record.status, "success");
    const tick = record.nodes.find((node) => node.nodeId === "tick" || node.id === "tick");
    assert.ok(tick, "the schedule node ran");
    // A trigger routes (as `if` does): its record is `{ports, value}`, the value its fire.
    assert.deepEqual(tick.output.ports, ["fire"]);
    const output = tick.output.value;
    assert.equal(output.type, "schedule");
    assert.equal(Date.parse(output.scheduledAt), fire.scheduledAt, "the run's input is its fire");
    assert.equal(output.flowId, "ticker");
  }
  const times = done.map((fire) => fire.scheduledAt).sort((a, b) => a - b);
  assert.equal(new Set(times).size, times.length, "one run per fire time");

  // Paused: listed as paused, nothing fires; deactivated: gone, its records kept.
  assert.equal(await conductor.triggers.pause("ticker/tick"), true);
  assert.equal((await conductor.triggers.list())[0].paused, true);
  assert.equal(await conductor.triggers.resume({ flowId: "ticker", nodeId: "tick" }), true);
  assert.deepEqual(await conductor.triggers.deactivate("ticker"), { removed: 1 });
  assert.deepEqual(await conductor.triggers.list(), []);
  assert.ok((await fires(conductor)).length >= 3, "the fire records stay");
  assert.equal(await conductor.triggers.pause("ticker/tick"), false, "nothing active to pause");
}

test("native: mistakes in triggers are refused with what to write", async (t) => {
  const conductor = createConductor({ storage: { directory: tempDir(t, "triggers-refused") } });
  t.after(() => conductor.shutdown());
  await conductor.storage.saveFlow({ id: "plain", type: "group", nodes: [{ id: "a", type: "transform", parameters: {} }], edges: [] });
  await assert.rejects(
    conductor.triggers.activate("plain"),
    (e) => e.code === "VALIDATION_FAILED" && /has no trigger node/.test(e.message),
  );
  await assert.rejects(conductor.triggers.activate("absent"), (e) => e.code === "NODE_NOT_FOUND");
  await assert.rejects(conductor.triggers.fires("no-slash"), (e) => e.code === "VALIDATION_FAILED" && /flowId\/nodeId/.test(e.message));

  // Validation reads the pattern and the zone, as activation would.
  const bad = await conductor.node.validate(ticker({ cron: "0 9 * * *", timezone: "Europe/Berlinn" }));
  assert.equal(bad.valid, false);
  assert.ok(
    bad.errors.some((error) => /IANA time zone/.test(error.message ?? error)),
    JSON.stringify(bad.errors),
  );
  const both = await conductor.node.validate(ticker({ cron: "0 9 * * *", every: "1m" }));
  assert.equal(both.valid, false);
  const good = await conductor.node.validate(ticker({ cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin", misfire: "coalesce" }));
  assert.equal(good.valid, true, JSON.stringify(good.errors));
});

test("native: the runs a trigger starts get the permissions it was activated with; a watch outside their roots is refused", async (t) => {
  const directory = tempDir(t, "triggers-permissions");
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  await conductor.storage.saveFlow({
    id: "confined",
    type: "group",
    nodes: [
      { id: "tick", type: "schedule", parameters: { every: "1s" } },
      { id: "sh", type: "shell-command", parameters: { program: "true" } },
    ],
    edges: [{ id: "e", source: "tick", target: "sh" }],
  });
  await conductor.triggers.activate("confined", { permissions: { http: true } });
  const ended = async () =>
    (await conductor.triggers.fires("confined/tick", { limit: 100 })).filter(
      (fire) => fire.status === "failed" || fire.status === "succeeded",
    );
  await until(async () => (await ended()).length >= 1, 120_000, "a fire's run ended");
  const [fire] = await ended();
  assert.equal(fire.status, "failed", "a process is not among what the activation granted");
  const record = await conductor.executions.get(fire.executionId);
  assert.equal(record.error?.code, "PERMISSION_DENIED", JSON.stringify(record.error));
  await conductor.triggers.deactivate("confined");

  const inbox = join(directory, "inbox");
  mkdirSync(inbox);
  await conductor.storage.saveFlow({
    id: "watching",
    type: "group",
    nodes: [{ id: "w", type: "file-watch", parameters: { path: inbox } }],
    edges: [],
  });
  await assert.rejects(
    conductor.triggers.activate("watching", { permissions: { files: { roots: [join(directory, "elsewhere")] } } }),
    (error) => error.code === "PERMISSION_DENIED" && /Node 'w'/.test(error.message),
  );
  assert.deepEqual(await conductor.triggers.list(), []);
  const [watch] = await conductor.triggers.activate("watching", { permissions: { files: { roots: [directory] } } });
  assert.equal(watch.id, "watching/w");
  await conductor.triggers.deactivate("watching");
});

/** A process that fires the triggers of the store `config` names, until killed or stopped. */
function triggerChild(t, config) {
  const child = spawn(process.execPath, [join(repoRoot, "npm", "test-support", "trigger-child.mjs"), JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  return { child, ready: () => out.includes("ready") };
}

/**
 * Three processes firing one store (the conductor config `config` names it), one SIGKILLed
 * mid-way: each fire time runs once, and none is lost past the misfire rule.
 */
async function fleet(t, config, { workers } = {}) {
  // A config naming a queue's Redis (`connection`) is a queue fleet's producer: its store is Redis.
  const conductor = config.connection ? createQueueConductor(config) : createConductor(config);
  t.after(async () => {
    await conductor.shutdown();
    await conductor.close?.();
  });
  await conductor.storage.saveFlow(ticker());
  await conductor.triggers.activate("ticker");
  // This one only manages: the children fire.
  conductor.triggers.stop();

  const children = [0, 1, 2].map(() => triggerChild(t, config));
  // A queue's fires run on its workers: one for the whole fleet.
  if (workers) startWorker(t, config.connection, config.queue);
  await until(() => children.every((c) => c.ready()), 120_000, "three processes ready");
  const count = async () => (await fires(conductor)).filter(ran).length;
  const start = await count();
  // 60 fires of the 1 s schedule: 20 with three processes, 40 after one of them was killed.
  await until(async () => (await count()) >= start + 20, 200_000, "twenty fires");
  children[1].child.kill("SIGKILL");
  await until(async () => (await count()) >= start + 60, 200_000, "forty more fires after the kill");
  await conductor.triggers.deactivate("ticker");
  await Promise.all(
    [children[0], children[2]].map(
      ({ child }) =>
        new Promise((resolve) => {
          child.once("exit", resolve);
          child.kill("SIGTERM");
        }),
    ),
  );

  const all = await fires(conductor);
  const started = all.filter(ran);
  const ids = started.map((fire) => fire.executionId);
  const recordedIds = async () =>
    (await conductor.executions.list({ flowId: "ticker", limit: 1000 })).executions.map((run) => run.id ?? run.executionId);
  // A queue's runs may still be on its workers: every fire's run is recorded in the end.
  await until(
    async () => {
      const known = await recordedIds();
      return ids.filter((id) => !known.includes(id)).length <= 1;
    },
    120_000,
    "every fire's run recorded",
  );
  assert.equal(new Set(ids).size, ids.length, "every fire has a run of its own");
  // No fire lost: from the first to the last, every second has a record (run, claim or skipped range).
  const covered = new Set();
  for (const fire of all) {
    if (fire.skipped) for (let at = fire.skipped.first; at <= fire.skipped.last; at += 1000) covered.add(at);
    else covered.add(fire.scheduledAt);
  }
  const times = [...covered].sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++)
    assert.equal(times[i] - times[i - 1], 1000, `no fire lost between ${times[i - 1]} and ${times[i]}`);
  // Each run recorded once, for its own fire.
  const recorded = await recordedIds();
  assert.equal(new Set(recorded).size, recorded.length, "no run recorded twice");
  for (const id of recorded) assert.ok(ids.includes(id), `run ${id} belongs to a fire`);
  // The killed process may have died between recording its fire's run and the run's first record.
  const missing = ids.filter((id) => !recorded.includes(id));
  assert.ok(missing.length <= 1, `fires without a run: ${missing.join(", ")}`);
}

test("native: three processes firing one SQLite store, one SIGKILLed mid-way, start each fire once and lose none", async (t) => {
  await fleet(t, { storage: { directory: tempDir(t, "triggers-fleet") } });
});

test("native: three processes firing one PostgreSQL database, one SIGKILLed mid-way, start each fire once and lose none", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const url = postgres.url;
  await fleet(t, { storage: { type: "postgres", url }, history: { store: url } });
});

test("native: three producers of a queue firing its Redis, one SIGKILLed mid-way, start each fire once and lose none", async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  await fleet(t, { connection: redis.url, queue: "ticks" }, { workers: true });
});

test("native: after a real downtime past the grace minute, each misfire policy does what it says", async (t) => {
  const every = 10_000;
  const config = { storage: { directory: tempDir(t, "triggers-downtime") } };
  const conductor = createConductor(config);
  t.after(() => conductor.shutdown());
  const policies = { skip: { misfire: "skip" }, coalesce: { misfire: "coalesce" }, all: { misfire: "all", maxCatchUp: 2 } };
  for (const [id, policy] of Object.entries(policies)) {
    const flow = ticker({ every: `${every / 1000}s`, ...policy });
    await conductor.storage.saveFlow({ ...flow, id });
    await conductor.triggers.activate(id);
  }
  // This one only manages: the children fire.
  conductor.triggers.stop();
  const firesOf = (id) => conductor.triggers.fires(`${id}/tick`, { limit: 1000 });
  const ranOf = async (id) => (await firesOf(id)).filter(ran);

  // The first process fires each trigger, then dies.
  const first = triggerChild(t, config);
  await until(first.ready, 120_000, "the first process ready");
  for (const id of Object.keys(policies)) await until(async () => (await ranOf(id)).length >= 1, 120_000, `a fire of ${id}`);
  first.child.kill("SIGKILL");
  const killedAt = Date.now();
  // Down for longer than the grace minute plus two fires: some fires are late by any measure.
  await new Promise((resolve) => setTimeout(resolve, 60_000 + 3 * every));
  const restartedAt = Date.now();
  const second = triggerChild(t, config);
  await until(second.ready, 120_000, "the second process ready");
  // Each trigger's backlog is planned at the second process's first look; wait for a run after it.
  for (const id of Object.keys(policies)) {
    await until(async () => (await ranOf(id)).some((fire) => fire.firedAt >= restartedAt), 120_000, `${id} firing again`);
  }
  second.child.kill("SIGTERM");
  await new Promise((resolve) => second.child.once("exit", resolve));

  const late = restartedAt - 60_000 - every; // fires at or before this were late when the second process looked
  const checks = {};
  for (const id of Object.keys(policies)) {
    const all = await firesOf(id);
    // No fire lost: from the first to the last, every fire time has a record (a run, a claim or a skipped range).
    const covered = new Set();
    for (const fire of all) {
      if (fire.skipped) for (let at = fire.skipped.first; at <= fire.skipped.last; at += every) covered.add(at);
      else covered.add(fire.scheduledAt);
    }
    const times = [...covered].sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      assert.equal(times[i] - times[i - 1], every, `${id}: no fire lost between ${times[i - 1]} and ${times[i]}`);
    // Fires due while the process was down, by what became of them.
    const down = all.filter((fire) => (fire.skipped?.last ?? fire.scheduledAt) > killedAt && fire.scheduledAt < restartedAt);
    checks[id] = { down, ranDown: down.filter(ran), skipped: down.filter((fire) => fire.skipped).map((fire) => fire.skipped) };
  }
  // skip: the late fires did not run, and one record says they were missed; no run for a late one.
  const skip = checks.skip;
  assert.equal(skip.skipped.length, 1, "one skipped range");
  assert.equal(skip.skipped[0].reason, "missed");
  assert.ok(skip.skipped[0].count >= 2, `missed ${skip.skipped[0].count}`);
  for (const fire of skip.ranDown) assert.ok(fire.scheduledAt > late, `skip ran a late fire (${fire.scheduledAt})`);
  // coalesce: the late fires are coalesced into one that ran.
  const coalesce = checks.coalesce;
  assert.equal(coalesce.skipped.length, 1, "one coalesced range");
  assert.equal(coalesce.skipped[0].reason, "coalesced");
  assert.ok(
    coalesce.ranDown.some((fire) => fire.scheduledAt === coalesce.skipped[0].into),
    "the fire they were coalesced into ran",
  );
  for (const fire of coalesce.ranDown) assert.ok(fire.scheduledAt > coalesce.skipped[0].last, "no late fire ran besides");
  // all, capped at 2: the latest two of the backlog ran, the older ones are over the cap.
  const catchUp = checks.all;
  assert.equal(catchUp.skipped.length, 1, "one over-cap range");
  assert.equal(catchUp.skipped[0].reason, "over-cap");
  assert.equal(catchUp.skipped[0].cap, 2);
  const { last } = catchUp.skipped[0];
  const ranAll = (await firesOf("all")).filter(ran).map((fire) => fire.scheduledAt);
  assert.ok(ranAll.includes(last + every) && ranAll.includes(last + 2 * every), "the two fires after the range ran");
  for (const fire of catchUp.ranDown) assert.ok(fire.scheduledAt > last, "no fire over the cap ran");
});

test("native: atomiton triggers activates, lists, shows fires, pauses and deactivates a store's triggers", async (t) => {
  const directory = tempDir(t, "triggers-cli");
  const saver = createConductor({ storage: { directory } });
  await saver.storage.saveFlow(ticker({ cron: "0 9 * * MON-FRI", timezone: "Europe/Berlin" }));
  await saver.shutdown();
  const cli = (...args) => {
    const done = spawnSync(
      process.execPath,
      [join(repoRoot, "npm", "dist", "cli", "main.js"), "triggers", ...args, "--storage", directory],
      {
        encoding: "utf8",
      },
    );
    return { code: done.status, out: done.stdout, err: done.stderr };
  };
  const activated = cli("activate", "ticker", "--json");
  assert.equal(activated.code, 0, activated.err);
  const [trigger] = JSON.parse(activated.out);
  assert.equal(trigger.id, "ticker/tick");
  // The next weekday at 09:00 in Berlin: 07:00 or 08:00 UTC.
  assert.ok([7, 8].includes(new Date(trigger.next).getUTCHours()), `next fire ${new Date(trigger.next).toISOString()}`);
  const listed = cli();
  assert.equal(listed.code, 0, listed.err);
  assert.match(listed.out, /ticker\/tick\s+schedule\s+\d{4}-\d\d-\d\dT0[78]:00:00Z\s+no/);
  assert.match(cli("fires", "ticker/tick").out, /no fires of ticker\/tick yet/);
  assert.deepEqual([cli("pause", "ticker/tick").code, cli("pause", "ticker/nope").code], [0, 1]);
  assert.match(cli().out, /ticker\/tick\s+schedule\s+-\s+yes/);
  assert.equal(cli("bogus").code, 2);
  assert.equal(cli("fires").code, 2, "a missing trigger is a usage error");
  assert.match(cli("deactivate", "ticker").out, /1 trigger\(s\) deactivated/);
  assert.match(cli().out, /no active triggers/);
});
