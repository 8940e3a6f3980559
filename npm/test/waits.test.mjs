// Durable waits through the built package (native engine, SQLite beside the flows): a run parks
// at a `wait` node — status `waiting`, nothing held — and is woken by a signal, an approval, a
// resume URL or its time, in this process or another one after the first was killed; each wake is
// taken once, and what is refused changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConductorError, createConductor, createProtocolServer } from "@atomiton/conductor";
import { WebSocketServer } from "ws";
import { repoRoot, sleep, tempDir, until } from "../test-support/helpers.mjs";
import { remoteClients } from "../test-support/remote.mjs";

/** `effect` → `wait` (parameters `wait`) → `effect`: the effects are counted in the log. */
function flowWith(wait) {
  return {
    id: "waits",
    type: "group",
    nodes: [
      { id: "before", type: "effect" },
      { id: "w", type: "wait", parameters: wait },
      { id: "after", type: "effect" },
    ],
    edges: [
      { id: "e1", source: "before", target: "w" },
      { id: "e2", source: "w", target: "after" },
    ],
  };
}

/** Executors of `effect` nodes: each call counted by `<execution id> <node id>`; the input passes on. */
function counting() {
  const calls = new Map();
  const factory = {
    getNodeExecutable: (type) =>
      type === "effect"
        ? {
            execute: async (p) => {
              const key = `${p.executionId} ${p.nodeId}`;
              calls.set(key, (calls.get(key) ?? 0) + 1);
              return p.input?.default ?? null;
            },
          }
        : undefined,
  };
  return { calls, factory };
}

function durableConductor(t, factory) {
  const directory = tempDir(t, "waits");
  const conductor = createConductor({ storage: { type: "fs", directory }, durability: {}, nodeExecutorFactory: factory });
  t.after(() => conductor.shutdown());
  return conductor;
}

/** Starts `npm/test-support/waits-child.mjs` in `mode`; resolves with its output once it printed `ready`. */
async function child(t, mode, directory, args, ready) {
  const script = join(repoRoot, "npm", "test-support", "waits-child.mjs");
  const process_ = spawn(process.execPath, [script, mode, directory, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => process_.kill("SIGKILL"));
  let out = "";
  process_.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes(ready) || out.includes("unexpected"), undefined, `the ${mode} child`);
  assert.ok(!out.includes("unexpected"), out);
  return {
    out: () => out,
    async kill() {
      const exited = new Promise((resolve) => process_.once("exit", resolve));
      process_.kill("SIGKILL");
      await exited;
    },
  };
}

/** Lines of a child's effects log, counted. */
function effects(directory) {
  const counts = new Map();
  const log = join(directory, "effects.log");
  if (!existsSync(log)) return counts;
  for (const line of readFileSync(log, "utf8").split("\n").filter(Boolean)) counts.set(line, (counts.get(line) ?? 0) + 1);
  return counts;
}

async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

async function refusedWith(promise, code, says) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof ConductorError, String(error));
    assert.equal(error.code, code, error.message);
    assert.match(error.message, says);
    return true;
  });
}

test("native: a run parked at a signal outlives a SIGKILL of its process, and a new process signalled over HTTP completes it with the payload", async (t) => {
  const directory = tempDir(t, "waits-kill");
  const id = "exec-wait-kill";
  const schema = { type: "object", required: ["amount"], properties: { amount: { type: "number" } } };
  const flow = flowWith({ mode: "signal", signal: "paid", payloadSchema: schema });
  const parked = await child(t, "park", directory, [id, JSON.stringify(flow)], "parked");
  assert.match(parked.out(), /parked waiting/);
  await parked.kill();

  const server = await child(t, "serve", directory, [], "url ");
  const url = /url (\S+)/.exec(server.out())[1];
  const refused = await post(`${url}/api/waits/signal`, { executionId: id, name: "paid", payload: { amount: "ten" } });
  assert.notEqual(refused.status, 200);
  assert.equal(refused.body.code, "VALIDATION_FAILED", JSON.stringify(refused.body));
  assert.match(refused.body.error, /payload\.amount must be number/);
  const wrong = await post(`${url}/api/waits/signal`, { executionId: id, name: "shipped", payload: { amount: 5 } });
  assert.match(wrong.body.error, /waits for signal 'paid', not 'shipped'/);

  const done = await post(`${url}/api/waits/signal`, { executionId: id, name: "paid", payload: { amount: 5 } });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.success, true, JSON.stringify(done.body));
  assert.deepEqual(done.body.data, { amount: 5 });
  assert.deepEqual(
    [...effects(directory)],
    [
      [`${id} before`, 1],
      [`${id} after`, 1],
    ],
    "nothing ran twice",
  );
  const again = await post(`${url}/api/waits/signal`, { executionId: id, name: "paid", payload: { amount: 6 } });
  assert.match(again.body.error, /is not waiting \(it is success\)/);
});

