// Durable runs through the built package (native engine, SQLite beside the flows): a run whose
// process is killed with SIGKILL at a random point goes on in a new process as the same run, from
// its checkpoints — its result equals an uninterrupted run's, every node that completed ran once,
// a node with effects that was in flight runs again only when it is idempotent or the user says so.
// Also: suspending at shutdown, the CLI's `runs resume`, and replaying a recorded run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { effectsLoggingTo, flowFor, INPUT, random } from "../test-support/durable-flows.mjs";
import { repoRoot, sleep, tempDir, until } from "../test-support/helpers.mjs";

/** How many random flows are killed and resumed. */
const SEEDS = Number(process.env.ATOMITON_DURABLE_SEEDS ?? 30);

/** Starts the child that runs flow `seed` durably on `engine`; resolves once its run is under way. */
async function startChild(t, directory, log, seed, executionId, hang = "", engine = "native", flow = undefined) {
  const script = join(repoRoot, "npm", "test-support", "durable-child.mjs");
  const child = spawn(process.execPath, [script, directory, log, String(seed), executionId, hang, engine], {
    stdio: ["ignore", "pipe", "inherit"],
    env: flow ? { ...process.env, ATOMITON_DURABLE_FLOW: JSON.stringify(flow) } : process.env,
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("started"), undefined, "the child to start its run");
  return {
    out: () => out,
    async kill() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Lines of the effects log: how many times each node had its effect. */
function effects(log) {
  const counts = new Map();
  if (!existsSync(log)) return counts;
  for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

/** The nodes a refused resume names as waiting for a decision. */
function undecided(result) {
  return [...(result.error?.message ?? "").matchAll(/'([^']+)' \(effect\)/g)].map((m) => m[1]);
}

/** Flow `seed` run once without interruption, in memory: its result and each node's output. */
async function reference(t, seed) {
  const log = join(tempDir(t, "durable-reference"), "effects.log");
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: effectsLoggingTo(log) });
  const result = await conductor.node.run(flowFor(seed), { executionId: "reference", input: INPUT });
  assert.equal(result.success, true, result.error?.message);
  const record = await conductor.executions.get("reference");
  await conductor.shutdown();
  return { data: result.data, outputs: new Map(record.nodes.map((n) => [n.nodeId, n.output])) };
}

for (const engine of ["native", "wasm"]) {
  test(`${engine}: ${SEEDS} random flows killed at a random point resume in a new process to the uninterrupted result, each completed node run once`, async (t) => {
    const outcomes = {
      "killed before it began": 0,
      "killed before its input was stored": 0,
      "finished before the kill": 0,
      resumed: 0,
      "resumed after a decision": 0,
    };
    let resumedMidRun = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const flow = flowFor(seed);
      const expected = await reference(t, seed);
      const directory = tempDir(t, `durable-${seed}`);
      const log = join(directory, "effects.log");
      const id = `exec-durable-${seed}`;
      const child = await startChild(t, directory, log, seed, id, "", engine);
      // Somewhere within the run's own waits (the sum of its effect nodes' waits), or just after.
      const span = flow.nodes.reduce((sum, n) => sum + (n.parameters?.waitMs ?? 0), 20);
      await sleep(Math.floor(random(seed * 7919)() * span));
      await child.kill();

      const conductor = createConductor({ engine, storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log) });
      t.after(() => conductor.shutdown());
      const before = await conductor.executions.get(id).catch((error) => error);
      if (before instanceof Error) {
        // Killed before its beginning was stored: then no node had its effect either (a node with
        // effects starts only once everything before it is stored).
        assert.equal(before.code, "NODE_NOT_FOUND");
        assert.equal(effects(log).size, 0, `seed ${seed}: effects of a run with no record`);
        outcomes["killed before it began"] += 1;
        continue;
      }
      const last = flow.nodes.at(-1).id;
      if (before.status === "success") {
        assert.deepEqual(before.nodes.find((n) => n.nodeId === last)?.output, expected.data, `seed ${seed}`);
        outcomes["finished before the kill"] += 1;
        continue;
      }
      if (before.status === "crashed") {
        // Killed in its first moments, before its input was stored: no node with effects had
        // started (a start is stored after everything before it), so none had its effect.
        assert.equal(effects(log).size, 0, `seed ${seed}: crashed after an effect`);
        outcomes["killed before its input was stored"] += 1;
        continue;
      }
      assert.equal(before.status, "interrupted", `seed ${seed}: a durable run whose process died is interrupted, not crashed`);
      assert.equal(before.durable, true);
      const completedBefore = before.nodes.filter((n) => n.state === "completed").map((n) => n.nodeId);

      let result = await conductor.executions.resume(id);
      const waiting = undecided(result);
      if (waiting.length > 0) {
        assert.equal(result.error.code, "DECISION_REQUIRED");
        assert.deepEqual(
          result.error.context.nodes.map((n) => n.nodeId),
          waiting,
          "the error's context lists the nodes to decide on",
        );
        assert.equal((await conductor.executions.get(id)).status, "interrupted", "a refused resume changes nothing");
        // The user's decision, from what they can see: the effect happened (skip, with its output)
        // or it did not (run it again).
        const seen = effects(log);
        const skip = Object.fromEntries(waiting.filter((n) => seen.has(n)).map((n) => [n, expected.outputs.get(n)]));
        const rerun = waiting.filter((n) => !seen.has(n));
        result = await conductor.executions.resume(id, { rerun, skip });
        outcomes["resumed after a decision"] += 1;
      } else {
        outcomes.resumed += 1;
      }
      assert.equal(result.success, true, `seed ${seed}: ${result.error?.message}`);
      assert.deepEqual(result.data, expected.data, `seed ${seed}: the resumed result is the uninterrupted one`);
      assert.equal(result.context?.executionId ?? id, id);
      resumedMidRun += 1;

      const counts = effects(log);
      for (const node of flow.nodes.filter((n) => n.type === "effect")) {
        const count = counts.get(node.id) ?? 0;
        if (completedBefore.includes(node.id) || !node.parameters.idempotent) {
          assert.equal(count, 1, `seed ${seed}: node ${node.id} (completed before, or not idempotent) had its effect ${count} times`);
        } else {
          assert.ok(count === 1 || count === 2, `seed ${seed}: idempotent node ${node.id} ran ${count} times`);
        }
      }
      const after = await conductor.executions.get(id);
      assert.equal(after.status, "success");
      for (const node of flow.nodes) {
        assert.equal(after.nodes.filter((n) => n.nodeId === node.id).length, 1, `seed ${seed}: node ${node.id} is recorded once`);
      }
      assert.deepEqual(await conductor.executions.list({ status: "interrupted" }).then((p) => p.total), 0);
    }
    t.diagnostic(JSON.stringify(outcomes));
    assert.ok(resumedMidRun > 0, "at least one run was killed mid-run and resumed");
  });
}

