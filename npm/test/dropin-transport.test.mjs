// Where a conductor runs its flows, as the docs configure it: transport strings and apiUrl in the
// config, configureTransport(type, config) on the same object, shutdown(), and the
// CONDUCTOR_CONCURRENCY / CONDUCTOR_TIMEOUT environment variables.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { ConductorError, createConductor, registerIpcChannels } from "@atomiton/conductor";
import { ipcBridgeTo, startServer } from "../test-support/remote.mjs";
import { until } from "../test-support/helpers.mjs";

const HOUR = 3_600_000;

/**
 * `hold` nodes wait until released (or aborted, or an hour): `running` counts those waiting now,
 * `peak` the most at once, `started` all calls.
 */
function holdTypes() {
  const state = { running: 0, peak: 0, started: 0, waiting: [] };
  state.releaseAll = () => {
    for (const release of state.waiting.splice(0)) release();
  };
  state.getNodeExecutable = (type) =>
    type === "hold"
      ? {
          execute: ({ signal, nodeId }) =>
            new Promise((resolve) => {
              state.started++;
              state.running++;
              state.peak = Math.max(state.peak, state.running);
              const done = (value) => {
                clearTimeout(timer);
                state.running--;
                resolve(value);
              };
              const timer = setTimeout(() => done("late"), HOUR);
              state.waiting.push(() => done(nodeId));
              signal.addEventListener("abort", () => done("aborted"));
            }),
        }
      : undefined;
  return state;
}

const fanOut = (count) => ({
  id: "fan",
  type: "group",
  nodes: Array.from({ length: count }, (_, index) => ({ id: `n${index}`, type: "hold" })),
  edges: [],
});
const holdOne = { id: "one", type: "group", nodes: [{ id: "h", type: "hold" }], edges: [] };
const echo = {
  id: "echo",
  type: "group",
  nodes: [{ id: "e", type: "edit-fields", parameters: { values: { ran: "here" }, keepOnlySet: true } }],
  edges: [],
};

/**
 * Runs `fanOut(count)` in waves: each time `limit` nodes (or all that are left) are running, and
 * nothing more has started a moment later, releases them. The most that ever ran at once. A
 * conductor that runs fewer at once than `limit` never fills a wave, and the test hangs.
 */
async function peakConcurrency(conductor, types, limit, count = 6) {
  types.peak = 0;
  types.started = 0;
  const running = conductor.node.run(fanOut(count));
  for (let finished = 0; finished < count; finished = types.started - types.running) {
    const wave = Math.min(limit, count - finished);
    await until(() => types.running === wave, undefined, `${wave} nodes to run at once`);
    await new Promise((resolve) => setTimeout(resolve, 20));
    types.releaseAll();
  }
  assert.equal((await running).success, true);
  return types.peak;
}

test("createConductor({transport: 'http', apiUrl}) runs flows and keeps them on the server", async (t) => {
  const { conductor: server, server: http } = await startServer(t);
  const completedOnServer = [];
  server.events.onCompleted(({ executionId }) => completedOnServer.push(executionId));
  const client = createConductor({ transport: "http", apiUrl: http.url, storage: { type: "memory" } });
  t.after(() => client.shutdown());
  const result = await client.node.run(echo, { executionId: "over-http" });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(completedOnServer, ["over-http"], "the server ran it");
  await client.storage.saveFlow({ ...echo, id: "kept-remotely" });
  assert.equal((await server.storage.loadFlow("kept-remotely")).id, "kept-remotely");
  // apiUrl alone picks the transport from its scheme.
  const byUrl = createConductor({ apiUrl: http.wsUrl, WebSocket, storage: { type: "memory" } });
  t.after(() => byUrl.shutdown());
  assert.equal((await byUrl.node.run(echo, { executionId: "over-ws" })).success, true);
  assert.ok(completedOnServer.includes("over-ws"));
});

test("configureTransport switches the same conductor between local, http, ws and ipc", async (t) => {
  const { conductor: server, server: http } = await startServer(t);
  const onServer = [];
  server.events.onCompleted(({ executionId }) => onServer.push(executionId));
  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const runAt = async (where) => {
    const result = await conductor.node.run(echo, { executionId: where });
    assert.equal(result.success, true, `${where}: ${JSON.stringify(result.error)}`);
    return onServer.includes(where);
  };
  assert.equal(await runAt("local-1"), false);
  conductor.configureTransport("http", { apiUrl: http.url });
  assert.equal(await runAt("http-1"), true);
  conductor.configureTransport("ws", { apiUrl: http.url, WebSocket });
  assert.equal(await runAt("ws-1"), true, "an http:// URL serves the ws transport on the same port");
  const { bridge } = ipcBridgeTo(t, server);
  conductor.configureTransport("ipc", { bridge });
  assert.equal(await runAt("ipc-1"), true);
  conductor.configureTransport("local");
  assert.equal(await runAt("local-2"), false);
});

