// Webhooks through the built package and a real protocol server, called with real HTTP requests
// (fetch): each authentication mode right and wrong (wrong answers 401 and starts nothing), a
// replayed signed delivery refused, a retried Idempotency-Key starting one run, an oversized body
// refused with 413, a wrong method with 405, each response mode, and a hook's own rate limit.
// No test here judges speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { createConductor, createProtocolServer, createRemoteConductor, generateApiKey } from "@atomiton/conductor/desktop";
import { tempDir, until } from "../test-support/helpers.mjs";

const SECRET = "hook-secret-for-the-test";
process.env.ATOMITON_TEST_HOOK_SECRET = SECRET;

/** A flow started by a webhook with `parameters`; its `reply` node keeps the order it was sent. */
const hooked = (id, parameters) => ({
  id,
  name: id,
  type: "group",
  nodes: [
    { id: "hook", type: "webhook", parameters },
    { id: "reply", type: "edit-fields", parameters: { values: { order: "{{ body.order }}", via: "{{ method }}" }, keepOnlySet: true } },
  ],
  edges: [{ id: "e1", source: "hook", target: "reply", targetHandle: "data" }],
});

const secretEnv = "ATOMITON_TEST_HOOK_SECRET";
const HOOKS = {
  open: { path: "open", auth: "none", respond: "result" },
  shared: { path: "shared/secret", auth: "header", secretEnv },
  signed: { path: "signed", auth: "hmac", secretEnv, respond: "node", responseNode: "reply", tolerance: 300 },
  login: { path: "login", auth: "server" },
  small: { path: "small", auth: "none", maxBytes: 100 },
  keyed: { path: "keyed", auth: "none" },
  limited: { path: "limited", auth: "none", runsPerMinute: 2 },
};

async function served(t) {
  const directory = tempDir(t, "webhooks");
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  const runner = generateApiKey();
  const reader = generateApiKey();
  const server = await createProtocolServer(conductor, {
    auth: {
      apiKeys: [
        { id: "runner", keyHash: runner.keyHash },
        { id: "reader", keyHash: reader.keyHash, grant: { channels: { storage: "*" } } },
      ],
    },
  });
  t.after(() => server.close());
  for (const [id, parameters] of Object.entries(HOOKS)) {
    await conductor.storage.saveFlow(hooked(id, parameters));
    await conductor.triggers.activate(id);
  }
  const post = async (path, { body = JSON.stringify({ order: 42 }), headers = {}, method = "POST" } = {}) => {
    const response = await fetch(`${server.url}/hooks/${path}`, {
      method,
      headers: { "Content-Type": "application/json", ...headers },
      body: method === "GET" ? undefined : body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
  const runsOf = async (flowId) => (await conductor.executions.list({ flowId })).total;
  return { conductor, server, post, runsOf, runner, reader };
}

const signed = (body, secret = SECRET, at = Math.floor(Date.now() / 1000)) => ({
  "X-Signature": `sha256=${createHmac("sha256", secret).update(`${at}.${body}`).digest("hex")}`,
  "X-Signature-Timestamp": String(at),
});

test("webhooks: each authentication mode lets the right caller in and refuses the wrong one, starting nothing", async (t) => {
  const { conductor, post, runsOf, runner, reader } = await served(t);

  // none, answering with the run's result: the request is the run's input.
  const open = await post("open?source=test");
  assert.equal(open.status, 200, JSON.stringify(open.body));
  const openRun = open.headers.get("x-execution-id");
  const record = await conductor.executions.get(openRun);
  assert.equal(record.status, "success");
  // A trigger routes (as `if` does): its record is `{ports, value}`, the value the request.
  const hook = record.nodes.find((node) => node.nodeId === "hook").output.value;
  assert.deepEqual([hook.type, hook.method, hook.path], ["webhook", "POST", "open"]);
  assert.deepEqual(hook.body, { order: 42 });
  assert.deepEqual(hook.query, { source: "test" });

  // header: the secret, compared whole; never in the run's input.
  assert.equal((await post("shared/secret", { headers: { "X-Webhook-Secret": "wrong" } })).status, 401);
  assert.equal((await post("shared/secret")).status, 401, "no secret");
  assert.equal(await runsOf("shared"), 0, "refused requests start nothing");
  const shared = await post("shared/secret", { headers: { "X-Webhook-Secret": SECRET } });
  assert.equal(shared.status, 202);
  assert.match(shared.body.executionId, /^exec_/);
  await until(
    async () => (await conductor.executions.get(shared.body.executionId).catch(() => undefined))?.status === "success",
    60_000,
    "the run",
  );
  const sharedRun = await conductor.executions.get(shared.body.executionId);
  const sharedHook = sharedRun.nodes.find((node) => node.nodeId === "hook");
  assert.equal(sharedHook.output.value.headers["x-webhook-secret"], undefined, "the secret is not in the run");
  assert.ok(!JSON.stringify(sharedRun).includes(SECRET), "nor anywhere in its record");

  // hmac: the timestamped body signed; answered with the `reply` node's output; a replay refused.
  const body = JSON.stringify({ order: 7 });
  const headers = signed(body);
  const first = await post("signed", { body, headers });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.deepEqual(first.body, { result: { order: "7", via: "POST" } }, "the reply node's output");
  const replayed = await post("signed", { body, headers });
  assert.equal(replayed.status, 401);
  assert.match(replayed.body.error, /replay/);
  assert.equal((await post("signed", { body: JSON.stringify({ order: 8 }), headers })).status, 401, "another body, same signature");
  assert.equal((await post("signed", { body, headers: signed(body, "not-the-secret") })).status, 401);
  const old = Math.floor(Date.now() / 1000) - 3600;
  assert.equal((await post("signed", { body, headers: signed(body, SECRET, old) })).status, 401, "outside the tolerance");
  assert.equal(await runsOf("signed"), 1, "one run: the genuine delivery");

  // server: the server's own login, with a grant that may run flows.
  assert.equal((await post("login")).status, 401);
  assert.equal((await post("login", { headers: { Authorization: `Bearer ${reader.key}` } })).status, 401, "a grant without node");
  assert.equal((await post("login", { headers: { Authorization: `Bearer ${runner.key}` } })).status, 202);
});

test("webhooks: wrong method, unknown path, oversized body, a retried Idempotency-Key and a hook's rate limit", async (t) => {
  const { post, runsOf, conductor } = await served(t);
  const wrongMethod = await post("open", { method: "GET" });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "POST");
  assert.equal((await post("nowhere")).status, 404);
  const big = await post("small", { body: JSON.stringify({ order: "x".repeat(200) }) });
  assert.equal(big.status, 413);
  assert.equal(big.body.code, "MEMORY_LIMIT_EXCEEDED");
  assert.equal(await runsOf("small"), 0);
  assert.equal((await post("open", { body: "{not json" })).status, 400);

  const keyed = { headers: { "Idempotency-Key": "order-42" } };
  const first = await post("keyed", keyed);
  const again = await post("keyed", keyed);
  assert.equal(first.status, 202);
  assert.equal(again.status, 202);
  assert.equal(again.body.executionId, first.body.executionId, "the retry is told the first run");
  assert.equal(again.headers.get("idempotent-replayed"), "true");
  const other = await post("keyed", { headers: { "Idempotency-Key": "order-43" } });
  assert.notEqual(other.body.executionId, first.body.executionId);
  await until(async () => (await runsOf("keyed")) === 2, 60_000, "two runs");
  assert.equal(await runsOf("keyed"), 2, "one run per key");
  // Each delivery that started a run is one of the hook's fires, with how its run ended.
  const ended = async () => (await conductor.triggers.fires("keyed/hook")).every((fire) => fire.status === "succeeded");
  await until(ended, 60_000, "the fires' runs ended");
  const listed = await conductor.triggers.fires("keyed/hook");
  assert.deepEqual(
    listed.map((fire) => fire.executionId),
    [other.body.executionId, first.body.executionId],
    "newest first, the retry not among them",
  );
  assert.ok(
    listed.every((fire) => Math.abs(fire.firedAt - fire.scheduledAt) < 60_000),
    "a delivery's fire is when it came",
  );

  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await post("limited")).status);
  assert.deepEqual(statuses, [202, 202, 429]);
  const limited = await post("limited");
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await post("keyed")).status, 202, "another hook has its own limit");

  // Paused, a hook answers nothing; deactivated, its path is free.
  await conductor.triggers.pause("open/hook");
  assert.equal((await post("open")).status, 404);
  await conductor.triggers.deactivate("open");
  assert.equal((await post("open")).status, 404);
});

