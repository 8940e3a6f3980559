// The wire protocol itself (preload bridge, transports, channel servers): envelopes, error
// rules and messages, frames,
// time-outs and connection failures, the HTTP server's answers, origins, transport detection.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import * as desktop from "@atomiton/conductor/desktop";
import * as root from "@atomiton/conductor";
import {
  createChannelHandlers,
  createHttpTransport,
  createIpcTransport,
  createRemoteConductor,
  createWebSocketTransport,
  detectTransport,
} from "@atomiton/conductor/desktop";
import { electronDouble, ipcBridgeTo, startServer, wsTransportTo } from "../test-support/remote.mjs";

/** A port nothing listens on. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A bare WebSocket server whose `onCall(socket, frame, connectionNumber)` decides what to answer. */
async function bareWebSocketServer(t, onCall) {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  let connections = 0;
  server.on("connection", (socket) => {
    const number = ++connections;
    socket.on("message", (raw) => onCall(socket, JSON.parse(String(raw)), number));
  });
  t.after(
    () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(resolve);
      }),
  );
  return { url: `ws://127.0.0.1:${server.address().port}`, connections: () => connections };
}

test("dispatch answers with the channel servers' envelopes", async (t) => {
  const { conductor } = await startServer(t);
  const handlers = createChannelHandlers(conductor);
  assert.deepEqual([...handlers.channels], ["node", "storage", "executions", "waits", "cache", "triggers", "flow", "system"]);
  const noHandler = (command) => ({ error: `No handler for method: ${command}`, channelError: true, code: "IMPLEMENTATION_NOT_FOUND" });
  assert.deepEqual(await handlers.dispatch("node", "nope"), noHandler("nope"));
  assert.deepEqual(await handlers.dispatch("node", "constructor"), noHandler("constructor"), "no prototype lookups");
  assert.deepEqual(await handlers.dispatch("flow", "getTemplate", { id: "nope" }), {
    error: "Flow template nope not found",
    channelError: true,
    code: "NODE_NOT_FOUND",
  });
  assert.deepEqual(await handlers.dispatch("storage", "loadFlow", { id: "nope" }), {
    error: "Flow with id nope not found",
    channelError: true,
    code: "NODE_NOT_FOUND",
  });
  const { result } = await handlers.dispatch("node", "execute", {
    node: { id: "t", type: "transform", parameters: { data: [1] } },
    context: { executionId: "given" },
  });
  assert.deepEqual([result.success, result.context.executionId], [true, "given"]);
  // A context key the engine does not know (or one that cannot cross the wire) is a failed run
  // naming it, never dropped.
  const refused = await handlers.dispatch("node", "execute", {
    node: { id: "t", type: "transform", parameters: { data: [1] } },
    context: { executionId: "again", timout: 5 },
  });
  assert.deepEqual(
    [refused.result.success, refused.result.error.code, refused.result.error.message],
    [false, "VALIDATION_FAILED", "Invalid run options: unknown option 'timout' (did you mean 'timeout'?)"],
  );
  const signal = await handlers.dispatch("node", "execute", { node: { id: "t", type: "transform" }, context: { signal: "x" } });
  assert.match(signal.result.error.message, /'signal' cannot be sent to a server/);
});

test("an error envelope or frame becomes a thrown Error with the server's message", async (t) => {
  const served = await startServer(t);
  const { bridge } = ipcBridgeTo(t, served.conductor);
  assert.deepEqual(
    await bridge.call("node", "nope"),
    { error: "No handler for method: nope", channelError: true, code: "IMPLEMENTATION_NOT_FOUND" },
    "the raw IPC envelope",
  );
  const ws = wsTransportTo(t, served.server);
  for (const [name, transport] of [
    ["ipc", createIpcTransport(bridge)],
    ["ws", ws],
  ]) {
    await assert.rejects(
      transport.channel("node").call("nope"),
      (error) => error instanceof Error && error.message === "No handler for method: nope" && error.code === "IMPLEMENTATION_NOT_FOUND",
      name,
    );
    await assert.rejects(
      transport.channel("storage").call("loadFlow", { id: "x" }),
      (error) => error.message === "Flow with id x not found" && error.code === "NODE_NOT_FOUND",
      name,
    );
    assert.equal((await transport.channel("node").call("health")).status, "ok", name);
  }
  const structured = createIpcTransport({
    call: async () => ({ error: { code: "E", message: "m" }, channelError: true }),
    listen: () => () => {},
  });
  await assert.rejects(structured.channel("x").call("y"), { message: '{"code":"E","message":"m"}' });
});