/** Kills a child running flow `seed` once effect node `hang` had its effect (it never ends there). */
async function interrupted(t, seed, hang, label) {
  const directory = tempDir(t, label);
  const log = join(directory, "effects.log");
  const id = `exec-${label}`;
  const child = await startChild(t, directory, log, seed, id, hang);
  await until(() => effects(log).has(hang), undefined, `node ${hang} to have its effect`);
  await child.kill();
  return { directory, log, id };
}

/** A flow whose first node is pure, its second an effect that is not idempotent, with an idempotent effect later. */
function flowWithEffects() {
  for (let seed = 1; seed < 1000; seed++) {
    const [first, second, ...rest] = flowFor(seed).nodes;
    const later = rest.find((n) => n.type === "effect" && n.parameters.idempotent);
    if (first.type === "transform" && second.type === "effect" && !second.parameters.idempotent && later) {
      return { seed, effect: second.id, idempotent: later.id };
    }
  }
  throw new Error("no seed gives transform → effect → ... → idempotent effect");
}

test("native: resume refuses, changing nothing, an unknown run, a run that ended, and a run whose flow no longer validates", async (t) => {
  const { seed, effect } = flowWithEffects();
  const { directory, log, id } = await interrupted(t, seed, effect, "durable-refusals");
  const expected = await reference(t, seed);

  // Without the executor its effect nodes need, the flow does not validate: nothing runs, the
  // run stays interrupted with its checkpoints.
  const bare = createConductor({ storage: { directory }, durability: {} });
  await assert.rejects(bare.executions.resume("exec-no-such-run"), { code: "NODE_NOT_FOUND" });
  const invalid = await bare.executions.resume(id, { rerun: [effect] });
  assert.equal(invalid.success, false);
  assert.equal(invalid.error.code, "NODE_TYPE_NOT_FOUND", invalid.error.message);
  assert.equal((await bare.executions.get(id)).status, "interrupted");
  await bare.shutdown();

  const conductor = createConductor({ storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log) });
  t.after(() => conductor.shutdown());
  const refused = await conductor.executions.resume(id);
  assert.equal(refused.error?.code, "DECISION_REQUIRED");
  assert.equal(refused.error.type, "decision");
  assert.match(refused.error.recovery?.suggestions?.join(" ") ?? "", /rerun/, "advice of its own, not the validation table's");
  assert.deepEqual(undecided(refused), [effect], refused.error?.message);
  assert.match((await conductor.executions.resume(id, { rerun: ["t0"] })).error.message, /node 't0': it was not running/);
  const resumed = await conductor.executions.resume(id, { rerun: [effect] });
  assert.equal(resumed.success, true, resumed.error?.message);
  assert.deepEqual(resumed.data, expected.data);
  assert.equal(effects(log).get(effect), 2, "rerun: the user chose to have its effect again");
  const again = await conductor.executions.resume(id);
  assert.equal(again.success, false);
  assert.match(again.error.message, /ended success/);
});

