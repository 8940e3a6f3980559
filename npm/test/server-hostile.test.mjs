// A hostile client against a real protocol server on 127.0.0.1: every command without valid
// credentials, capabilities the caller was not granted (shell, files outside its roots through
// '..' and symlinks, hosts not listed and redirects to them), commands not granted, limits on
// runs and flow size. Each is refused with its code, nothing it asked for happens, and the
// server keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { tempDir } from "../test-support/helpers.mjs";
import { chainFlow } from "../test-support/remote.mjs";
import { authServer, flowOf, login, PASSWORD, post, wsClient } from "../test-support/server.mjs";

/** Every command served, with arguments that would do something if they were let through. */
const COMMANDS = [
  ["node", "execute", { node: flowOf({ id: "m", type: "mark" }) }],
  ["node", "validate", { node: chainFlow }],
  ["node", "cancel", "exec_x"],
  ["node", "health", {}],
  ["storage", "saveFlow", { flow: { id: "planted", ...chainFlow } }],
  ["storage", "loadFlow", { id: "planted" }],
  ["storage", "listFlows", {}],
  ["storage", "deleteFlow", { id: "planted" }],
  ["storage", "health", {}],
  ["flow", "listTemplates", {}],
  ["flow", "getTemplate", { id: "hello-world" }],
  ["system", "health", {}],
];

/** A session token in each state: `none`, `invalid`, `revoked`, and `expired` (from a server with short-lived tokens). */
async function credentials(t) {
  const lasting = await authServer(t);
  const revoked = await login(lasting.server);
  assert.equal((await post(lasting.server, "auth", "logout", { token: revoked })).status, 200);
  const expiring = await authServer(t, { auth: { tokenTtlMs: 200 } });
  const expired = await login(expiring.server);
  while ((await post(expiring.server, "system", "health", {}, expired)).status === 200)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return [
    [lasting, "missing", undefined],
    [lasting, "invalid", "atk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"],
    [lasting, "invalid", "Bearer-looking garbage ✓"],
    [lasting, "revoked", revoked],
    [expiring, "expired", expired],
  ];
}

test("every command without valid credentials is refused 401 over HTTP, with the reason", async (t) => {
  const states = await credentials(t);
  for (const [served, reason, token] of states) {
    for (const [channel, command, args] of COMMANDS) {
      // A header value fetch would refuse to send is sent as a token it can carry.
      const header = token && /^[\x21-\x7e]+$/.test(token) ? token : token && encodeURIComponent(token);
      const answer = await post(served.server, channel, command, args, header);
      const what = `${channel}.${command} with ${reason}`;
      assert.equal(answer.status, 401, what);
      assert.deepEqual([answer.body.code, answer.body.reason], ["AUTHENTICATION_FAILED", reason], what);
      assert.match(answer.headers.get("www-authenticate"), /^Bearer/, what);
    }
    assert.equal(served.marks.count, 0, "nothing ran");
  }
  const { server } = states[0][0];
  assert.equal((await post(server, "storage", "listFlows", {}, await login(server))).body.total, 0, "nothing was saved");
});

test("every command without valid credentials is refused over WebSocket, with the reason", async (t) => {
  for (const [served, reason, token] of await credentials(t)) {
    const client = await wsClient(t, served.server);
    if (token) assert.equal((await client.auth(token)).reason, reason);
    for (const [channel, command, args] of COMMANDS) {
      const answer = await client.call(channel, command, args);
      assert.deepEqual(
        [answer.code, answer.reason, "result" in answer],
        ["AUTHENTICATION_FAILED", reason, false],
        `${channel}.${command} with ${reason}`,
      );
    }
    assert.deepEqual(client.events, [], "an unauthenticated connection is sent no events");
    assert.equal(served.marks.count, 0, "nothing ran");
  }
});

test("a token without the shell capability cannot run shell-command, over HTTP or WebSocket", async (t) => {
  const dir = tempDir(t, "hostile");
  const { server } = await authServer(t, { grants: { mallory: { permissions: { files: { roots: [dir] }, http: true } } } });
  const token = await login(server, "mallory");
  const flow = flowOf({ id: "pwn", type: "shell-command", parameters: { program: "touch", args: [join(dir, "pwned")] } });
  const http = await post(server, "node", "execute", { node: flow }, token);
  assert.equal(http.status, 200, "a refused run is a result, as every failed run");
  assert.deepEqual([http.body.success, http.body.error.code], [false, "PERMISSION_DENIED"]);
  assert.equal(
    http.body.error.message,
    "Permission denied: node 'pwn' (shell-command) needs the 'shell' capability, which this caller was not granted",
  );
  const client = await wsClient(t, server);
  await client.auth(token);
  const ws = await client.call("node", "execute", { node: flow, context: { permissions: { shell: true } } });
  assert.deepEqual(
    [ws.result.error.code, ws.result.error.message],
    ["VALIDATION_FAILED", "Invalid run options: 'permissions' cannot be set by a client: a run reaches what the server grants its caller"],
    "permissions in the request's context are refused",
  );
  const plain = await client.call("node", "execute", { node: flow });
  assert.equal(plain.result.error.code, "PERMISSION_DENIED");
  assert.equal(existsSync(join(dir, "pwned")), false, "the command never ran");
});