/**
 * Electron's two IPC ends in one process, as a preload exposes them with electron-toolkit:
 * `ipcMain` serving `conductor`, and the renderer's `ipcRenderer` (`invoke`, `on`, `removeListener`).
 */
function ipcRendererTo(t, conductor) {
  const handlers = new Map();
  const listeners = new Map();
  const ipcMain = { handle: (name, handler) => handlers.set(name, handler), removeHandler: (name) => handlers.delete(name) };
  const webContents = {
    send: (name, data) => {
      for (const listener of [...(listeners.get(name) ?? [])]) listener({}, structuredClone(data));
    },
  };
  const channels = registerIpcChannels(ipcMain, conductor, { webContents: [webContents] });
  t.after(() => channels.dispose());
  return {
    invoke: async (name, ...args) => structuredClone(await handlers.get(name)({}, ...structuredClone(args))),
    on: (name, listener) => listeners.set(name, new Set([...(listeners.get(name) ?? []), listener])),
    removeListener: (name, listener) => listeners.get(name)?.delete(listener),
  };
}

test("the ipc transport also speaks through Electron's ipcRenderer, given or found at window.electron", async (t) => {
  const { conductor: main } = await startServer(t);
  const ipcRenderer = ipcRendererTo(t, main);
  const renderer = createConductor({ storage: { type: "memory" } });
  t.after(() => renderer.shutdown());
  renderer.configureTransport("ipc", { ipcRenderer });
  const progress = [];
  renderer.node.onProgress((event) => progress.push(event.executionId));
  const result = await renderer.node.run(echo, { executionId: "via-ipc-renderer" });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.ok(progress.includes("via-ipc-renderer"), "events come back through ipcRenderer.on");

  globalThis.electron = { ipcRenderer: ipcRendererTo(t, main) };
  t.after(() => delete globalThis.electron);
  const found = createConductor({ transport: "ipc", storage: { type: "memory" } });
  t.after(() => found.shutdown());
  await found.storage.saveFlow({ ...echo, id: "saved-over-ipc" });
  assert.equal((await main.storage.loadFlow("saved-over-ipc")).id, "saved-over-ipc");
});

test("configureTransport('local', {concurrency, timeout}) applies to later runs", async (t) => {
  const types = holdTypes();
  const conductor = createConductor({ storage: { type: "memory" }, concurrency: 4, nodeExecutorFactory: types });
  t.after(() => conductor.shutdown());
  assert.equal(await peakConcurrency(conductor, types, 4), 4);
  conductor.configureTransport("local", { concurrency: 1 });
  assert.equal(await peakConcurrency(conductor, types, 1), 1);
  conductor.configureTransport("local", { timeout: 50 });
  const bounded = await conductor.node.run(holdOne);
  assert.equal(bounded.error.code, "TIMEOUT");
  assert.equal(bounded.error.message, "Execution timed out after 50ms");
});

test("flows saved before a concurrency change are still there, and a run in flight finishes where it started", async (t) => {
  const { conductor: server, server: http } = await startServer(t);
  const onServer = [];
  server.events.onCompleted(({ executionId }) => onServer.push(executionId));
  const types = holdTypes();
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: types });
  t.after(() => conductor.shutdown());
  await conductor.storage.saveFlow({ ...echo, id: "before" });
  conductor.configureTransport("local", { concurrency: 2 });
  assert.equal((await conductor.storage.loadFlow("before")).id, "before");
  const running = conductor.node.run(holdOne, { executionId: "started-locally" });
  await until(() => types.running === 1, undefined, "the local run to start");
  conductor.configureTransport("http", { apiUrl: http.url });
  types.releaseAll();
  const result = await running;
  assert.equal(result.success, true);
  assert.equal(result.data, "h");
  assert.equal(onServer.includes("started-locally"), false);
});

test("a transport string works in /browser too: transport 'local' runs in wasm, 'http' on the server", async (t) => {
  const browser = await import("@atomiton/conductor/browser");
  const local = browser.createConductor({ transport: "local", storage: { type: "memory" } });
  await local.ready;
  const result = await local.node.run(echo);
  assert.equal(result.success, true, JSON.stringify(result.error));
  const { conductor: server, server: http } = await startServer(t);
  const onServer = [];
  server.events.onCompleted(({ executionId }) => onServer.push(executionId));
  const remote = browser.createConductor({ transport: "http", apiUrl: http.url, storage: { type: "memory" } });
  t.after(() => remote.shutdown());
  assert.equal((await remote.node.run(echo, { executionId: "from-browser" })).success, true);
  assert.deepEqual(onServer, ["from-browser"]);
  assert.equal(remote.getEnvironment().hasTransport, true);
});