test("native: two conductors on one store resume an interrupted run once between them", async (t) => {
  const { seed, effect } = flowWithEffects();
  const { directory, log, id } = await interrupted(t, seed, effect, "durable-race");
  const open = () => createConductor({ storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log) });
  const [one, two] = [open(), open()];
  t.after(() => Promise.all([one.shutdown(), two.shutdown()]));
  const results = await Promise.all([one, two].map((c) => c.executions.resume(id, { rerun: [effect] })));
  assert.deepEqual(results.map((r) => r.success).sort(), [false, true], results.map((r) => r.error?.message ?? "ok").join(" | "));
  const refused = results.find((r) => !r.success);
  assert.equal(refused.error.code, "VALIDATION_FAILED");
  assert.equal(effects(log).get(effect), 2, "once in the killed process, once by the conductor that won");
});

test('native: skip gives an in-flight node\'s output instead of running it; resume: "auto" resumes what needs no decision', async (t) => {
  const { seed, effect, idempotent } = flowWithEffects();
  const expected = await reference(t, seed);

  const skipped = await interrupted(t, seed, effect, "durable-skip");
  const conductor = createConductor({
    storage: { directory: skipped.directory },
    durability: {},
    nodeExecutorFactory: effectsLoggingTo(skipped.log),
  });
  t.after(() => conductor.shutdown());
  const result = await conductor.executions.resume(skipped.id, { skip: { [effect]: expected.outputs.get(effect) } });
  assert.equal(result.success, true, result.error?.message);
  assert.deepEqual(result.data, expected.data);
  assert.equal(effects(skipped.log).get(effect), 1, "skipped: its effect happened once, in the killed process");

  // Killed in an idempotent node: it runs again without asking, when the next conductor opens.
  const automatic = await interrupted(t, seed, idempotent, "durable-auto");
  const auto = createConductor({
    storage: { directory: automatic.directory },
    durability: { resume: "auto" },
    nodeExecutorFactory: effectsLoggingTo(automatic.log),
  });
  t.after(() => auto.shutdown());
  await until(async () => (await auto.executions.get(automatic.id)).status === "success", undefined, "the run to resume by itself");
  const counts = effects(automatic.log);
  assert.deepEqual(
    [counts.get(effect), counts.get(idempotent)],
    [1, 2],
    "completed before the kill: once; idempotent and in flight: again",
  );
  const record = await auto.executions.get(automatic.id);
  assert.deepEqual(record.nodes.find((n) => n.nodeId === flowFor(seed).nodes.at(-1).id).output, expected.data);
});

test("native: a durable run is refused where its checkpoints could not outlive the process", () => {
  assert.throws(() => createConductor({ storage: { type: "memory" }, durability: {} }).node, /durability needs a run history kept/);
  assert.throws(() => createConductor({ history: false, durability: {} }).node, /'durability' must be absent with history: false/);
});

