// Who sees what on a protocol server: saved flows, run events and cancellation belong to the
// caller that made them (scope "own"), a caller with scope "all" sees everything, and the same
// run permissions apply over Electron IPC and to a server's anonymous loopback callers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createConductor, createProtocolServer, createRemoteConductor } from "@atomiton/conductor/desktop";
import { tempDir } from "../test-support/helpers.mjs";
import { chainFlow, ipcBridgeTo } from "../test-support/remote.mjs";
import { authServer, flowOf, login, post, wsClient } from "../test-support/server.mjs";

test("saved flows are private to the caller that saved them", async (t) => {
  const { server, conductor } = await authServer(t, { grants: { admin: { scope: "all" } } });
  const [alice, bob, admin] = [await login(server, "alice"), await login(server, "bob"), await login(server, "admin")];
  const save = (token, name) => post(server, "storage", "saveFlow", { flow: { ...chainFlow, id: "plan", name } }, token);
  const saved = await save(alice, "Alice's plan");
  assert.deepEqual([saved.status, saved.body.id, saved.body.name], [200, "plan", "Alice's plan"], "the caller sees its own id");

  const loaded = await post(server, "storage", "loadFlow", { id: "plan" }, bob);
  assert.deepEqual(
    [loaded.status, loaded.body.code, loaded.body.error],
    [500, "NODE_NOT_FOUND", "Flow with id plan not found"],
    "another caller's flow does not exist for bob",
  );
  assert.equal((await post(server, "storage", "listFlows", {}, bob)).body.total, 0);
  assert.equal((await post(server, "storage", "deleteFlow", { id: "plan" }, bob)).status, 500);
  assert.equal((await save(bob, "Bob's plan")).body.id, "plan", "bob has his own 'plan'");

  assert.equal((await post(server, "storage", "loadFlow", { id: "plan" }, alice)).body.name, "Alice's plan", "alice's is untouched");
  assert.deepEqual(
    (await post(server, "storage", "listFlows", {}, alice)).body.flows.map((f) => [f.id, f.name]),
    [["plan", "Alice's plan"]],
  );
  assert.equal((await post(server, "storage", "health", {}, bob)).body.flowCount, 1);

  const everything = await post(server, "storage", "listFlows", {}, admin);
  assert.equal(everything.body.total, 2, "scope 'all' sees both, under their stored ids");
  assert.equal((await conductor.storage.listFlows()).total, 2, "both are in the served storage");
  assert.equal((await post(server, "storage", "deleteFlow", { id: "plan" }, alice)).status, 200);
  assert.equal((await post(server, "storage", "loadFlow", { id: "plan" }, bob)).body.name, "Bob's plan", "deleting hers left his");
});

test("listing pages and sorts within the caller's own flows", async (t) => {
  const { server } = await authServer(t);
  const [alice, bob] = [await login(server, "alice"), await login(server, "bob")];
  for (const name of ["c", "a", "b"]) await post(server, "storage", "saveFlow", { flow: { ...chainFlow, id: `f-${name}`, name } }, alice);
  await post(server, "storage", "saveFlow", { flow: { ...chainFlow, id: "f-bob", name: "aa" } }, bob);
  const page = await post(server, "storage", "listFlows", { sortBy: "name", sortOrder: "asc", limit: 2, offset: 1 }, alice);
  assert.deepEqual([page.body.flows.map((f) => f.name), page.body.total], [["b", "c"], 3]);
  const noId = await post(server, "storage", "saveFlow", { flow: { ...chainFlow, id: undefined, name: "anonymous" } }, alice);
  assert.match(noId.body.id, /^[0-9a-f-]{36}$/, "a flow without an id gets a UUID, in the caller's space");
  assert.equal((await post(server, "storage", "loadFlow", { id: noId.body.id }, alice)).body.name, "anonymous");
});