test("bad transport settings are coded errors", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const failure = (call) => {
    try {
      call();
    } catch (error) {
      assert.ok(error instanceof ConductorError, String(error));
      return [error.code, error.message];
    }
    assert.fail("no error");
  };
  assert.deepEqual(
    failure(() => conductor.configureTransport("carrier-pigeon")),
    ["VALIDATION_FAILED", "Unknown transport type 'carrier-pigeon' (expected local, http, ws, ipc)"],
  );
  assert.deepEqual(
    failure(() => conductor.configureTransport("http", {})),
    ["VALIDATION_FAILED", "The http transport needs a server URL: pass { apiUrl }"],
  );
  assert.equal(failure(() => conductor.configureTransport("http", { apiUrl: "ftp://x" }))[0], "VALIDATION_FAILED");
  assert.equal(failure(() => conductor.configureTransport("ipc"))[0], "NO_TRANSPORT", "Node has no preload bridge");
  // Node 22 and later have a global WebSocket: the transport is made, and a server that is not
  // there is a coded failure of the run.
  const unreachable = createConductor({ transport: "ws", apiUrl: "ws://127.0.0.1:9" });
  const refused = await unreachable.node.run(echo);
  assert.deepEqual([refused.success, refused.error?.code], [false, "TRANSPORT_ERROR"]);
  await unreachable.shutdown();
  assert.equal((await conductor.node.run(echo)).success, true, "a failed configureTransport changes nothing");
  await conductor.shutdown();
});

test("shutdown(): runs in flight are cancelled, later calls fail clearly, it can be called twice", async () => {
  const types = holdTypes();
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: types, retryDelay: HOUR });
  await conductor.storage.saveFlow({ ...holdOne, id: "holds" });
  const running = conductor.node.run(holdOne, { executionId: "in-flight" });
  const request = conductor.execute({ flowId: "holds", options: { retries: 3 } });
  await until(() => types.running === 2, undefined, "both runs to start");

  await Promise.all([conductor.shutdown(), conductor.shutdown()]);
  assert.equal((await running).error.code, "CANCELLED");
  assert.equal((await request).error.code, "CANCELLED");
  assert.equal(types.running, 0);

  const after = await conductor.node.run(echo);
  assert.equal(after.success, false);
  assert.equal(after.error.code, "NO_TRANSPORT");
  assert.equal(after.error.message, "The conductor has been shut down; create a new conductor to run flows");
  assert.equal((await conductor.execute({ flowId: "holds" })).error.code, "NO_TRANSPORT");
  await assert.rejects(conductor.storage.listFlows(), (error) => error instanceof ConductorError && error.code === "NO_TRANSPORT");
  await assert.rejects(conductor.flow.getTemplate("hello-world"), { code: "NO_TRANSPORT" });
  assert.throws(() => conductor.configureTransport("local"), { code: "NO_TRANSPORT" });
  assert.equal((await conductor.system.health()).status, "error");
  await conductor.shutdown();
});

test("CONDUCTOR_CONCURRENCY and CONDUCTOR_TIMEOUT are defaults under explicit config", async (t) => {
  const saved = { concurrency: process.env.CONDUCTOR_CONCURRENCY, timeout: process.env.CONDUCTOR_TIMEOUT };
  t.after(() => {
    for (const [key, name] of [
      ["concurrency", "CONDUCTOR_CONCURRENCY"],
      ["timeout", "CONDUCTOR_TIMEOUT"],
    ]) {
      if (saved[key] === undefined) delete process.env[name];
      else process.env[name] = saved[key];
    }
  });
  delete process.env.CONDUCTOR_TIMEOUT;
  process.env.CONDUCTOR_CONCURRENCY = "2";
  const types = holdTypes();
  const fromEnvironment = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: types });
  assert.equal(await peakConcurrency(fromEnvironment, types, 2), 2);
  process.env.CONDUCTOR_TIMEOUT = "50";
  const timed = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: holdTypes() });
  assert.equal((await timed.node.run(holdOne)).error.message, "Execution timed out after 50ms");

  const explicitTypes = holdTypes();
  const explicit = createConductor({ storage: { type: "memory" }, concurrency: 3, timeout: 0, nodeExecutorFactory: explicitTypes });
  assert.equal(await peakConcurrency(explicit, explicitTypes, 3), 3, "explicit concurrency wins");
  const unbounded = explicit.node.run(holdOne);
  await until(() => explicitTypes.running === 1, undefined, "the run to start");
  explicitTypes.releaseAll();
  assert.equal((await unbounded).success, true, "explicit timeout 0 (none) wins over CONDUCTOR_TIMEOUT");

  process.env.CONDUCTOR_CONCURRENCY = "eight";
  assert.throws(
    () => createConductor({ storage: { type: "memory" } }),
    (error) =>
      error.code === "VALIDATION_FAILED" && /CONDUCTOR_CONCURRENCY must be a whole number of at least 1, not 'eight'/.test(error.message),
  );
  assert.equal(
    createConductor({ storage: { type: "memory" }, concurrency: 1 }).getEnvironment().type,
    "desktop",
    "an explicit value makes the variable irrelevant",
  );
});