test("durability.sync: accepted by the native engine; the WebAssembly engine, which cannot flush its host's storage, refuses it", async (t) => {
  const directory = tempDir(t, "durable-sync");
  const synced = createConductor({
    storage: { directory },
    durability: { sync: true },
    nodeExecutorFactory: effectsLoggingTo(join(directory, "effects.log")),
  });
  t.after(() => synced.shutdown());
  const result = await synced.node.run({ id: "e0", type: "effect", parameters: { k: 1 } });
  assert.equal(result.success, true, result.error?.message);
  // Refused when the conductor is made or, the WebAssembly module loading first, at its first run.
  const refused = await (async () => {
    try {
      const wasm = createConductor({ engine: "wasm", storage: { directory: join(directory, "wasm") }, durability: { sync: true } });
      const run = await wasm.node.run({ id: "t", type: "transform", parameters: { data: [1] } });
      return run.success ? undefined : run.error;
    } catch (error) {
      return error;
    }
  })();
  assert.equal(refused?.code, "VALIDATION_FAILED", refused?.message);
  assert.match(refused.message, /durability\.sync is the native engine's/);
});

test("native: a program a node started does not outlive the process that runs the engine", async (t) => {
  const directory = tempDir(t, "durable-orphan");
  const marker = join(directory, "after-death.txt");
  const script = `
    import { createConductor } from "@atomiton/conductor";
    const conductor = createConductor({ storage: { type: "memory" } });
    void conductor.node.run({ id: "late", type: "shell-command", parameters: { program: "sh", args: ["-c", "sleep 1; echo b >> '${marker}'"] } });
    setTimeout(() => process.stdout.write("started\\n"), 300);
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(repoRoot, "npm"),
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("started"), undefined, "the child to start the program");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  // Five times the program's own sleep: had it lived on, it would have written by now.
  await sleep(5000);
  assert.equal(existsSync(marker), false, "the shell went on after its host was killed");
});

test("native: an attempt the process's end interrupted counts within the node's retries", async (t) => {
  // `slow` has its effect and never answers: each attempt times out (a retryable error).
  // Uninterrupted it makes 2 attempts (retries: 1); killed in its first, the resume has one left.
  const flow = {
    id: "retried",
    type: "group",
    nodes: [
      { id: "t0", type: "transform", parameters: { transformFunction: "item => item + 1" } },
      { id: "slow", type: "effect", parameters: { k: 1, retries: 1, retryDelay: 10, timeout: 500, idempotent: true } },
    ],
    edges: [{ source: "t0", target: "slow" }],
  };
  const directory = tempDir(t, "durable-attempts");
  const log = join(directory, "effects.log");
  const id = "exec-durable-attempts";
  const child = await startChild(t, directory, log, 0, id, "slow", "native", flow);
  await until(() => effects(log).get("slow") === 1, undefined, "the first attempt to have its effect");
  await child.kill();

  const conductor = createConductor({ storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log, "slow") });
  t.after(() => conductor.shutdown());
  const result = await conductor.executions.resume(id);
  assert.equal(result.success, false);
  assert.equal(result.error.code, "TIMEOUT", result.error.message);
  assert.equal(effects(log).get("slow"), 2, "one attempt before the kill, the one left after it");
  const record = await conductor.executions.get(id);
  assert.equal(record.nodes.find((n) => n.nodeId === "slow").attempts, 2, "the record counts both");
});

test("native: shutdown({suspend: true}) stops a durable run at a node boundary: the node running ends, nothing more starts; this process resumes it", async (t) => {
  // e0 is running when the conductor shuts down: it finishes (its output checkpointed), e1 and
  // t2 wait for the resume.
  const flow = {
    id: "suspended",
    type: "group",
    nodes: [
      { id: "e0", type: "effect", parameters: { k: 1, waitMs: 400 } },
      { id: "e1", type: "effect", parameters: { k: 2 } },
      { id: "t2", type: "transform", parameters: { transformFunction: "item => item * 2" } },
    ],
    edges: [
      { source: "e0", target: "e1" },
      { source: "e1", target: "t2" },
    ],
  };
  const directory = tempDir(t, "durable-suspend");
  const log = join(directory, "effects.log");
  const first = createConductor({ storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log) });
  const running = first.node.run(flow, { executionId: "exec-suspended", input: INPUT });
  await until(() => effects(log).has("e0"), undefined, "node e0 to start");
  const suspendedAt = Date.now();
  await first.shutdown({ suspend: true });
  const stopped = await running;
  const took = Date.now() - suspendedAt;
  assert.equal(stopped.error?.code, "CANCELLED", "the caller learns the run stopped");
  assert.ok(took < 9_000, `it stopped when e0 ended, well before the 10 s grace (${took} ms)`);
  assert.deepEqual([...effects(log).keys()], ["e0"], "nothing started after the suspension");

  const second = createConductor({ storage: { directory }, durability: {}, nodeExecutorFactory: effectsLoggingTo(log) });
  t.after(() => second.shutdown());
  const record = await second.executions.get("exec-suspended");
  assert.equal(record.status, "interrupted");
  assert.equal(record.nodes.find((n) => n.nodeId === "e0")?.state, "completed", "e0 ended, and its end is recorded");
  const resumed = await second.executions.resume("exec-suspended");
  assert.equal(resumed.success, true, resumed.error?.message);
  const reference = await createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: effectsLoggingTo(join(directory, "reference.log")),
  }).node.run(flow, { input: INPUT });
  assert.deepEqual(resumed.data, reference.data);
  assert.deepEqual(Object.fromEntries(effects(log)), { e0: 1, e1: 1 }, "no node had its effect twice: the suspension waited for e0");
});

test("cli: atomiton runs shows an interrupted run and runs resume goes on with it once told what to do with the command in flight", async (t) => {
  const directory = tempDir(t, "durable-cli");
  const log = join(directory, "effects.log");
  const go = join(directory, "go");
  const flow = {
    id: "cli-durable",
    type: "group",
    nodes: [
      { id: "double", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x * 2" } },
      // Its effect, then it waits (until `go` exists) for the kill.
      {
        id: "cmd",
        type: "shell-command",
        parameters: { program: "sh", args: ["-c", `echo cmd >> '${log}'; while [ ! -f '${go}' ]; do sleep 0.05; done`] },
      },
    ],
    edges: [{ source: "double", target: "cmd" }],
  };
  const script = `
    import { createConductor } from "@atomiton/conductor";
    const conductor = createConductor({ storage: { directory: ${JSON.stringify(directory)} }, durability: {} });
    void conductor.node.run(${JSON.stringify(flow)}, { executionId: "exec-cli" });
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], { cwd: join(repoRoot, "npm"), stdio: "ignore" });
  t.after(() => child.kill("SIGKILL"));
  await until(() => effects(log).has("cmd"), undefined, "the command to start");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  writeFileSync(go, "");

  const cli = (...args) =>
    spawnSync(process.execPath, [join(repoRoot, "npm", "dist", "cli", "main.js"), ...args, "--storage", directory], { encoding: "utf8" });
  const listed = cli("runs", "--status", "interrupted");
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /^exec-cli\s+cli-durable\s+interrupted/m);
  assert.match(cli("runs", "show", "exec-cli").stdout, /atomiton runs resume exec-cli/);
  const refused = cli("runs", "resume", "exec-cli", "-q");
  assert.equal(refused.status, 1, refused.stderr);
  assert.match(refused.stdout + refused.stderr, /'cmd' \(shell-command\)/);
  assert.equal(JSON.parse(refused.stdout).error.code, "DECISION_REQUIRED");
  // The outcome line says how to decide in the CLI's own words, not the API's `{rerun: [...]}`.
  const told = cli("runs", "resume", "exec-cli");
  const outcome = (told.stdout + told.stderr).split("\n").find((line) => line.includes("DECISION_REQUIRED:")) ?? "";
  assert.match(outcome, /`atomiton runs resume exec-cli --rerun cmd` runs it again/, told.stdout + told.stderr);
  assert.match(outcome, /`atomiton runs resume exec-cli --skip cmd=<json>` takes <json> as its output/);
  assert.doesNotMatch(outcome, /\{rerun/);
  const resumed = cli("runs", "resume", "exec-cli", "--rerun", "cmd", "-q", "--json");
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).success, true);
  assert.equal(effects(log).get("cmd"), 2, "run again, as told");
  assert.equal(JSON.parse(cli("runs", "--json").stdout).executions[0].status, "success");
});