test("a file root escape through '..', an absolute path or a symlink is refused and leaks nothing", async (t) => {
  const dir = tempDir(t, "hostile");
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "root", "mine.txt"), "mine");
  writeFileSync(join(dir, "outside", "secret.txt"), "TOP-SECRET");
  symlinkSync(join(dir, "outside"), join(dir, "root", "door"));
  const { server } = await authServer(t, { grants: { mallory: { permissions: { files: { roots: [join(dir, "root")] } } } } });
  const token = await login(server, "mallory");
  const read = (path) =>
    post(server, "node", "execute", { node: flowOf({ id: "read", type: "file-system", parameters: { operation: "read", path } }) }, token);
  assert.equal((await read(join(dir, "root", "mine.txt"))).body.data.content, "mine");
  for (const path of [
    join(dir, "root", "..", "outside", "secret.txt"),
    join(dir, "outside", "secret.txt"),
    join(dir, "root", "door", "secret.txt"),
    "/etc/passwd",
  ]) {
    const answer = await read(path);
    assert.equal(answer.body.error?.code, "PERMISSION_DENIED", path);
    assert.doesNotMatch(JSON.stringify(answer.body), /TOP-SECRET|root:x:0/, path);
  }
  const write = await post(
    server,
    "node",
    "execute",
    {
      node: flowOf({
        id: "w",
        type: "file-system",
        parameters: { operation: "write", path: join(dir, "root", "door", "planted.txt"), content: "x" },
      }),
    },
    token,
  );
  assert.equal(write.body.error?.code, "PERMISSION_DENIED");
  assert.equal(existsSync(join(dir, "outside", "planted.txt")), false);
});

