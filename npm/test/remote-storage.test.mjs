// Storage, templates, catalog and system calls of a remote conductor, over HTTP, WebSocket and IPC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { createConductor, createRemoteConductor } from "@atomiton/conductor/desktop";
import { ipcBridgeTo, remoteClients, startServer, until, wsTransportTo } from "../test-support/remote.mjs";

const flow = (id, name) => ({
  id,
  name,
  type: "group",
  nodes: [{ id: "a", type: "transform", parameters: { data: [1] }, custom: { kept: true } }],
  edges: [],
});

test("storage save, list, load and delete reach the server's storage, with flowSaved events", async (t) => {
  const served = await startServer(t);
  const clients = remoteClients(t, served);
  for (const [name, remote] of Object.entries(clients)) {
    const saved = [];
    remote.storage.onFlowSaved((event) => saved.push(event));
    const one = await remote.storage.saveFlow(flow(`${name}-one`, "First"));
    assert.deepEqual([one.id, one.version], [`${name}-one`, "1.0.0"], name);
    assert.match(one.savedAt, /Z$/, name);
    await remote.storage.saveFlow(flow(`${name}-two`, "Second"));
    assert.deepEqual(
      (await served.conductor.storage.loadFlow(`${name}-one`)).nodes[0].custom,
      { kept: true },
      `${name}: stored on the server`,
    );
    const loaded = await remote.storage.loadFlow(`${name}-one`);
    assert.deepEqual([loaded.name, loaded.nodes[0].custom], ["First", { kept: true }], name);
    const listed = await remote.storage.listFlows({ sortBy: "name", sortOrder: "asc" });
    assert.ok(
      listed.flows.some((f) => f.id === `${name}-two`),
      name,
    );
    const page = await remote.storage.listFlows({ limit: 1, offset: 0, sortBy: "name", sortOrder: "desc" });
    assert.equal(page.flows.length, 1, name);
    assert.equal(page.total, listed.total, name);
    await remote.storage.deleteFlow(`${name}-two`);
    await assert.rejects(served.conductor.storage.loadFlow(`${name}-two`), /not found/, `${name}: deleted on the server`);
    await assert.rejects(remote.storage.saveFlow({ id: "empty", nodes: [] }), /Flow must contain at least one node/, name);
    if (name === "http") {
      assert.deepEqual(saved, [], "HTTP cannot push events");
      continue;
    }
    await until(() => saved.length === 2, undefined, `${name} flowSaved events`);
    assert.deepEqual(
      saved.map((event) => [event.id, event.flowId, event.name]),
      [
        [`${name}-one`, `${name}-one`, "First"],
        [`${name}-two`, `${name}-two`, "Second"],
      ],
      name,
    );
    assert.equal(typeof saved[0].timestamp, "number", name);
  }
});

test("storage failures reject with the server's message and code (HTTP: its status)", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  for (const [name, remote] of Object.entries(clients)) {
    const expected = name === "http" ? "HTTP 500: Internal Server Error" : "Flow with id missing not found";
    await assert.rejects(
      remote.storage.loadFlow("missing"),
      (error) => error instanceof Error && error.message === expected && error.code === "NODE_NOT_FOUND",
      name,
    );
    await assert.rejects(remote.storage.saveFlow(flow("../escape", "x")), (error) => error.code === "VALIDATION_FAILED", name);
  }
});

test("deleting broadcasts flowDeleted", async (t) => {
  const { server } = await startServer(t);
  const storage = wsTransportTo(t, server).channel("storage");
  const deleted = [];
  storage.listen("flowDeleted", (event) => deleted.push(event));
  await storage.call("saveFlow", { flow: flow("gone", "Gone") });
  assert.equal(await storage.call("deleteFlow", { id: "gone" }), undefined);
  await until(() => deleted.length === 1, undefined, "flowDeleted");
  assert.equal(deleted[0].id, "gone");
  assert.match(deleted[0].deletedAt, /Z$/);
});

test("templates come from the server", async (t) => {
  const clients = remoteClients(t, await startServer(t));
  const local = createConductor({ storage: { type: "memory" } });
  const templates = await local.flow.listTemplates();
  const first = templates.templates[0].id;
  for (const [name, remote] of Object.entries(clients)) {
    assert.deepEqual(await remote.flow.listTemplates(), templates, name);
    assert.deepEqual(await remote.flow.getTemplate(first), await local.flow.getTemplate(first), name);
    assert.deepEqual(await remote.flow.loadFlow(first), await local.flow.loadFlow(first), name);
    const message = name === "http" ? "HTTP 500: Internal Server Error" : "Flow template nope not found";
    await assert.rejects(remote.flow.getTemplate("nope"), (error) => error.message === message, name);
  }
});

test("the catalog and formats are answered locally", async (t) => {
  const remote = createRemoteConductor({ serverUrl: "http://127.0.0.1:9" });
  t.after(() => remote.close());
  const local = createConductor({ storage: { type: "memory" } });
  assert.deepEqual(remote.catalog.getAllNodeDefinitions(), local.catalog.getAllNodeDefinitions());
  assert.deepEqual(remote.catalog.getNodeDefinition("transform"), local.catalog.getNodeDefinition("transform"));
  assert.deepEqual(remote.catalog.getNodeDefinitionsGroupedByCategory(), local.catalog.getNodeDefinitionsGroupedByCategory());
  const yaml = remote.formats.toYaml({ id: "g", name: "G", type: "group", nodes: [{ id: "a", name: "A", type: "transform" }], edges: [] });
  assert.deepEqual(remote.formats.parseFlow(yaml), local.formats.parseFlow(yaml));
});

test("system.health is the server's; each channel answers health", async (t) => {
  const served = await startServer(t);
  const clients = remoteClients(t, served);
  await served.conductor.storage.saveFlow(flow("counted", "Counted"));
  for (const [name, remote] of Object.entries(clients)) {
    const health = await remote.system.health();
    assert.deepEqual([health.status, health.message], ["ok", "Local conductor operational"], name);
    assert.equal(typeof health.timestamp, "number", name);
    assert.equal((await remote.health()).message, "Local conductor operational", `${name}: legacy alias`);
  }
  const dispatch = served.server.handlers.dispatch;
  assert.equal((await dispatch("node", "health")).result.status, "ok");
  assert.deepEqual((await dispatch("storage", "health")).result, { status: "ok", flowCount: 1 });
});

test("system.restart reaches the main process only when it supplies a restart", async (t) => {
  const served = await startServer(t);
  let restarts = 0;
  const electron = ipcBridgeTo(t, served.conductor, { restart: () => void restarts++ });
  const announced = [];
  electron.bridge.listen("system", "appRestarting", (event) => announced.push(event));
  const desktop = createRemoteConductor({ bridge: electron.bridge });
  t.after(() => desktop.close());
  await desktop.system.restart();
  assert.equal(restarts, 1);
  assert.equal(announced.length, 1);
  const server = createRemoteConductor({ serverUrl: served.server.wsUrl, WebSocket });
  t.after(() => server.close());
  await assert.rejects(server.system.restart(), /No handler for method: restart/);
});
