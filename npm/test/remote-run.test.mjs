// Running flows remotely: over HTTP, WebSocket and Electron IPC, a remote conductor gives what a
// local one gives, with progress, validation and cancellation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor, createRemoteConductor, RemoteEngine } from "@atomiton/conductor/desktop";
import { chainFlow, remoteClients, startServer, until, wsTransportTo } from "../test-support/remote.mjs";

// Runs that are cancelled or time out wait an hour otherwise: a cancel or timeout that did not
// work would hang the test rather than pass it.
const HOUR = 3_600_000;
const waitChain = (ms) => ({
  id: "slow",
  type: "group",
  nodes: [
    { id: "a", type: "wait", name: "First", parameters: { ms } },
    { id: "b", type: "wait", parameters: { ms } },
  ],
  edges: [{ id: "e", source: "a", target: "b" }],
});

test("a flow run remotely gives the local result over HTTP, WebSocket and IPC", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  const local = createConductor({ storage: { type: "memory" } });
  const expected = await local.node.run(chainFlow);
  assert.equal(expected.success, true);
  for (const [name, remote] of Object.entries(clients)) {
    const result = await remote.node.run(chainFlow, { executionId: `exec-${name}`, variables: { who: name } });
    assert.equal(result.success, true, `${name}: ${result.error?.message}`);
    assert.deepEqual(result.data, expected.data, name);
    assert.deepEqual(result.executedNodes, expected.executedNodes, name);
    assert.equal(result.context.executionId, `exec-${name}`, `${name}: the client's executionId is the run's`);
    assert.deepEqual(result.context.variables, { who: name }, name);
    assert.equal((await remote.flow.run(chainFlow)).data.result, 12, `${name}: flow.run`);
    assert.equal((await remote.execute(chainFlow)).data.result, 12, `${name}: execute`);
  }
});

test("a failed remote run carries the server's error, its timestamp a Date", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  const flow = { id: "g", type: "group", nodes: [{ id: "a", type: "no-such-type" }], edges: [] };
  const expected = await createConductor({ storage: { type: "memory" } }).node.run(flow);
  for (const [name, remote] of Object.entries(clients)) {
    const result = await remote.node.run(flow);
    assert.equal(result.success, false, name);
    assert.equal(result.error.code, expected.error.code, name);
    assert.equal(result.error.message, expected.error.message, name);
    assert.ok(
      result.error.timestamp instanceof Date && !Number.isNaN(result.error.timestamp.getTime()),
      `${name}: ${result.error.timestamp}`,
    );
    const errors = [];
    remote.node.onError((event) => errors.push(event));
    await remote.node.run(flow, { executionId: `bad-${name}` });
    assert.deepEqual([errors[0].executionId, errors[0].code], [`bad-${name}`, expected.error.code], name);
  }
});

test("progress arrives over WebSocket and IPC with the run's executionId; HTTP has no events", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  for (const [name, remote] of Object.entries(clients)) {
    const events = [];
    const states = [];
    const completes = [];
    remote.node.onProgress((event) => events.push(event));
    remote.events.onProgress((state) => states.push(state));
    remote.node.onComplete((event) => completes.push(event));
    const result = await remote.node.run(waitChain(10), { executionId: `progress-${name}` });
    assert.equal(result.success, true, name);
    assert.equal(completes.length, 1, `${name}: completion announced once`);
    if (name === "http") {
      assert.deepEqual(events, [], "HTTP cannot push events");
      continue;
    }
    assert.ok(events.length >= 3, `${name}: ${events.length} events`);
    for (const event of events) assert.equal(event.executionId, `progress-${name}`, name);
    assert.ok(
      events.some((event) => event.message === "Executing: First"),
      name,
    );
    assert.equal(events.at(-1).progress, 100, `${name}: every progress event came before the result`);
    assert.ok(states.at(-1).nodes instanceof Map, name);
    assert.equal(remote.node.store.getState().cachedProgress, 100, name);
  }
});

test("started/completed/cancelled broadcasts carry the run's real executionId", async (t) => {
  const { server } = await startServer(t);
  const node = wsTransportTo(t, server).channel("node");
  const seen = [];
  for (const event of ["started", "completed", "error", "cancelled"]) node.listen(event, (data) => seen.push([event, data.executionId]));
  const result = await node.call("execute", { node: chainFlow, context: { executionId: "mine" } });
  assert.equal(result.success, true);
  assert.equal(result.context.executionId, "mine");
  const running = node.call("execute", { node: waitChain(HOUR), context: { executionId: "to-cancel" } });
  await until(() => seen.some(([event, id]) => event === "started" && id === "to-cancel"), undefined, "started");
  assert.deepEqual(await node.call("cancel", "to-cancel"), { success: true });
  assert.equal((await running).error.code, "CANCELLED");
  assert.deepEqual(await node.call("cancel", "to-cancel"), { success: false, error: "Execution not found" });
  assert.deepEqual(seen, [
    ["started", "mine"],
    ["completed", "mine"],
    ["started", "to-cancel"],
    ["cancelled", "to-cancel"],
    ["error", "to-cancel"],
  ]);
});