test("HTTP: non-2xx answers reject with 'HTTP <status>: <statusText>'", async (t) => {
  const { server } = await startServer(t);
  const http = createHttpTransport(`${server.url}/`);
  await assert.rejects(
    http.channel("node").call("nope"),
    (error) => error.message === "HTTP 404: Not Found" && error.status === 404 && error.cause === "No handler for method: nope",
  );
  await assert.rejects(
    http.channel("storage").call("loadFlow", { id: "x" }),
    (error) =>
      error.message === "HTTP 500: Internal Server Error" && error.code === "NODE_NOT_FOUND" && error.cause === "Flow with id x not found",
  );
  assert.equal(
    await http
      .channel("storage")
      .call("deleteFlow", { id: "x" })
      .catch((error) => error.status),
    500,
  );
  assert.equal((await http.channel("system").call("health")).status, "ok", "a call without args");
  assert.deepEqual(http.channel("node").listen("progress", () => {})(), undefined, "listen is a no-op");
});

test("HTTP server: method, path, JSON and size are checked", async (t) => {
  const { server } = await startServer(t, {}, { maxBodyBytes: 1000 });
  const post = (path, body, headers = {}) =>
    fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });
  const get = await fetch(`${server.url}/api/system/health`);
  assert.deepEqual([get.status, get.headers.get("allow")], [405, "POST"]);
  assert.equal((await post("/elsewhere", "{}")).status, 404);
  const bad = await post("/api/node/validate", "{not json");
  assert.deepEqual([bad.status, await bad.json()], [400, { error: "Invalid JSON body", code: "DESERIALIZATION_FAILED" }]);
  const big = await post("/api/node/validate", JSON.stringify({ node: { id: "x".repeat(2000), type: "transform" } }));
  assert.equal(big.status, 413);
  const ok = await post("/api/node/validate", JSON.stringify({ node: { id: "x", type: "transform" } }));
  assert.deepEqual([ok.status, (await ok.json()).valid], [200, true]);
  const deleted = await post("/api/storage/deleteFlow", JSON.stringify({ id: "x" }));
  assert.equal(deleted.status, 500);
});

test("browser origins are refused unless allowed; allowed ones get CORS", async (t) => {
  const { server } = await startServer(t, {}, { allowedOrigins: ["http://app.example"] });
  const call = (origin) =>
    fetch(`${server.url}/api/system/health`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: origin },
      body: "{}",
    });
  const refused = await call("http://evil.example");
  assert.deepEqual(
    [refused.status, await refused.json()],
    [403, { error: "Origin not allowed: http://evil.example", code: "PERMISSION_DENIED" }],
  );
  const allowed = await call("http://app.example");
  assert.deepEqual([allowed.status, allowed.headers.get("access-control-allow-origin")], [200, "http://app.example"]);
  const preflight = await fetch(`${server.url}/api/node/execute`, {
    method: "OPTIONS",
    headers: { Origin: "http://app.example", "Access-Control-Request-Method": "POST" },
  });
  assert.deepEqual([preflight.status, preflight.headers.get("access-control-allow-methods")], [204, "POST"]);
  const socketFrom = (origin) =>
    class extends WebSocket {
      constructor(url) {
        super(url, { origin });
      }
    };
  const evil = createWebSocketTransport(server.wsUrl, { WebSocket: socketFrom("http://evil.example") });
  await assert.rejects(evil.channel("system").call("health"), { message: "WebSocket not connected" });
  evil.close();
  const app = createWebSocketTransport(server.wsUrl, { WebSocket: socketFrom("http://app.example") });
  assert.equal((await app.channel("system").call("health")).status, "ok");
  app.close();
});

test("WebSocket: a call with no answer rejects with 'Request timeout'", async (t) => {
  const silent = await bareWebSocketServer(t, () => {});
  const transport = createWebSocketTransport(silent.url, { WebSocket, timeoutMs: 100 });
  t.after(() => transport.close());
  const started = Date.now();
  await assert.rejects(transport.channel("node").call("execute", {}), { message: "Request timeout" });
  // A lower bound only: the timer never fires early, however fast the machine.
  assert.ok(Date.now() - started >= 90, `${Date.now() - started} ms`);
});

