/**
 * The WebSocket transport: frames `{type: "call", id, channel, command,
 * args}` out, `{type: "response", id, result?, error?}` and `{type: "event", channel, event, data}`
 * in. Unlike the TypeScript engine, `listen` works (event frames reach their listeners), calls made while
 * the socket is still connecting wait for it, and a call after the connection dropped opens a
 * new one. With a token, the connection authenticates in its first frame, `{type: "auth", token}`
 * (never in the URL), and again whenever the token changes (login, refresh, logout).
 */
import { Listeners } from "../util/listeners.js";
import { cachedChannels } from "./channels.js";
import { remoteError } from "./errors.js";
import type { ChannelTransport } from "../types/channel-transport.js";
import type { WebSocketConstructor, WebSocketLike } from "../types/websocket-client.js";
import { parseWire, toWire } from "../values/codec.js";

export type WebSocketTransportOptions = {
  /** Default `globalThis.WebSocket`; in Node 20 pass the `ws` package's `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** How long a call waits for its response (default 30 s, as in the TypeScript engine). */
  timeoutMs?: number;
  /** The bearer token (a session token or an API key), read before every call. */
  token?: () => string | null | undefined;
};

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const DEFAULT_TIMEOUT_MS = 30_000;

/** A call awaiting its response, on the socket it was sent on. */
type Pending = { socket: WebSocketLike; resolve(value: unknown): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> };
type Frame = {
  type?: unknown;
  id?: unknown;
  ok?: unknown;
  result?: unknown;
  error?: unknown;
  code?: unknown;
  reason?: unknown;
  channel?: unknown;
  event?: unknown;
  data?: unknown;
};
/** A connection and the token it last authenticated with. */
type Connection = { socket: WebSocketLike; opened: Promise<boolean>; token: string | undefined; failed: boolean };

export function createWebSocketTransport(url: string, options: WebSocketTransportOptions = {}): ChannelTransport & { close(): void } {
  const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!Socket) throw new Error("WebSocket is not available in this environment; pass a WebSocket constructor");
  const open = (): WebSocketLike => new Socket(url);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pending = new Map<string, Pending>();
  const listeners = new Map<string, Listeners<unknown>>();
  let closedByUser = false;

  function connect(): Connection {
    const socket = open();
    const connection: Connection = { socket, opened: Promise.resolve(false), token: undefined, failed: false };
    connection.opened = new Promise<boolean>((resolve) => {
      socket.addEventListener("open", () => {
        // Authenticated at once, so events flow to a client that only listens.
        authenticate(connection);
        resolve(true);
      });
      socket.addEventListener("close", () => resolve(false));
      // A failed connection reports "error" then "close" — except Node 22's WebSocket, which
      // reports "error" alone and stays CONNECTING for ever: an error before the connection
      // opened ends it here, and the next call connects again.
      socket.addEventListener("error", () => {
        if (socket.readyState !== CONNECTING) return;
        connection.failed = true;
        resolve(false);
        failPending("WebSocket connection failed", socket);
      });
    });
    socket.addEventListener("message", (event) => receive(event.data));
    socket.addEventListener("close", () => failPending("WebSocket connection closed", socket));
    return connection;
  }

  /** Sends the current token when the connection has not authenticated with it yet. */
  function authenticate(connection: Connection): void {
    const token = options.token?.() || undefined;
    if (token === connection.token || connection.socket.readyState !== OPEN) return;
    connection.token = token;
    connection.socket.send(JSON.stringify({ type: "auth", token: token ?? null }));
  }

  // Connect at once, as the TypeScript engine did, so the first call does not wait for a handshake.
  let connection = connect();

  async function openSocket(): Promise<WebSocketLike> {
    if (closedByUser) throw new Error("WebSocket not connected");
    if (connection.failed || connection.socket.readyState >= CLOSING) connection = connect();
    const current = connection;
    if (current.socket.readyState === OPEN || ((await current.opened) && current.socket.readyState === OPEN)) {
      authenticate(current);
      return current.socket;
    }
    throw new Error("WebSocket not connected");
  }

  function receive(data: unknown): void {
    let frame: Frame;
    try {
      frame = parseWire(String(data)) as Frame;
    } catch {
      return; // not a frame of this protocol
    }
    if (frame?.type === "response" && typeof frame.id === "string") {
      const call = pending.get(frame.id);
      if (!call) return;
      settle(frame.id, call);
      if (frame.error !== undefined && frame.error !== null) call.reject(remoteError(frame.error, frame.code, frame.reason));
      else call.resolve(frame.result);
    } else if (frame?.type === "event") {
      listeners.get(eventKey(frame.channel, frame.event))?.emit(frame.data);
    } else if (frame?.type === "auth" && frame.ok === false && (frame.reason === "expired" || frame.reason === "revoked")) {
      // The stored token outlived its session (e.g. while disconnected): as if the server had said so.
      listeners.get(eventKey("auth", "sessionExpired"))?.emit({ reason: frame.reason, timestamp: Date.now() });
    }
  }

  function settle(id: string, call: Pending): void {
    clearTimeout(call.timer);
    pending.delete(id);
  }

  /** Rejects the calls sent on `socket` (every call when none is given): no answer can come. */
  function failPending(message: string, socket?: WebSocketLike): void {
    for (const [id, call] of pending) {
      if (socket && call.socket !== socket) continue;
      settle(id, call);
      call.reject(new Error(message));
    }
  }

  return {
    channel: cachedChannels((channel) => ({
      async call(command, args) {
        const socket = await openSocket();
        const id = crypto.randomUUID();
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            pending.delete(id);
            reject(new Error("Request timeout"));
          }, timeoutMs);
          pending.set(id, { socket, resolve, reject, timer });
          socket.send(JSON.stringify({ type: "call", id, channel, command, args: toWire(args) }));
        });
      },
      listen(event, callback) {
        const key = eventKey(channel, event);
        let set = listeners.get(key);
        if (!set) listeners.set(key, (set = new Listeners<unknown>()));
        return set.add(callback);
      },
    })),
    close() {
      closedByUser = true;
      connection.socket.close();
      failPending("WebSocket connection closed");
    },
  };
}

function eventKey(channel: unknown, event: unknown): string {
  return `${String(channel)}:event:${String(event)}`;
}
