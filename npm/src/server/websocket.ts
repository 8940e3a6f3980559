/**
 * The WebSocket endpoint of the protocol server, with the TypeScript engine's frames: `{type: "call", id,
 * channel, command, args}` in, `{type: "response", id, result | error, code?}` and every broadcast
 * the connection may see as `{type: "event", channel, event, data}` out.
 *
 * Authentication: the token comes in the first frames, `{type: "auth", token}` (answered
 * `{type: "auth", ok, user | error}`), or in the handshake as the subprotocol `bearer.<token>`
 * offered beside `atomiton` — never in the URL, where proxies and logs keep it. A login or
 * refresh over the connection binds it to that session. An unauthenticated connection gets
 * nothing but the `auth` channel and is closed after `authTimeoutMs`. When its session ends
 * (expiry, logout elsewhere, revocation) the connection receives `auth:event:sessionExpired` —
 * what fires `onAuthExpired` in the browser package — and is unauthenticated again.
 *
 * Hostile input: every socket has an error listener (a malformed frame closes that connection,
 * never the process); messages over `maxMessageBytes` close the connection (1009) before they
 * are read, so they never run; a connection silent past `idleTimeoutMs` (no message, no pong to
 * the server's pings) or not reading its events is dropped.
 *
 * The WebSocket server class is passed in (e.g. `WebSocketServer` from the `ws` package) rather
 * than imported: the package then has no runtime dependency at all — browser bundles and
 * Electron apps that use IPC never install a WebSocket server they do not use — and its types
 * (`types/websocket-server.ts`) are structural, so consumers need no `@types/ws` either.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { ErrorCode } from "../types/errors.js";
import type { Issued } from "./auth/sessions.js";
import type { Caller } from "./caller.js";
import type { AuthFailure } from "./errors.js";
import type { Connection, Gateway } from "./gateway.js";
import { originAllowed } from "./origin.js";
import type { ServerWebSocketLike, WebSocketServerClass } from "../types/websocket-server.js";
import { parseWire, toWire } from "../values/codec.js";

/** The subprotocol clients offer, with `bearer.<token>` when they authenticate in the handshake. */
export const SUBPROTOCOL = "atomiton";
const BEARER_PREFIX = "bearer.";
const OPEN = 1;
/** Close codes: policy violation (not authenticated in time), going away (idle). */
const POLICY_VIOLATION = 1008;

type State = { caller: Caller | undefined; token: string | undefined; failure: AuthFailure | undefined };

/** Serves WebSocket upgrades of `server`; returns what closes every connection. */
export function attachWebSocketEndpoint(
  server: Server,
  gateway: Gateway,
  WebSocketServer: WebSocketServerClass,
  allowedOrigins: readonly string[],
): { close(): void } {
  const endpoint = new WebSocketServer({ noServer: true, maxPayload: gateway.limits.maxMessageBytes, handleProtocols: chooseProtocol });
  const sockets = new Set<ServerWebSocketLike>();
  // Connections by the session they are bound to, to tell them when it ends.
  const bySession = new Map<string, Set<(reason: string) => void>>();
  const stopWatching = gateway.auth.onSessionEnd((sessionId, reason) => {
    for (const ended of [...(bySession.get(sessionId) ?? [])]) ended(reason);
  });
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A reset during or after the handshake is this connection's problem only.
    socket.on("error", () => socket.destroy());
    if (!originAllowed(request.headers.origin, allowedOrigins)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    endpoint.handleUpgrade(request, socket, head, (client) => serveSocket(client, request, gateway, sockets, bySession));
  });
  return {
    close() {
      stopWatching();
      for (const socket of sockets) socket.terminate();
      endpoint.close();
    },
  };
}

/** `atomiton` when offered (the token rides beside it); never a `bearer.` protocol, which would echo the token. */
function chooseProtocol(protocols: Set<string>): string | false {
  if (protocols.has(SUBPROTOCOL)) return SUBPROTOCOL;
  return [...protocols].find((protocol) => !protocol.startsWith(BEARER_PREFIX)) ?? false;
}