test("native: a 2 s timed wait across a restart fires once, with two processes open on the store", async (t) => {
  const directory = tempDir(t, "waits-timed");
  const id = "exec-wait-timed";
  const parked = await child(t, "park", directory, [id, JSON.stringify(flowWith({ mode: "duration", duration: 2000 }))], "parked");
  await parked.kill();
  // Two conductors open on the store before the time comes: each arms its one timer; one wakes it.
  await Promise.all([child(t, "open", directory, [], "open"), child(t, "open", directory, [], "open")]);
  await until(() => effects(directory).has(`${id} after`), undefined, "the wait to fire");
  // Each process checked, and would have run it again had the wake not been taken once.
  await sleep(1000);
  assert.equal(effects(directory).get(`${id} after`), 1);
  assert.equal(effects(directory).get(`${id} before`), 1);
  const reader = createConductor({ storage: { type: "fs", directory } });
  t.after(() => reader.shutdown());
  await until(async () => (await reader.executions.get(id)).status === "success", undefined, "the record to say success");
  const record = await reader.executions.get(id);
  const wait = record.nodes.find((n) => n.nodeId === "w");
  assert.deepEqual(wait.output, null, "the effect gave null: what its edge brought passes on");
  assert.ok(wait.endTime - record.startTime >= 2000, `it waited its 2 s (${wait.endTime - record.startTime} ms)`);
});

test("native: approvals go on, rejections fail or go on as the node says, and of two decisions racing one wins", async (t) => {
  const { calls, factory } = counting();
  const conductor = durableConductor(t, factory);
  const waiting = [];
  conductor.events.onWaiting((event) => waiting.push(event));
  let errors = 0;
  conductor.events.onError(() => errors++);

  const progress = [];
  const stop = conductor.node.onProgress((event) => progress.push(event));
  const parked = await conductor.node.run(flowWith({ mode: "approval" }), { executionId: "yes", input: 1 });
  stop();
  assert.equal(parked.error?.code, "WAITING");
  const last = progress.at(-1);
  assert.equal(last.message, "The run waits at node 'w' for an approval", "the last progress event says so");
  assert.ok(last.progress < 100, `not done: ${last.progress}%`);
  assert.deepEqual(
    last.nodes.map((n) => [n.id, n.state]),
    [
      ["before", "completed"],
      ["w", "pending"],
      ["after", "pending"],
    ],
  );
  assert.equal(parked.error.context.kind, "approval");
  assert.equal(waiting.length, 1);
  assert.equal(errors, 0, "a parked run is not a failure");
  await refusedWith(conductor.executions.approve("yes", "other", { approved: true }), "VALIDATION_FAILED", /at node 'w', not 'other'/);
  await refusedWith(conductor.executions.approve("yes", "w", { aproved: true }), "VALIDATION_FAILED", /aproved/);
  const approved = await conductor.executions.approve("yes", "w", { approved: true, by: "ana", comment: "fine" });
  assert.equal(approved.success, true, approved.error?.message);
  assert.equal(approved.data.approved, true);
  assert.equal(approved.data.by, "ana");

  await conductor.node.run(flowWith({ mode: "approval" }), { executionId: "no" });
  const rejected = await conductor.executions.approve("no", "w", { approved: false, by: "bo", comment: "too much" });
  assert.equal(rejected.success, false);
  assert.equal(rejected.error.message, "Node 'w' was rejected by bo: too much");
  assert.equal((await conductor.executions.get("no")).status, "failed");
  assert.equal(calls.get("no after"), undefined);

  await conductor.node.run(flowWith({ mode: "approval", onReject: "continue" }), { executionId: "no-but" });
  const goesOn = await conductor.executions.approve("no-but", "w", { approved: false });
  assert.equal(goesOn.success, true);
  assert.equal(goesOn.data.approved, false);

  await conductor.node.run(flowWith({ mode: "approval" }), { executionId: "race" });
  const [first, second] = await Promise.allSettled([
    conductor.executions.approve("race", "w", { approved: true, by: "one" }),
    conductor.executions.approve("race", "w", { approved: false, by: "two" }),
  ]);
  const outcomes = [first.status, second.status].sort();
  assert.deepEqual(outcomes, ["fulfilled", "rejected"]);
  const loser = first.status === "rejected" ? first.reason : second.reason;
  assert.equal(loser.code, "VALIDATION_FAILED");
  assert.match(loser.message, /not waiting|woken first/);
  assert.equal(calls.get("race after") ?? 0, first.status === "fulfilled" ? 1 : 0, "only an approval goes on");
});

