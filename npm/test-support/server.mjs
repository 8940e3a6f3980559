// Shared setup for the protocol-server tests: a real server with users and API keys on
// 127.0.0.1, and clients that speak to it raw — fetch, a WebSocket that exposes every frame,
// and bare TCP sockets for what no well-behaved client would send.
import { connect } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { createConductor, createProtocolServer, generateApiKey, hashPassword } from "@atomiton/conductor/desktop";
import { HANG_MS, until } from "./helpers.mjs";
import { waitFactory } from "./remote.mjs";

export const PASSWORD = "correct horse battery staple";
let passwordHash;

/** The hash of `PASSWORD` (computed once: scrypt is deliberately slow). */
export async function hashed() {
  passwordHash ??= await hashPassword(PASSWORD);
  return passwordHash;
}

/** A `mark` node type counting its runs in `marks.count`, beside the `wait` type. */
export function markingFactory(marks = { count: 0 }) {
  return {
    marks,
    getNodeExecutable: (type) =>
      type === "mark"
        ? {
            execute: () => {
              marks.count++;
              return "marked";
            },
          }
        : waitFactory.getNodeExecutable(type),
  };
}

/**
 * A protocol server with authentication: users `alice` and `bob` (password `PASSWORD`, grants
 * from `grants`, default grant otherwise), and an API key (`server.apiKey`, grant
 * `apiKeyGrant`). Closed after the test.
 */
export async function authServer(t, { grants = {}, apiKeyGrant, auth = {}, config = {}, ...serverOptions } = {}) {
  const hash = await hashed();
  const names = [...new Set(["alice", "bob", ...Object.keys(grants)])];
  const users = names.map((username) => ({
    username,
    passwordHash: hash,
    email: `${username}@example.test`,
    roles: ["user"],
    grant: grants[username],
  }));
  const { key, keyHash } = generateApiKey();
  const factory = markingFactory();
  const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0, nodeExecutorFactory: factory, ...config });
  const server = await createProtocolServer(conductor, {
    WebSocketServer,
    auth: { users, apiKeys: [{ id: "robot", keyHash, grant: apiKeyGrant }], ...auth },
    ...serverOptions,
  });
  t.after(() => server.close());
  return { conductor, server, apiKey: key, marks: factory.marks };
}

/** `POST /api/<channel>/<command>` with `body` (JSON unless a string) and a bearer `token`: `{status, body, headers}`. */
export async function post(server, channel, command, body, token, headers = {}) {
  const response = await fetch(`${server.url}/api/${encodeURIComponent(channel)}/${encodeURIComponent(command)}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Logs `username` in over HTTP; the token. */
export async function login(server, username = "alice", password = PASSWORD) {
  const { status, body } = await post(server, "auth", "login", { username, password });
  if (status !== 200) throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`);
  return body.token;
}

/**
 * A WebSocket to the server that records every frame: `call(channel, command, args)` resolves
 * with the response frame, `auth(token)` with the auth answer, `next(predicate)` with the next
 * matching frame, `events` lists event frames, `closed` resolves with the close code. Closed
 * after the test.
 */
export async function wsClient(t, server, { protocols, origin } = {}) {
  const socket = new WebSocket(server.wsUrl, protocols, origin ? { origin } : {});
  const frames = [];
  const waiters = new Set();
  const closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  socket.on("error", () => {});
  socket.on("message", (raw) => {
    const frame = JSON.parse(String(raw));
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.match(frame)) {
        waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  });
  t.after(() => socket.terminate());
  const opened = await new Promise((resolve) => {
    socket.once("open", () => resolve(true));
    socket.once("close", () => resolve(false));
  });
  let ids = 0;
  const client = {
    socket,
    opened,
    closed,
    frames,
    get events() {
      return frames.filter((frame) => frame.type === "event");
    },
    /** The next frame (not yet seen) for which `match` is true. */
    next(match) {
      return new Promise((resolve) => waiters.add({ match, resolve }));
    },
    send(frame) {
      socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    },
    call(channel, command, args) {
      const id = `c${++ids}`;
      const answer = client.next((frame) => frame.type === "response" && frame.id === id);
      client.send({ type: "call", id, channel, command, args });
      return answer;
    },
    auth(token) {
      const answer = client.next((frame) => frame.type === "auth");
      client.send({ type: "auth", token });
      return answer;
    },
  };
  return client;
}

/**
 * Writes `chunks` (strings or buffers) on a bare TCP connection to `port` and collects what comes
 * back until the server closes the connection or `until(text)` holds.
 */
export function rawExchange(port, chunks, { until: done = () => false } = {}) {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const finish = () => {
      socket.destroy();
      resolve(received);
    };
    socket.on("data", (data) => {
      received += data.toString("latin1");
      if (done(received)) finish();
    });
    socket.on("close", finish);
    socket.on("error", (error) => (received ? finish() : reject(error)));
    socket.on("connect", () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** A WebSocket handshake on a bare TCP socket; resolves once upgraded with `{socket, write(bytes), closed}`. */
export function rawWebSocket(port, headers = "") {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("error", reject);
    socket.once("connect", () => {
      socket.write(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${headers}\r\n`,
      );
    });
    let head = "";
    const onData = (data) => {
      head += data.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`no upgrade: ${head.split("\r\n")[0]}`));
      resolve({ socket, write: (bytes) => socket.write(bytes), closed: new Promise((done) => socket.once("close", done)) });
    };
    socket.on("data", onData);
  });
}

/** A masked client frame: `opcode` with `payload` (the mask is zero, so the payload goes as is). */
export function clientFrame(opcode, payload = Buffer.alloc(0)) {
  const body = Buffer.from(payload);
  if (body.length > 125) throw new Error("clientFrame: short payloads only");
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | body.length, 0, 0, 0, 0]), body]);
}

/** Waits for `check()` like `until`, with the hang bound. */
export const eventually = (check, what) => until(check, HANG_MS, what);

export const flowOf = (...nodes) => ({ id: "flow", type: "group", nodes, edges: [] });
