// 2,000 malformed, unauthenticated and oversized requests and frames against a protocol server in
// a child process: each gets the right answer (status, code, or the connection closed with the
// right code), the server keeps serving, and its memory after garbage collection returns to
// where it was — it does not grow with the number of bad requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { clientFrame, rawExchange, rawWebSocket } from "../test-support/server.mjs";

const CHILD = fileURLToPath(new URL("../test-support/flood-server.mjs", import.meta.url));
const MIB = 1024 * 1024;

function startChild(t) {
  const child = fork(CHILD, [], { execArgv: ["--expose-gc"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  t.after(() => child.kill());
  const replies = [];
  const waiting = [];
  child.on("message", (message) => (waiting.length ? waiting.shift()(message) : replies.push(message)));
  const next = () => (replies.length ? Promise.resolve(replies.shift()) : new Promise((resolve) => waiting.push(resolve)));
  return { child, next, memory: async () => (child.send("memory"), (await next()).memory) };
}

/** One kind of bad input: what to send, and the check of what came back. */
function kinds(port, apiKey) {
  const url = `http://127.0.0.1:${port}`;
  const http = async (path, init, expected) => {
    const response = await fetch(`${url}${path}`, init);
    const body = await response.json();
    assert.equal(response.status, expected.status, `${path}: ${JSON.stringify(body)}`);
    assert.equal(body.code, expected.code, path);
  };
  const json = (token) => ({ "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}) });
  const ws = async (frames, check) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    socket.on("error", () => {});
    const received = [];
    socket.on("message", (raw) => received.push(JSON.parse(String(raw))));
    const closed = new Promise((resolve) => socket.on("close", resolve));
    try {
      await new Promise((resolve) => socket.once("open", resolve));
      for (const frame of frames) socket.send(frame);
      await check(received, closed, socket);
    } finally {
      socket.terminate();
    }
  };
  const answered = (received, count) =>
    new Promise((resolve) => {
      const poll = () => (received.length >= count ? resolve() : setTimeout(poll, 2));
      poll();
    });
  return [
    [
      "invalid JSON",
      () =>
        http(
          "/api/node/execute",
          { method: "POST", headers: json(apiKey), body: "{nope" },
          { status: 400, code: "DESERIALIZATION_FAILED" },
        ),
    ],
    ["wrong method", () => http("/api/node/execute", { method: "GET" }, { status: 405, code: "VALIDATION_FAILED" })],
    ["unknown route", () => http("/api/nothing/here", { method: "POST", body: "{}" }, { status: 404, code: "IMPLEMENTATION_NOT_FOUND" })],
    ["bad percent-encoding", () => http("/api/%E0%A4%A/x", { method: "POST", body: "{}" }, { status: 400, code: "VALIDATION_FAILED" })],
    [
      "no token",
      () =>
        http("/api/node/execute", { method: "POST", headers: json(), body: '{"node":{}}' }, { status: 401, code: "AUTHENTICATION_FAILED" }),
    ],
    [
      "bad token",
      () =>
        http(
          "/api/storage/listFlows",
          { method: "POST", headers: json("atk_forged"), body: "{}" },
          { status: 401, code: "AUTHENTICATION_FAILED" },
        ),
    ],
    [
      "a run of garbage",
      async () => {
        const response = await fetch(`${url}/api/node/execute`, {
          method: "POST",
          headers: json(apiKey),
          body: '{"node":5,"context":[1]}',
        });
        assert.equal(response.status, 200);
        assert.equal((await response.json()).success, false);
      },
    ],
    [
      "declared body too large",
      async () => {
        const answer = await rawExchange(port, ["POST /api/node/execute HTTP/1.1\r\nHost: x\r\nContent-Length: 1048576\r\n\r\n"], {
          until: (text) => text.includes("}"),
        });
        assert.match(answer, /^HTTP\/1\.1 413 /);
      },
    ],
    [
      "not HTTP at all",
      async () => {
        const answer = await rawExchange(port, ["\x00\x01GARBAGE\r\n\r\n"]);
        assert.match(answer, /^HTTP\/1\.1 400 /);
      },
    ],
    [
      "invalid frames",
      () =>
        ws(["{", "[]", '{"type":"call"}'], async (received) => {
          await answered(received, 3);
          assert.deepEqual(
            received.map((frame) => frame.code),
            ["VALIDATION_FAILED", "VALIDATION_FAILED", "VALIDATION_FAILED"],
          );
        }),
    ],
    [
      "unauthenticated call",
      () =>
        ws([JSON.stringify({ type: "call", id: "1", channel: "node", command: "execute", args: { node: {} } })], async (received) => {
          await answered(received, 1);
          assert.equal(received[0].code, "AUTHENTICATION_FAILED");
        }),
    ],
    ["oversized frame", () => ws(["x".repeat(20 * 1024)], async (_received, closed) => assert.equal(await closed, 1009))],
    [
      "reserved opcode",
      async () => {
        const raw = await rawWebSocket(port);
        raw.write(clientFrame(0x3));
        await raw.closed;
      },
    ],
  ];
}

async function flood(list, count) {
  const batch = 20;
  for (let start = 0; start < count; start += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, (_, i) => {
        const [name, send] = list[(start + i) % list.length];
        return send().catch((error) => {
          throw new Error(`${name}: ${error.message}`, { cause: error });
        });
      }),
    );
  }
}

test("2,000 bad requests and frames: each answered right, the server keeps serving, memory returns to baseline", {
  timeout: 600_000,
}, async (t) => {
  const server = startChild(t);
  const { ready } = await server.next();
  const list = kinds(ready.port, ready.apiKey);
  await flood(list, 260); // warm-up: lazy set-up, JIT, pools
  const baseline = await server.memory();
  await flood(list, 2000);
  const after2000 = await server.memory();
  await flood(list, 2000);
  const after4000 = await server.memory();
  const mb = (bytes) => (bytes / MIB).toFixed(1);
  const figures = { baseline, after2000, after4000 };
  t.diagnostic(
    `heapUsed MB: ${mb(baseline.heapUsed)} → ${mb(after2000.heapUsed)} → ${mb(after4000.heapUsed)}; rss MB: ${mb(baseline.rss)} → ${mb(after2000.rss)} → ${mb(after4000.rss)}`,
  );
  // Generous margins: a leak of even 1 KB per bad request would be 2 MB per round of 2,000.
  assert.ok(after2000.heapUsed - baseline.heapUsed < 8 * MIB, JSON.stringify(figures));
  assert.ok(after4000.heapUsed - after2000.heapUsed < 2 * MIB, `no growth with the number of requests: ${JSON.stringify(figures)}`);

  const run = await fetch(`http://127.0.0.1:${ready.port}/api/node/execute`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${ready.apiKey}` },
    body: JSON.stringify({
      node: { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2] } },
    }),
  });
  assert.deepEqual((await run.json()).data.result, [2, 4], "still serving");
  server.child.send("close");
});
