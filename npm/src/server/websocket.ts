/**
 * The WebSocket endpoint of the protocol server (reference §8.2 frames): `{type: "call", id,
 * channel, command, args}` in, `{type: "response", id, result | error}` and every broadcast as
 * `{type: "event", channel, event, data}` out.
 *
 * The WebSocket server class is passed in (e.g. `WebSocketServer` from the `ws` package) rather
 * than imported: the package then has no runtime dependency at all — browser bundles and
 * Electron apps that use IPC never install a WebSocket server they do not use — and the types
 * below are structural, so consumers need no `@types/ws` either.
 */
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ChannelHandlers } from "./channels.js";
import { originAllowed } from "./origin.js";
import { parseWire, toWire } from "../values/codec.js";

/** The part of a server-side socket used (the `ws` package's `WebSocket`). */
export type ServerWebSocketLike = {
  readonly readyState: number;
  send(data: string): void;
  terminate(): void;
  on(event: "message", listener: (data: unknown) => void): unknown;
  on(event: "close", listener: () => void): unknown;
};

/** The part of a WebSocket server used (the `ws` package's `WebSocketServer`, made with `{noServer: true}`). */
export type WebSocketServerLike = {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (client: ServerWebSocketLike) => void): void;
  close(): void;
};
export type WebSocketServerClass = new (options: { noServer: true }) => WebSocketServerLike;

const OPEN = 1;

/** Serves WebSocket upgrades of `server`; returns what closes every connection. */
export function attachWebSocketEndpoint(
  server: Server,
  handlers: ChannelHandlers,
  WebSocketServer: WebSocketServerClass,
  allowedOrigins: readonly string[],
): { close(): void } {
  const endpoint = new WebSocketServer({ noServer: true });
  const sockets = new Set<ServerWebSocketLike>();
  server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!originAllowed(request.headers.origin, allowedOrigins)) {
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    endpoint.handleUpgrade(request, socket, head, (client) => serveSocket(client, handlers, sockets));
  });
  return {
    close() {
      for (const socket of sockets) socket.terminate();
      endpoint.close();
    },
  };
}

function serveSocket(socket: ServerWebSocketLike, handlers: ChannelHandlers, sockets: Set<ServerWebSocketLike>): void {
  sockets.add(socket);
  const send = (frame: Record<string, unknown>) => {
    if (socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch (error) {
      console.error("[@atomiton/conductor] could not send a WebSocket frame:", error);
    }
  };
  const stopBroadcasting = handlers.subscribe((channel, event, data) => send({ type: "event", channel, event, data }));
  socket.on("close", () => {
    stopBroadcasting();
    sockets.delete(socket);
  });
  socket.on("message", (raw) => {
    const frame = parseCall(raw);
    if (!frame) return;
    void handlers.dispatch(frame.channel, frame.command, frame.args).then((envelope) =>
      send("result" in envelope ? { type: "response", id: frame.id, result: toWire(envelope.result) } : { type: "response", id: frame.id, error: envelope.error, code: envelope.code }),
    );
  });
}

/** A call frame, or `undefined` for anything else (ignored, as a server of this protocol does). */
function parseCall(raw: unknown): { id: string; channel: string; command: string; args: unknown } | undefined {
  try {
    const frame = parseWire(String(raw)) as Record<string, unknown> | null;
    if (frame?.type !== "call" || typeof frame.id !== "string") return undefined;
    return { id: frame.id, channel: String(frame.channel), command: String(frame.command), args: frame.args };
  } catch {
    return undefined;
  }
}