test("native: a signal for an unknown run, a run that is not waiting, a wrong name or a refused payload is a coded error, and nothing changes", async (t) => {
  const { factory } = counting();
  const conductor = durableConductor(t, factory);
  const schema = { type: "object", required: ["ok"], properties: { ok: { type: "boolean" } } };
  await conductor.node.run(flowWith({ mode: "signal", signal: "go", payloadSchema: schema }), { executionId: "s" });
  await refusedWith(conductor.executions.signal("nope", "go"), "NODE_NOT_FOUND", /nope/);
  await refusedWith(conductor.executions.signal("s", "stop"), "VALIDATION_FAILED", /waits for signal 'go', not 'stop'/);
  await refusedWith(conductor.executions.signal("s", "go", { ok: "yes" }), "VALIDATION_FAILED", /payload\.ok must be boolean/);
  await refusedWith(conductor.executions.approve("s", "w", { approved: true }), "VALIDATION_FAILED", /not an approval/);
  const resumed = await conductor.executions.resume("s");
  assert.equal(resumed.error?.code, "VALIDATION_FAILED");
  assert.match(resumed.error.message, /it waits .* executions\.signal/);
  assert.equal((await conductor.executions.get("s")).status, "waiting");
  const done = await conductor.executions.signal("s", "go", { ok: true });
  assert.deepEqual(done.data, { ok: true });
  await refusedWith(conductor.executions.signal("s", "go", { ok: true }), "VALIDATION_FAILED", /is not waiting \(it is success\)/);
  // Only the engine parks a run: a node that throws WAITING (say a nested run's) failed.
  const faking = createConductor({
    storage: { type: "fs", directory: tempDir(t, "waits-fake") },
    durability: {},
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "nested"
          ? { execute: async () => Promise.reject(Object.assign(new Error("nested waits"), { code: "WAITING" })) }
          : undefined,
    },
  });
  t.after(() => faking.shutdown());
  const faked = await faking.node.run({ id: "fake", type: "group", nodes: [{ id: "n", type: "nested" }] }, { executionId: "fake" });
  assert.equal(faked.error?.code, "EXECUTION_FAILED", JSON.stringify(faked.error));
  assert.equal((await faking.executions.get("fake")).status, "failed");
  // Without durability a signal cannot be waited for: nothing would keep the run to wake.
  const plain = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  t.after(() => plain.shutdown());
  const refused = await plain.node.run(flowWith({ mode: "signal", signal: "go" }));
  assert.equal(refused.error?.code, "VALIDATION_FAILED");
  assert.match(refused.error.message, /durability/);
});