test("native: replay gives nodes with effects their recorded outputs (no request sent, no file written) and flags the node whose expression changed", async (t) => {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ items: [1, 2, 3] }));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const directory = tempDir(t, "replay");
  const written = join(directory, "out.json");
  const flow = (factor) => ({
    id: "fetch-double-save",
    type: "group",
    nodes: [
      { id: "fetch", type: "http-request", parameters: { url: `http://127.0.0.1:${server.address().port}/items` } },
      { id: "double", type: "transform", parameters: { dataPath: "result.items", transformFunction: `x => x * ${factor}` } },
      { id: "save", type: "file-system", parameters: { operation: "write", path: written } },
    ],
    edges: [
      { source: "fetch", target: "double", targetHandle: "data" },
      { source: "double", target: "save", targetHandle: "input" },
    ],
  });
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  const recorded = await conductor.node.run(flow(2), { executionId: "exec-recorded" });
  assert.equal(recorded.success, true, recorded.error?.message);
  assert.equal(requests, 1);
  assert.deepEqual(JSON.parse(readFileSync(written, "utf8")).result, [2, 4, 6]);
  rmSync(written);

  const same = await conductor.executions.replay("exec-recorded");
  assert.equal(same.success, true, same.error?.message);
  assert.deepEqual(same.differences, [], "nothing changed, nothing differs");

  const edited = await conductor.executions.replay("exec-recorded", { flow: flow(3) });
  assert.equal(edited.success, true, edited.error?.message);
  assert.deepEqual(
    edited.differences.map((d) => [d.nodeId, d.recorded?.result, d.replayed?.result]),
    [["double", [2, 4, 6], [3, 6, 9]]],
  );
  assert.equal(requests, 1, "no request was sent by a replay");
  assert.equal(existsSync(written), false, "no file was written by a replay");

  // A node with effects the record has no output for would have to run: refused.
  const grown = flow(2);
  grown.nodes.push({ id: "again", type: "http-request", parameters: { url: `http://127.0.0.1:${server.address().port}/more` } });
  const refused = await conductor.executions.replay("exec-recorded", { flow: grown });
  assert.equal(refused.success, false);
  assert.match(refused.error.message, /Cannot replay: 'again' \(http-request\)/);
  assert.equal(requests, 1);
});