function handshakeToken(request: IncomingMessage): string | undefined {
  const offered = String(request.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((p) => p.trim());
  return offered.find((p) => p.startsWith(BEARER_PREFIX))?.slice(BEARER_PREFIX.length) || undefined;
}

function serveSocket(
  socket: ServerWebSocketLike,
  request: IncomingMessage,
  gateway: Gateway,
  sockets: Set<ServerWebSocketLike>,
  bySession: Map<string, Set<(reason: string) => void>>,
): void {
  const limits = gateway.limits;
  const state: State = { caller: undefined, token: undefined, failure: undefined };
  const address = request.socket.remoteAddress ?? "";
  let lastHeard = Date.now();
  let authTimer: ReturnType<typeof setTimeout> | undefined;
  sockets.add(socket);

  const send = (frame: Record<string, unknown>) => {
    if (socket.readyState !== OPEN) return;
    // A client that does not read its events would make the server buffer them without end.
    if ((socket.bufferedAmount ?? 0) > limits.maxMessageBytes) return socket.terminate();
    try {
      socket.send(JSON.stringify(frame));
    } catch (error) {
      console.error("[@atomiton/conductor] could not send a WebSocket frame:", error);
    }
  };

  const onSessionEnd = (reason: string) => {
    send({ type: "event", channel: "auth", event: "sessionExpired", data: { reason, timestamp: Date.now() } });
    become(undefined, undefined, reason === "revoked" ? "revoked" : "expired");
  };
  const watch = (on: boolean) => {
    const sessionId = state.caller?.sessionId;
    if (!sessionId) return;
    const watchers = bySession.get(sessionId) ?? new Set();
    if (on) bySession.set(sessionId, watchers.add(onSessionEnd));
    else if (watchers.delete(onSessionEnd) && watchers.size === 0) bySession.delete(sessionId);
  };
  /** From now on the connection is `caller`'s (or nobody's, then with `authTimeoutMs` to authenticate). */
  function become(caller: Caller | undefined, token: string | undefined, failure?: AuthFailure): void {
    watch(false);
    Object.assign(state, { caller, token, failure });
    watch(true);
    if (caller) {
      clearTimeout(authTimer);
      authTimer = undefined;
    } else if (gateway.auth.enabled && authTimer === undefined) {
      // Started once per unauthenticated spell: failed attempts do not extend it.
      authTimer = setTimeout(() => socket.close(POLICY_VIOLATION, "Authentication required"), limits.authTimeoutMs);
      authTimer.unref?.();
    }
  }
  const identify = (token: string | undefined) => {
    const identity = gateway.identify(token);
    if ("caller" in identity) become(identity.caller, token);
    else become(undefined, undefined, identity.failure);
    return identity;
  };
  identify(handshakeToken(request));

  const connection = (): Connection => ({
    token: state.token,
    caller: state.caller,
    failure: state.failure,
    address,
    bind: (issued: Issued<Caller> | undefined) => become(issued?.session.principal, issued?.token),
  });

  const stopBroadcasting = gateway.subscribe(
    () => state.caller,
    (channel, event, data) => send({ type: "event", channel, event, data: toWire(data) }),
  );
  const idle = setInterval(
    () => {
      if (Date.now() - lastHeard > limits.idleTimeoutMs) socket.terminate();
      else socket.ping?.();
    },
    Math.max(10, limits.idleTimeoutMs / 2),
  );
  idle.unref?.();

  socket.on("error", () => socket.terminate());
  socket.on("pong", () => {
    lastHeard = Date.now();
  });
  socket.on("close", () => {
    clearInterval(idle);
    clearTimeout(authTimer);
    watch(false);
    stopBroadcasting();
    sockets.delete(socket);
  });
  socket.on("message", (raw) => {
    lastHeard = Date.now();
    const size = byteLength(raw);
    // `maxPayload` already closed the connection for larger messages; a server class without
    // it still never runs them.
    if (size > limits.maxMessageBytes)
      return send({ type: "error", error: `Message larger than ${limits.maxMessageBytes} bytes`, code: ErrorCode.MEMORY_LIMIT_EXCEEDED });
    const frame = parseFrame(raw);
    if (frame.kind === "auth") {
      // No token: the client logged out (on a server without authentication it stays anonymous).
      const identity = identify(frame.token);
      if ("caller" in identity) return send({ type: "auth", ok: true, user: identity.caller.user ?? null });
      if (frame.token === undefined) return send({ type: "auth", ok: true, user: null });
      return send({
        type: "auth",
        ok: false,
        error: "Authentication failed",
        code: ErrorCode.AUTHENTICATION_FAILED,
        reason: identity.failure,
      });
    }
    if (frame.kind === "invalid") {
      const error = {
        error: 'Invalid frame: expected {type: "call", id, channel, command, args} or {type: "auth", token}',
        code: ErrorCode.VALIDATION_FAILED,
      };
      return send(frame.id === undefined ? { type: "error", ...error } : { type: "response", id: frame.id, ...error });
    }
    const { id, channel, command, args } = frame;
    if (!gateway.knows(channel, command))
      return send({ type: "response", id, error: `No handler for method: ${command}`, code: ErrorCode.IMPLEMENTATION_NOT_FOUND });
    void gateway.call(connection(), channel, command, args, size).then((answer) => {
      if (answer.ok) return send({ type: "response", id, result: toWire(answer.result) });
      const { ok: _ok, status: _status, ...failure } = answer;
      send({ type: "response", id, ...failure });
    });
  });
}

type Frame =
  | { kind: "call"; id: string; channel: string; command: string; args: unknown }
  | { kind: "auth"; token: string | undefined }
  | { kind: "invalid"; id?: string };

/** A call or auth frame, or what is wrong with it. */
function parseFrame(raw: unknown): Frame {
  let frame: Record<string, unknown> | null;
  try {
    // Values JSON cannot say arrive as the codec's tags (values/codec.ts).
    frame = parseWire(String(raw)) as Record<string, unknown> | null;
  } catch {
    return { kind: "invalid" };
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return { kind: "invalid" };
  if (frame.type === "auth")
    return { kind: "auth", token: typeof frame.token === "string" && frame.token !== "" ? frame.token : undefined };
  const id = typeof frame.id === "string" ? frame.id : undefined;
  if (frame.type !== "call" || id === undefined || typeof frame.channel !== "string" || typeof frame.command !== "string")
    return { kind: "invalid", id };
  return { kind: "call", id, channel: frame.channel, command: frame.command, args: frame.args };
}

function byteLength(raw: unknown): number {
  if (typeof raw === "string") return Buffer.byteLength(raw);
  if (Array.isArray(raw)) return raw.reduce((total: number, part: unknown) => total + byteLength(part), 0);
  if (raw instanceof ArrayBuffer) return raw.byteLength;
  return ArrayBuffer.isView(raw) ? raw.byteLength : 0;
}