test("native: a resume URL is refused without its token, wakes the wait once, and is refused after use", async (t) => {
  const { calls, factory } = counting();
  const conductor = durableConductor(t, factory);
  const server = await createProtocolServer(conductor);
  t.after(() => server.close());
  await conductor.node.run(flowWith({ mode: "signal", signal: "hook" }), { executionId: "hooked" });
  const { body } = await post(`${server.url}/api/waits/resumeUrl`, { executionId: "hooked" });
  assert.match(body.path, /^\/waits\/hooked\/[A-Za-z0-9_-]{43}$/);
  const wrongToken = body.path.replace(/.$/, (c) => (c === "A" ? "B" : "A"));
  for (const path of [wrongToken, "/waits/hooked/x", body.path.replace("hooked", "other")]) {
    const refused = await post(`${server.url}${path}`, { from: "mallory" });
    assert.equal(refused.status, 403, path);
    assert.equal(refused.body.code, "PERMISSION_DENIED");
  }
  assert.equal((await post(`${server.url}/waits/hooked`, {})).status, 404, "no token, no route");
  assert.equal((await conductor.executions.get("hooked")).status, "waiting", "refusals changed nothing");
  const accepted = await post(`${server.url}${body.path}`, { from: "provider" });
  assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
  await until(async () => (await conductor.executions.get("hooked")).status === "success", undefined, "the run to go on");
  assert.equal(calls.get("hooked after"), 1);
  const record = await conductor.executions.get("hooked");
  assert.deepEqual(record.nodes.find((n) => n.nodeId === "w").output, { from: "provider" });
  const used = await post(`${server.url}${body.path}`, { from: "provider" });
  assert.equal(used.status, 403, "single-use");
  const gone = await post(`${server.url}/api/waits/resumeUrl`, { executionId: "hooked" });
  assert.match(gone.body.error, /not waiting/);
});

test("native: 1,000 runs parked, then 1,000 signals: each run completes exactly once", async (t) => {
  const { calls, factory } = counting();
  const conductor = durableConductor(t, factory);
  const flow = flowWith({ mode: "signal", signal: "go" });
  const ids = Array.from({ length: 1000 }, (_, i) => `many-${i}`);
  for (let i = 0; i < ids.length; i += 50) {
    const parked = await Promise.all(ids.slice(i, i + 50).map((executionId) => conductor.node.run(flow, { executionId, input: i })));
    assert.ok(parked.every((r) => r.error?.code === "WAITING"));
  }
  assert.equal((await conductor.executions.counts()).waiting, 1000);
  for (let i = 0; i < ids.length; i += 100) {
    const done = await Promise.all(ids.slice(i, i + 100).map((id) => conductor.executions.signal(id, "go", { id })));
    assert.ok(done.every((r, k) => r.success && r.data.id === ids[i + k]));
  }
  assert.equal((await conductor.executions.counts()).waiting, 0);
  assert.equal((await conductor.executions.list({ status: "success", limit: 0 })).total, 1000);
  for (const id of ids) assert.equal(calls.get(`${id} after`), 1, id);
});

