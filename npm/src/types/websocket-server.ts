/**
 * The WebSocket server the protocol server is given, as the structural types it uses (the `ws`
 * package's names): consumers need no `@types/ws`, and the package no WebSocket dependency.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

/** The part of a server-side socket used (the `ws` package's `WebSocket`). */
export type ServerWebSocketLike = {
  readonly readyState: number;
  /** Bytes queued to send; a connection that lets it grow past the limit is dropped. */
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping?(): void;
  on(event: "message", listener: (data: unknown) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "pong", listener: () => void): unknown;
};

/** The part of a WebSocket server used (the `ws` package's `WebSocketServer`, made with `{noServer: true}`). */
export type WebSocketServerLike = {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, callback: (client: ServerWebSocketLike) => void): void;
  close(): void;
};

/** Options the endpoint creates its server with (the `ws` package's names). */
export type WebSocketServerOptions = {
  noServer: true;
  /** Messages larger than this close the connection with 1009, unread. */
  maxPayload: number;
  /** Which of the offered subprotocols to accept. */
  handleProtocols: (protocols: Set<string>, request: IncomingMessage) => string | false;
};
export type WebSocketServerClass = new (options: WebSocketServerOptions) => WebSocketServerLike;