test("run events and flow events go only to the caller they belong to", async (t) => {
  const { server } = await authServer(t, { grants: { admin: { scope: "all" } } });
  const [aliceClient, bobClient, adminClient] = [await wsClient(t, server), await wsClient(t, server), await wsClient(t, server)];
  await aliceClient.auth(await login(server, "alice"));
  await bobClient.auth(await login(server, "bob"));
  await adminClient.auth(await login(server, "admin"));
  const run = await aliceClient.call("node", "execute", { node: chainFlow, context: { executionId: "exec_alice" } });
  assert.equal(run.result.success, true);
  await aliceClient.call("storage", "saveFlow", { flow: { ...chainFlow, id: "secret-plan", name: "Secret" } });
  // A later event bob may see marks the end of what he was sent about alice.
  await bobClient.call("node", "execute", { node: chainFlow, context: { executionId: "exec_bob" } });
  const kinds = (client) => client.events.map((e) => `${e.channel}:${e.event}:${e.data.executionId ?? e.data.id}`);
  assert.ok(kinds(aliceClient).includes("node:completed:exec_alice"), kinds(aliceClient).join());
  assert.ok(kinds(aliceClient).includes("storage:flowSaved:secret-plan"), "the owner sees its id");
  assert.ok(
    kinds(aliceClient).every((kind) => !kind.includes("exec_bob")),
    kinds(aliceClient).join(),
  );
  assert.ok(
    kinds(bobClient).every((kind) => !kind.includes("exec_alice") && !kind.includes("secret")),
    kinds(bobClient).join(),
  );
  assert.ok(kinds(bobClient).includes("node:completed:exec_bob"));
  await adminClient.next((frame) => frame.type === "event" && frame.event === "completed" && frame.data.executionId === "exec_bob");
  assert.ok(kinds(adminClient).includes("node:completed:exec_alice"), "scope 'all' sees every run");
});

test("a caller can neither cancel another's run nor take over its execution id", async (t) => {
  const { server } = await authServer(t);
  const alice = await wsClient(t, server);
  await alice.auth(await login(server, "alice"));
  const bob = await login(server, "bob");
  const running = alice.call("node", "execute", {
    node: flowOf({ id: "w", type: "wait", parameters: { ms: 3_600_000 } }),
    context: { executionId: "exec_victim" },
  });
  await alice.next((frame) => frame.type === "event" && frame.event === "started");
  assert.deepEqual((await post(server, "node", "cancel", JSON.stringify("exec_victim"), bob)).body, {
    success: false,
    error: "Execution not found",
  });
  const hijack = await post(server, "node", "execute", { node: chainFlow, context: { executionId: "exec_victim" } }, bob);
  assert.deepEqual([hijack.body.code, hijack.body.error], ["VALIDATION_FAILED", "Execution id exec_victim is already in use"]);
  assert.equal((await alice.call("node", "cancel", "exec_victim")).result.success, true, "the owner can");
  assert.equal((await running).result.error.code, "CANCELLED");
});

test("Electron IPC needs no token, and the same run permissions apply to it when given", async (t) => {
  const dir = tempDir(t, "ipc");
  const conductor = createConductor({ storage: { type: "memory" } });
  const shell = flowOf({ id: "sh", type: "shell-command", parameters: { program: "touch", args: [join(dir, "ran")] } });
  const narrowed = createRemoteConductor({ bridge: ipcBridgeTo(t, conductor, { permissions: { files: { roots: [dir] } } }).bridge });
  const refused = await narrowed.node.run(shell);
  assert.equal(refused.error.code, "PERMISSION_DENIED");
  assert.equal(existsSync(join(dir, "ran")), false);
  const trusted = createRemoteConductor({ bridge: ipcBridgeTo(t, createConductor({ storage: { type: "memory" } })).bridge });
  assert.equal((await trusted.node.run(shell)).success, true, "without permissions the renderer is the app's own");
  assert.equal(existsSync(join(dir, "ran")), true);
});

test("a server without auth can still narrow its anonymous callers' runs", async (t) => {
  const dir = tempDir(t, "anonymous");
  const conductor = createConductor({ storage: { type: "memory" } });
  const server = await createProtocolServer(conductor, { permissions: {} });
  t.after(() => server.close());
  const shell = flowOf({ id: "sh", type: "shell-command", parameters: { program: "touch", args: [join(dir, "ran")] } });
  assert.equal((await post(server, "node", "execute", { node: shell })).body.error.code, "PERMISSION_DENIED");
  assert.equal((await post(server, "node", "execute", { node: chainFlow })).body.data.result, 12);
  assert.equal(existsSync(join(dir, "ran")), false);
});