test("webhooks: a hook's mistakes are refused at validation and activation", async (t) => {
  const { conductor } = await served(t);
  const validation = await conductor.node.validate(hooked("bad", { path: "a b", auth: "none" }));
  assert.equal(validation.valid, false);
  assert.ok(JSON.stringify(validation).includes("'path' must be segments"), JSON.stringify(validation));
  await conductor.storage.saveFlow(hooked("twin", { path: "open", auth: "none" }));
  await assert.rejects(
    conductor.triggers.activate("twin"),
    (e) => e.code === "VALIDATION_FAILED" && /already the webhook of open\/hook/.test(e.message),
  );
  await conductor.storage.saveFlow(hooked("implicit", { path: "implicit" }));
  await assert.rejects(conductor.triggers.activate("implicit"), (e) => /'auth' is required/.test(e.message));
});

test("over a server: a hook activated by a caller runs within the caller's grant, narrowed by the server's permissions", async (t) => {
  const directory = tempDir(t, "webhooks-grant");
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  const admin = generateApiKey();
  const server = await createProtocolServer(conductor, {
    auth: {
      apiKeys: [
        {
          id: "admin",
          keyHash: admin.keyHash,
          grant: { scope: "all", channels: { storage: "*", triggers: "*" }, permissions: { http: true, shell: true } },
        },
      ],
    },
    // What the server lets a request's runs reach: no processes.
    permissions: { http: true },
  });
  t.after(() => server.close());
  const remote = createRemoteConductor({ serverUrl: server.url, token: admin.key });
  t.after(() => remote.close());
  const shell = (id, path) => ({
    id,
    type: "group",
    nodes: [
      { id: "hook", type: "webhook", parameters: { path, auth: "none", respond: "result" } },
      { id: "sh", type: "shell-command", parameters: { program: "true" } },
    ],
    edges: [{ id: "e", source: "hook", target: "sh" }],
  });
  await remote.storage.saveFlow(shell("guarded", "guarded"));
  const [active] = await remote.triggers.activate("guarded");
  assert.equal(active.id, "guarded/hook");
  const response = await fetch(`${server.url}/hooks/guarded`, {
    method: "POST",
    body: "{}",
    headers: { "Content-Type": "application/json" },
  });
  const body = await response.json();
  // The caller's grant allows processes; the server's permissions for a request do not.
  assert.deepEqual([response.status, body.code], [500, "PERMISSION_DENIED"], JSON.stringify(body));
  const record = await conductor.executions.get(body.executionId);
  assert.equal(record.error?.code, "PERMISSION_DENIED");
});