test("WebSocket: 'WebSocket not connected' when nothing listens or after close()", async (t) => {
  const nobody = createWebSocketTransport(`ws://127.0.0.1:${await freePort()}`, { WebSocket });
  await assert.rejects(nobody.channel("system").call("health"), { message: "WebSocket not connected" });
  nobody.close();
  const { server } = await startServer(t);
  const closed = createWebSocketTransport(server.wsUrl, { WebSocket });
  assert.equal((await closed.channel("system").call("health")).status, "ok");
  closed.close();
  await assert.rejects(closed.channel("system").call("health"), { message: "WebSocket not connected" });
});

test("WebSocket: a dropped connection fails its calls, and the next call reconnects", async (t) => {
  const server = await bareWebSocketServer(t, (socket, frame, connection) => {
    if (connection === 1) return socket.terminate();
    socket.send("not a frame");
    socket.send(JSON.stringify({ type: "response", id: "someone-else", result: 0 }));
    socket.send(JSON.stringify({ type: "response", id: frame.id, result: { echoed: frame.command, args: frame.args } }));
  });
  const transport = createWebSocketTransport(server.url, { WebSocket });
  t.after(() => transport.close());
  await assert.rejects(transport.channel("node").call("first"), { message: "WebSocket connection closed" });
  assert.deepEqual(await transport.channel("node").call("second", { n: 1 }), { echoed: "second", args: { n: 1 } });
  assert.equal(server.connections(), 2);
});

test("detectTransport: the bridge first, then the server URL by scheme, else none", async (t) => {
  const served = await startServer(t);
  const { bridge, webContents } = ipcBridgeTo(t, served.conductor);
  assert.equal(detectTransport(), undefined);
  assert.equal(detectTransport({ bridge: null, serverUrl: "" }), undefined);
  assert.throws(() => detectTransport({ serverUrl: "ftp://x" }), /Unsupported server URL/);
  const viaBridge = detectTransport({ bridge, serverUrl: "http://127.0.0.1:9" });
  viaBridge.channel("node").listen("completed", () => {});
  await viaBridge.channel("node").call("execute", { node: { id: "t", type: "transform" } });
  assert.ok(webContents.sent > 0, "the call and its broadcast went through the bridge");
  assert.equal((await detectTransport({ serverUrl: served.server.url }).channel("system").call("health")).status, "ok");
  const ws = detectTransport({ wsUrl: served.server.wsUrl, WebSocket });
  assert.equal(typeof ws.close, "function", "a WebSocket transport");
  assert.equal((await ws.channel("system").call("health")).status, "ok");
  ws.close();
  assert.throws(() => createRemoteConductor({}), /No transport available/);
});

test("registerIpcChannels registers a handler per channel, broadcasts to live targets, and disposes", async (t) => {
  const { conductor } = await startServer(t);
  const electron = electronDouble();
  const dead = {
    sent: 0,
    send() {
      this.sent++;
    },
    isDestroyed: () => true,
  };
  const channels = desktop.registerIpcChannels(electron.ipcMain, conductor, { webContents: () => [electron.webContents, dead] });
  assert.deepEqual(
    [...electron.handlers.keys()],
    ["node:call", "storage:call", "executions:call", "waits:call", "cache:call", "triggers:call", "flow:call", "system:call"],
  );
  const extra = {
    sent: 0,
    send() {
      this.sent++;
    },
  };
  const untrack = channels.track(extra);
  await conductor.node.run({ id: "t", type: "transform" });
  assert.ok(electron.webContents.sent > 0 && extra.sent > 0);
  assert.equal(dead.sent, 0, "destroyed windows get nothing");
  untrack();
  const before = extra.sent;
  await conductor.node.run({ id: "t", type: "transform" });
  assert.equal(extra.sent, before);
  channels.dispose();
  assert.equal(electron.handlers.size, 0);
  const after = electron.webContents.sent;
  await conductor.node.run({ id: "t", type: "transform" });
  assert.equal(electron.webContents.sent, after, "no broadcasts after dispose");
});

test("/desktop and the root export the remote and server pieces", () => {
  for (const name of [
    "createRemoteConductor",
    "RemoteEngine",
    "createIpcTransport",
    "createHttpTransport",
    "createWebSocketTransport",
    "detectTransport",
    "createChannelHandlers",
    "registerIpcChannels",
    "createProtocolServer",
  ]) {
    assert.equal(typeof desktop[name], "function", name);
    assert.equal(root[name], desktop[name], name);
  }
});
