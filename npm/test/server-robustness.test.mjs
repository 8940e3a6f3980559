// No input takes the protocol server down: each test reproduces a way a hostile or broken
// client used to crash the host, get a 500, stall the server or run what it should not, and
// checks the server answers it properly and keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { startServer } from "../test-support/remote.mjs";
import { clientFrame, flowOf, markingFactory, post, rawExchange, rawWebSocket } from "../test-support/server.mjs";

/** The server still answers over HTTP and WebSocket. */
async function assertServing(server) {
  assert.equal((await post(server, "system", "health", {})).status, 200);
  const socket = new WebSocket(server.wsUrl);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  const answer = new Promise((resolve) => socket.once("message", (raw) => resolve(JSON.parse(String(raw)))));
  socket.send(JSON.stringify({ type: "call", id: "h", channel: "system", command: "health" }));
  assert.equal((await answer).result.status, "ok");
  socket.terminate();
}

test("a WebSocket frame with a reserved opcode closes that connection, not the process", async (t) => {
  const { server } = await startServer(t);
  const socket = await rawWebSocket(server.port);
  // FIN, opcode 3 (reserved), masked, empty: ws rejects it with a RangeError on the socket.
  socket.write(clientFrame(0x3));
  await socket.closed;
  await assertServing(server);
});

test("other broken frames (reserved bits, unmasked, bad UTF-8, oversized control) close only their connection", async (t) => {
  const { server } = await startServer(t);
  const broken = [
    Buffer.from([0xf1, 0x80, 0, 0, 0, 0]), // RSV1-3 set without an extension
    Buffer.from([0x81, 0x02, 0x68, 0x69]), // a client frame that is not masked
    clientFrame(0x1, Buffer.from([0xff, 0xfe])), // text that is not UTF-8
    Buffer.concat([Buffer.from([0x89, 0xfe, 0x01, 0x00, 0, 0, 0, 0]), Buffer.alloc(256)]), // a ping over 125 bytes
  ];
  for (const frame of broken) {
    const socket = await rawWebSocket(server.port);
    socket.write(frame);
    await socket.closed;
  }
  await assertServing(server);
});

test("a path that is not valid percent-encoding is a 400, not a 500", async (t) => {
  const { server } = await startServer(t);
  for (const path of ["/api/%E0%A4%A/x", "/api/node/%FF", "/api/%/execute"]) {
    const response = await fetch(`${server.url}${path}`, { method: "POST", body: "{}" });
    assert.equal(response.status, 400, path);
    assert.deepEqual(await response.json(), { error: "Malformed request path", code: "VALIDATION_FAILED" }, path);
  }
  // A request target Node parses but URL cannot.
  const answer = await rawExchange(server.port, ["POST // HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"]);
  assert.match(answer, /^HTTP\/1\.1 (400|404) /);
  await assertServing(server);
});

test("a declared Content-Length over the limit is answered 413 before any of the body is sent", async (t) => {
  const { server } = await startServer(t);
  // 100 MB declared, nothing sent: a server that reads the body first would wait for ever
  // (until the test runner's hang bound fails this test).
  const answer = await rawExchange(
    server.port,
    ["POST /api/node/execute HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"],
    { until: (text) => text.includes("\r\n\r\n") && text.includes("}") },
  );
  assert.match(answer, /^HTTP\/1\.1 413 /);
  assert.match(answer, /"code":"MEMORY_LIMIT_EXCEEDED"/);
  await assertServing(server);
});

test("a body over the limit without a declared length is refused too, and the server keeps serving", async (t) => {
  const { server } = await startServer(t, {}, { maxBodyBytes: 1000 });
  const chunk = (text) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
  const answer = await rawExchange(
    server.port,
    [
      "POST /api/node/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
      chunk("x".repeat(1500)),
    ],
    { until: (text) => text.includes("\r\n\r\n") && text.includes("}") },
  );
  assert.match(answer, /^HTTP\/1\.1 413 /);
  await assertServing(server);
});

test("a WebSocket message over the size limit closes the connection and its flow never runs", async (t) => {
  const factory = markingFactory();
  const { server } = await startServer(t, { nodeExecutorFactory: factory }, { limits: { maxMessageBytes: 2000 } });
  const socket = new WebSocket(server.wsUrl);
  await new Promise((resolve) => socket.once("open", resolve));
  const answers = [];
  socket.on("message", (raw) => answers.push(JSON.parse(String(raw))));
  const closed = new Promise((resolve) => socket.once("close", resolve));
  const execute = (id, padding) =>
    JSON.stringify({
      type: "call",
      id,
      channel: "node",
      command: "execute",
      args: { node: { ...flowOf({ id: "m", type: "mark" }), padding } },
    });
  socket.send(execute("small", ""));
  await new Promise((resolve) => socket.on("message", () => answers.some((a) => a.id === "small") && resolve()));
  assert.equal(factory.marks.count, 1, "a message within the limit runs");
  socket.send(execute("big", "x".repeat(3000)));
  assert.equal(await closed, 1009, "closed as 'message too big'");
  assert.equal(
    answers.some((a) => a.id === "big"),
    false,
  );
  // Anything the big message could have started would have run before this later run finishes.
  assert.equal((await post(server, "node", "execute", { node: flowOf({ id: "m", type: "mark" }) })).body.success, true);
  assert.equal(factory.marks.count, 2, "only the small message and the later run marked");
  await assertServing(server);
});

test("malformed WebSocket frames are answered with a coded error, and the connection goes on", async (t) => {
  const { server } = await startServer(t);
  const socket = new WebSocket(server.wsUrl);
  await new Promise((resolve) => socket.once("open", resolve));
  const frames = [];
  socket.on("message", (raw) => frames.push(JSON.parse(String(raw))));
  const sent = [
    "not json",
    "null",
    "[]",
    "42",
    JSON.stringify({ type: "call" }),
    JSON.stringify({ type: "call", id: "x", channel: 1, command: "health" }),
    JSON.stringify({ type: "nope", id: "y" }),
  ];
  for (const frame of sent) socket.send(frame);
  // A client logging out of a server without authentication stays its anonymous caller.
  socket.send(JSON.stringify({ type: "auth", token: null }));
  socket.send(JSON.stringify({ type: "call", id: "last", channel: "system", command: "health" }));
  await new Promise((resolve) => socket.on("message", () => frames.some((f) => f.id === "last") && resolve()));
  assert.deepEqual(
    frames.filter((f) => f.type === "auth"),
    [{ type: "auth", ok: true, user: null }],
  );
  const errors = frames.filter((f) => f.id !== "last" && f.type !== "auth");
  assert.equal(errors.length, sent.length, JSON.stringify(frames));
  for (const frame of errors) assert.equal(frame.code, "VALIDATION_FAILED", JSON.stringify(frame));
  assert.deepEqual(
    errors.filter((f) => f.type === "response").map((f) => f.id),
    ["x", "y"],
    "frames with an id are answered as responses to it",
  );
  assert.equal(frames.find((f) => f.id === "last").result.status, "ok");
  socket.terminate();
});