/** A local HTTP server counting its requests; `redirect` answers 302 to `?to=`. */
async function countingServer(t) {
  const seen = { count: 0 };
  const server = createServer((request, response) => {
    seen.count++;
    const to = new URL(request.url, "http://x").searchParams.get("to");
    if (to) response.writeHead(302, { Location: to }).end();
    else response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { seen, origin: `http://127.0.0.1:${server.address().port}`, host: `127.0.0.1:${server.address().port}` };
}

test("an HTTP host not granted is refused, and so is a redirect to it, before any request reaches it", async (t) => {
  const allowed = await countingServer(t);
  const denied = await countingServer(t);
  const { server } = await authServer(t, { grants: { mallory: { permissions: { http: { hosts: [allowed.host] } } } } });
  const token = await login(server, "mallory");
  const fetchNode = (url) =>
    post(server, "node", "execute", { node: flowOf({ id: "get", type: "http-request", parameters: { url, method: "GET" } }) }, token);
  assert.equal((await fetchNode(`${allowed.origin}/data`)).body.success, true);
  for (const url of [`${denied.origin}/data`, `${allowed.origin}/hop?to=${encodeURIComponent(`${denied.origin}/data`)}`]) {
    const answer = await fetchNode(url);
    assert.equal(answer.body.error?.code, "PERMISSION_DENIED", url);
    assert.equal(
      answer.body.error.message,
      `[http-request] Permission denied: HTTP requests to ${denied.origin} are not allowed for this run`,
    );
  }
  assert.equal(denied.seen.count, 0, "the denied host never saw a request");
});

test("commands and channels not granted are refused 403", async (t) => {
  const { server } = await authServer(t, { grants: { reader: { channels: { flow: "*", storage: ["listFlows", "loadFlow"] } } } });
  const token = await login(server, "reader");
  assert.equal((await post(server, "flow", "listTemplates", {}, token)).status, 200);
  assert.equal((await post(server, "storage", "listFlows", {}, token)).status, 200);
  for (const [channel, command, args] of [
    ["storage", "saveFlow", { flow: chainFlow }],
    ["node", "execute", { node: chainFlow }],
    ["system", "health", {}],
  ]) {
    const answer = await post(server, channel, command, args, token);
    assert.deepEqual([answer.status, answer.body.code], [403, "PERMISSION_DENIED"], `${channel}.${command}`);
  }
  const { server: plain } = await authServer(t, { restart: () => {} });
  const answer = await post(plain, "system", "restart", {}, await login(plain));
  assert.equal(answer.status, 403, "system.restart is not in the default grant");
});

test("runs per minute and runs at once are limited per caller (RATE_LIMIT_EXCEEDED, 429)", async (t) => {
  const { server, marks } = await authServer(t, {
    grants: { busy: { limits: { runsPerMinute: 3 } }, slow: { limits: { concurrentRuns: 1 } } },
  });
  const busy = await login(server, "busy");
  const mark = { node: flowOf({ id: "m", type: "mark" }) };
  for (let i = 0; i < 3; i++) assert.equal((await post(server, "node", "execute", mark, busy)).body.success, true);
  const limited = await post(server, "node", "execute", mark, busy);
  assert.deepEqual([limited.status, limited.body.code], [429, "RATE_LIMIT_EXCEEDED"]);
  assert.match(limited.body.error, /3 runs per minute/);
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal(marks.count, 3, "the refused run never started");
  assert.equal(
    (await post(server, "node", "execute", mark, await login(server, "alice"))).body.success,
    true,
    "another caller is not limited by it",
  );

  const slow = await login(server, "slow");
  const client = await wsClient(t, server);
  await client.auth(slow);
  const running = client.call("node", "execute", {
    node: flowOf({ id: "w", type: "wait", parameters: { ms: 3_600_000 } }),
    context: { executionId: "exec_long" },
  });
  await client.next((frame) => frame.type === "event" && frame.event === "started");
  const second = await client.call("node", "execute", mark);
  assert.deepEqual([second.code, "result" in second], ["RATE_LIMIT_EXCEEDED", false]);
  assert.match(second.error, /1 runs at once/);
  assert.equal((await client.call("node", "cancel", "exec_long")).result.success, true);
  assert.equal((await running).result.error.code, "CANCELLED");
  assert.equal((await client.call("node", "execute", mark)).result.success, true, "allowed again once the first ended");
});

test("a flow over maxFlowBytes is refused 413 before it is parsed into a run", async (t) => {
  const { server, marks } = await authServer(t, { limits: { maxFlowBytes: 2000 } });
  const token = await login(server);
  const big = { node: { ...flowOf({ id: "m", type: "mark" }), description: "x".repeat(3000) } };
  const answer = await post(server, "node", "execute", big, token);
  assert.deepEqual([answer.status, answer.body.code], [413, "MEMORY_LIMIT_EXCEEDED"]);
  assert.equal(answer.body.error, "Flow larger than 2000 bytes, the limit for this server");
  const client = await wsClient(t, server);
  await client.auth(token);
  assert.equal((await client.call("storage", "saveFlow", { flow: { id: "big", ...big.node } })).code, "MEMORY_LIMIT_EXCEEDED");
  assert.equal(marks.count, 0);
  assert.equal((await post(server, "node", "execute", { node: flowOf({ id: "m", type: "mark" }) }, token)).body.success, true);
});

test("login attempts cannot be used to probe: answers do not tell unknown users from wrong passwords", async (t) => {
  const { server } = await authServer(t);
  const unknown = await post(server, "auth", "login", { username: "nobody", password: PASSWORD });
  const wrong = await post(server, "auth", "login", { username: "alice", password: "nope" });
  assert.deepEqual(unknown.body, wrong.body);
  assert.equal(unknown.status, wrong.status);
});

test("a served durable run records the caller the server authenticated, and a client cannot name another", async (t) => {
  const dir = tempDir(t, "hostile");
  const { server, conductor, apiKey } = await authServer(t, {
    apiKeyGrant: { permissions: { files: { roots: [dir] } } },
    config: { storage: { directory: join(dir, "store") }, durability: {} },
  });
  const flow = flowOf({ id: "m", type: "mark" });
  const forged = await post(server, "node", "execute", { node: flow, context: { caller: "user:admin" } }, apiKey);
  assert.deepEqual(
    [forged.body.error.code, forged.body.error.message],
    [
      "VALIDATION_FAILED",
      "Invalid run options: 'caller' cannot be set by a client: a run is recorded as started by the caller the server authenticated",
    ],
  );
  const ran = await post(server, "node", "execute", { node: flow, context: { executionId: "exec-audited" } }, apiKey);
  assert.equal(ran.body.success, true, JSON.stringify(ran.body.error));
  const record = await conductor.executions.get("exec-audited");
  const entry = record.nodes.find((node) => node.nodeId === "$permissions");
  assert.equal(entry?.output.caller, "key:robot", "the record names who started the run");
  assert.deepEqual(entry?.output.permissions.files, { roots: [dir] }, "and what it was allowed");
});