test("cli: run --suspend stops on SIGTERM at the next node boundary to be resumed, and runs resume finishes it", async (t) => {
  const directory = tempDir(t, "durable-cli-suspend");
  const log = join(directory, "effects.log");
  const go = join(directory, "go");
  const flowFile = join(directory, "flow.json");
  writeFileSync(
    flowFile,
    JSON.stringify({
      id: "cli-suspend",
      type: "group",
      nodes: [
        { id: "double", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x * 2" } },
        {
          id: "cmd",
          type: "shell-command",
          parameters: {
            idempotent: true,
            program: "sh",
            args: ["-c", `echo cmd >> '${log}'; while [ ! -f '${go}' ]; do sleep 0.05; done`],
          },
        },
        { id: "after", type: "transform", parameters: { data: [3], transformFunction: "x => x + 1" } },
      ],
      edges: [
        { source: "double", target: "cmd" },
        { source: "cmd", target: "after" },
      ],
    }),
  );
  const main = join(repoRoot, "npm", "dist", "cli", "main.js");
  const child = spawn(process.execPath, [main, "run", flowFile, "--suspend", "--storage", directory, "-q"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  t.after(() => child.kill("SIGKILL"));
  await until(() => effects(log).has("cmd"), undefined, "the command to start");
  const exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill("SIGTERM");
  // The run stops at its next node boundary: the command running is let finish.
  await sleep(200);
  writeFileSync(go, "");
  assert.equal(await exited, 143, "SIGTERM's exit code");

  const cli = (...args) => spawnSync(process.execPath, [main, ...args, "--storage", directory], { encoding: "utf8" });
  const [run] = JSON.parse(cli("runs", "--json").stdout).executions;
  assert.equal(run.status, "interrupted");
  const resumed = cli("runs", "resume", run.id, "-q");
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(effects(log).get("cmd"), 1, "it ended before the run stopped: not run again");
});