test("wasm in Node: a run parks at a signal in the history's files, a new conductor on them signals it to its end, and an approval race has one winner", async (t) => {
  const { calls, factory } = counting();
  const directory = tempDir(t, "waits-wasm");
  const first = createConductor({ engine: "wasm", storage: { type: "fs", directory }, durability: {}, nodeExecutorFactory: factory });
  const parked = await first.node.run(flowWith({ mode: "signal", signal: "go" }), { executionId: "wasm-wait", input: 3 });
  assert.equal(parked.error?.code, "WAITING", JSON.stringify(parked.error));
  await first.node.run(flowWith({ mode: "approval" }), { executionId: "wasm-race" });
  await first.executions.list({ limit: 0 });
  await first.shutdown();

  const second = createConductor({ engine: "wasm", storage: { type: "fs", directory }, durability: {}, nodeExecutorFactory: factory });
  t.after(() => second.shutdown());
  assert.equal((await second.executions.get("wasm-wait")).status, "waiting");
  await refusedWith(second.executions.signal("wasm-wait", "stop"), "VALIDATION_FAILED", /not 'stop'/);
  const done = await second.executions.signal("wasm-wait", "go", { ok: 1 });
  assert.equal(done.success, true, done.error?.message);
  assert.deepEqual(done.data, { ok: 1 });
  assert.equal(calls.get("wasm-wait before"), 1);
  assert.equal(calls.get("wasm-wait after"), 1);
  const raced = await Promise.allSettled([
    second.executions.approve("wasm-race", "w", { approved: true }),
    second.executions.approve("wasm-race", "w", { approved: true }),
  ]);
  assert.deepEqual(raced.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  assert.equal(calls.get("wasm-race after"), 1);
});

test("cli: atomiton runs lists and shows parked runs; runs signal and runs approve wake them here, and a wrong one is refused", async (t) => {
  const directory = tempDir(t, "waits-cli");
  const conductor = createConductor({ storage: { directory }, durability: {} });
  const plain = (wait) => ({
    ...flowWith(wait),
    nodes: flowWith(wait).nodes.map((n) =>
      n.type === "effect" ? { ...n, type: "edit-fields", parameters: { values: { seen: true } } } : n,
    ),
  });
  await conductor.node.run(plain({ mode: "signal", signal: "go" }), { executionId: "cli-signal" });
  await conductor.node.run(plain({ mode: "approval" }), { executionId: "cli-approval" });
  await conductor.executions.list({ limit: 0 });
  await conductor.shutdown();
  const cli = (...args) =>
    spawnSync(process.execPath, [join(repoRoot, "npm", "dist", "cli", "main.js"), ...args, "--storage", directory], { encoding: "utf8" });
  const listed = cli("runs", "--status", "waiting");
  assert.equal(listed.status, 0, listed.stderr);
  assert.match(listed.stdout, /^cli-signal\s+waits\s+waiting/m);
  assert.match(cli("runs", "show", "cli-signal").stdout, /Waiting for a signal: atomiton runs signal cli-signal go --payload <json>/);
  assert.match(cli("runs", "show", "cli-approval").stdout, /atomiton runs approve cli-approval w/);

  const wrong = cli("runs", "signal", "cli-signal", "stop", "-q");
  assert.equal(wrong.status, 2, wrong.stderr);
  assert.match(wrong.stderr, /VALIDATION_FAILED: Execution cli-signal waits for signal 'go', not 'stop'/);
  const signalled = cli("runs", "signal", "cli-signal", "go", "--payload", '{"ok": 1}', "-q", "--json");
  assert.equal(signalled.status, 0, signalled.stderr);
  assert.equal(JSON.parse(signalled.stdout).success, true);
  const rejected = cli("runs", "approve", "cli-approval", "w", "--reject", "--by", "bo", "--comment", "no", "-q", "--json");
  assert.equal(rejected.status, 1, rejected.stderr);
  assert.equal(JSON.parse(rejected.stdout).error.message, "Node 'w' was rejected by bo: no");
  const statuses = JSON.parse(cli("runs", "--json").stdout).executions.map((e) => [e.id, e.status]);
  assert.deepEqual(Object.fromEntries(statuses), { "cli-signal": "success", "cli-approval": "failed" });
});

test("over HTTP, WebSocket and Electron IPC: a remote conductor lists parked runs, signals and approves them (the server resumes them), and a wrong signal is refused", async (t) => {
  const { calls, factory } = counting();
  const conductor = durableConductor(t, factory);
  const server = await createProtocolServer(conductor, { WebSocketServer });
  t.after(() => server.close());
  const clients = remoteClients(t, { conductor, server });
  for (const [kind, client] of Object.entries(clients)) {
    await conductor.node.run(flowWith({ mode: "signal", signal: "go" }), { executionId: `${kind}-signal` });
    await conductor.node.run(flowWith({ mode: "approval" }), { executionId: `${kind}-approval` });
    const listed = await client.executions.list({ status: "waiting" });
    assert.ok(
      listed.executions.some((e) => e.id === `${kind}-signal` && e.error.context.signal === "go"),
      kind,
    );
    // Over HTTP a refusal's message is the status line, as the TypeScript engine's client said it; its code is the server's.
    await refusedWith(
      client.executions.signal(`${kind}-signal`, "stop"),
      "VALIDATION_FAILED",
      kind === "http" ? /^HTTP 500/ : /not 'stop'/,
    );
    const signalled = await client.executions.signal(`${kind}-signal`, "go", { via: kind });
    assert.equal(signalled.success, true, `${kind}: ${signalled.error?.message}`);
    assert.deepEqual(signalled.data, { via: kind });
    const approved = await client.executions.approve(`${kind}-approval`, "w", { approved: true, by: kind });
    assert.equal(approved.data.by, kind);
    assert.equal(calls.get(`${kind}-signal after`), 1, kind);
    assert.equal(calls.get(`${kind}-approval after`), 1, kind);
  }
});

test("a protocol server with auth: waits is a grant of its own, given by name", async (t) => {
  const { factory } = counting();
  const conductor = durableConductor(t, factory);
  const { generateApiKey } = await import("@atomiton/conductor/desktop");
  const approver = generateApiKey();
  const runner = generateApiKey();
  const server = await createProtocolServer(conductor, {
    auth: {
      apiKeys: [
        { id: "approver", keyHash: approver.keyHash, grant: { channels: { waits: ["approve"] } } },
        { id: "runner", keyHash: runner.keyHash },
      ],
    },
  });
  t.after(() => server.close());
  await conductor.node.run(flowWith({ mode: "approval" }), { executionId: "granted" });
  const call = async (key, body) => {
    const response = await fetch(`${server.url}/api/waits/approve`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const refused = await call(runner.key, { executionId: "granted", nodeId: "w", approved: true });
  assert.equal(refused.status, 403, "the default grant has no waits");
  assert.equal((await conductor.executions.get("granted")).status, "waiting");
  const impersonated = await call(approver.key, { executionId: "granted", nodeId: "w", approved: true, by: "the boss" });
  assert.equal(impersonated.status, 403, "an approval says who decided: the caller");
  assert.match(impersonated.body.error, /cannot come from 'key:approver'/);
  const approved = await call(approver.key, { executionId: "granted", nodeId: "w", approved: true });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.success, true);
  assert.equal(approved.body.data.by, "key:approver");
  const history = await fetch(`${server.url}/api/executions/list`, {
    method: "POST",
    headers: { Authorization: `Bearer ${approver.key}` },
    body: "{}",
  });
  assert.equal(history.status, 403, "an approver does not read the history");
});

test("native: a run goes on with the permissions it parked with, whoever wakes it (a signal does not widen its reach)", async (t) => {
  const directory = tempDir(t, "waits-permissions");
  const allowed = join(directory, "allowed");
  const outside = join(directory, "outside.txt");
  const conductor = createConductor({ storage: { directory }, durability: {} });
  t.after(() => conductor.shutdown());
  const flow = {
    id: "confined",
    type: "group",
    nodes: [
      { id: "w", type: "wait", parameters: { mode: "signal", signal: "where" } },
      {
        id: "write",
        type: "file-system",
        parameters: { operation: "write", path: join(allowed, "placeholder.txt"), content: "x", createDirectories: true },
      },
    ],
    // The signal's payload names the file: only known once the run is woken.
    edges: [{ id: "e1", source: "w", target: "write", targetHandle: "path" }],
  };
  const parked = await conductor.node.run(flow, { executionId: "confined", permissions: { files: { roots: [allowed] } } });
  assert.equal(parked.error?.code, "WAITING", JSON.stringify(parked.error));
  assert.deepEqual(parked.error.context.permissions, {
    shell: false,
    image: false,
    files: { roots: [allowed] },
    http: false,
    credentials: false,
  });
  // The signal comes from this process, whose own runs may write anywhere.
  const woken = await conductor.executions.signal("confined", "where", outside);
  assert.equal(woken.success, false);
  assert.equal(woken.error.code, "PERMISSION_DENIED", woken.error.message);
  assert.equal(existsSync(outside), false, "nothing was written outside the run's roots");
});