test("a slow remote run is cancelled by node.cancel and by an AbortSignal, over every transport", async (t) => {
  const served = await startServer(t);
  const clients = remoteClients(t, served);
  const startedOnServer = new Set();
  served.conductor.events.onStarted(({ executionId }) => startedOnServer.add(executionId));
  for (const [name, remote] of Object.entries(clients)) {
    const running = remote.node.run(waitChain(HOUR), { executionId: `cancel-${name}` });
    await until(() => startedOnServer.has(`cancel-${name}`), undefined, "the server to start the run");
    assert.equal(await remote.node.cancel(`cancel-${name}`), true, name);
    const result = await running;
    assert.deepEqual([result.error.code, result.error.message], ["CANCELLED", "Execution cancelled"], name);
    assert.equal(await remote.node.cancel(`cancel-${name}`), false, `${name}: no longer running`);
    const controller = new AbortController();
    const aborted = remote.node.run(waitChain(HOUR), { executionId: `abort-${name}`, signal: controller.signal });
    await until(() => startedOnServer.has(`abort-${name}`), undefined, "the server to start the run");
    controller.abort();
    assert.equal((await aborted).error.code, "CANCELLED", `${name}: signal`);
  }
});

test("a run's timeout reaches the server", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  for (const [name, remote] of Object.entries(clients)) {
    const result = await remote.node.run(waitChain(HOUR), { timeout: 100 });
    assert.deepEqual([result.error?.code, result.error?.message], ["TIMEOUT", "Execution timed out after 100ms"], name);
  }
});

test("validation is the server's, issues included", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  const invalid = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform" },
      { id: "a", type: "nope" },
    ],
    edges: [{ id: "e", source: "a", target: "ghost" }],
  };
  const expected = await createConductor({ storage: { type: "memory" } }).node.validate(invalid);
  for (const [name, remote] of Object.entries(clients)) {
    const result = await remote.node.validate(invalid);
    assert.deepEqual(result, expected, name);
    assert.ok(
      result.issues.some((issue) => issue.code === "NODE_TYPE_NOT_FOUND"),
      name,
    );
    assert.deepEqual(
      await remote.node.validate({ id: "w", type: "wait" }),
      { valid: true, errors: [], issues: [] },
      `${name}: the server's custom types count`,
    );
  }
});

test("the {valid, errors} answer of the TypeScript engine's desktop gets empty issues", async (t) => {
  const legacyDesktop = { call: async () => ({ result: { valid: false, errors: ["node.type: Required"] } }), listen: () => () => {} };
  const remote = createRemoteConductor({ bridge: legacyDesktop });
  t.after(() => remote.close());
  assert.deepEqual(await remote.node.validate({ id: "x" }), { valid: false, errors: ["node.type: Required"], issues: [] });
});

test("a server that cannot be reached gives failed results, not rejections", async () => {
  const remote = createRemoteConductor({ serverUrl: "http://127.0.0.1:9" });
  const result = await remote.node.run(chainFlow, { executionId: "lost" });
  assert.equal(result.success, false);
  assert.deepEqual([result.error.code, result.error.nodeId, result.error.executionId], ["TRANSPORT_ERROR", "chain", "lost"]);
  assert.ok(result.error.timestamp instanceof Date);
  assert.equal(await remote.node.cancel("lost"), false);
  const health = await remote.system.health();
  assert.equal(health.status, "error");
  assert.equal(typeof health.message, "string");
  await assert.rejects(remote.node.validate(chainFlow), (error) => error.code === "TRANSPORT_ERROR");
});

test("RemoteEngine gives wire shapes: epoch-ms timestamps, completed and error broadcasts as WireEvents", async (t) => {
  const { server } = await startServer(t);
  const engine = new RemoteEngine(wsTransportTo(t, server), null);
  t.after(() => engine.close());
  const events = [];
  engine.setEventListener((batch) => events.push(...batch.filter((event) => event.type !== "progress")));
  await engine.run(chainFlow, { executionId: "ok-run", customTypes: [], events: false });
  const failed = await engine.run({ id: "x", type: "nope" }, { executionId: "bad-run", customTypes: [], events: false });
  assert.equal(typeof failed.error.timestamp, "number", "JSON's ISO timestamp became epoch ms");
  await until(() => events.length >= 2, undefined, "events");
  assert.deepEqual(events[0], { type: "completed", executionId: "ok-run", nodeId: "chain" });
  assert.deepEqual(
    [events[1].type, events[1].executionId, events[1].nodeId, events[1].error.code],
    ["error", "bad-run", "x", "NODE_TYPE_NOT_FOUND"],
  );
  assert.equal(typeof events[1].error.timestamp, "number");
});
