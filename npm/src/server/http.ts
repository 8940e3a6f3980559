/**
 * The protocol server on `node:http`: `POST /api/<channel>/<command>` with the args as JSON body
 * answers with the JSON of the result (reference §8.2's HTTP transport), and, given a WebSocket
 * server class, the same port speaks the WebSocket frames. There is no authentication: a flow
 * can run shell commands, so the server listens on 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createChannelHandlers, type ChannelHandlers, type ChannelHandlersOptions } from "./channels.js";
import type { ServedConductor } from "./events.js";
import { originAllowed } from "./origin.js";
import { attachWebSocketEndpoint, type WebSocketServerClass } from "./websocket.js";
import { parseWire, toWire } from "../values/codec.js";

export type ProtocolServerOptions = ChannelHandlersOptions & {
  /** Default 0: any free port (read it from `port` / `url`). */
  port?: number;
  /** Default `"127.0.0.1"`. */
  host?: string;
  /** Enables the WebSocket endpoint, e.g. `WebSocketServer` from the `ws` package. */
  WebSocketServer?: WebSocketServerClass;
  /** Browser origins allowed to call (CORS) and connect; `"*"` for any. Default none. */
  allowedOrigins?: string[];
  /** Largest request body accepted (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number;
};

export type ProtocolServer = {
  port: number;
  /** `http://<host>:<port>`, for an HTTP client. */
  url: string;
  /** `ws://<host>:<port>` when the WebSocket endpoint is on. */
  wsUrl?: string;
  handlers: ChannelHandlers;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
};

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function createProtocolServer(conductor: ServedConductor, options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
  const handlers = createChannelHandlers(conductor, options);
  const allowedOrigins = options.allowedOrigins ?? [];
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((request, response) => {
    serveRequest(handlers, allowedOrigins, maxBodyBytes, request, response).catch((error: unknown) => {
      console.error("[@atomiton/conductor] protocol server request failed:", error);
      if (!response.headersSent) sendJson(response, 500, { error: "Internal server error" });
      else response.destroy();
    });
  });
  const websockets = options.WebSocketServer ? attachWebSocketEndpoint(server, handlers, options.WebSocketServer, allowedOrigins) : undefined;
  const host = options.host ?? "127.0.0.1";
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    port,
    url: `http://${authority}`,
    wsUrl: websockets ? `ws://${authority}` : undefined,
    handlers,
    async close() {
      websockets?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function serveRequest(
  handlers: ChannelHandlers,
  allowedOrigins: readonly string[],
  maxBodyBytes: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const origin = request.headers.origin;
  if (!originAllowed(origin, allowedOrigins)) return sendJson(response, 403, { error: `Origin not allowed: ${origin}` });
  if (origin !== undefined) {
    response.setHeader("Access-Control-Allow-Origin", origin);
    response.setHeader("Vary", "Origin");
  }
  if (request.method === "OPTIONS") {
    response.writeHead(204, { "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "Content-Type", "Access-Control-Max-Age": "600" });
    response.end();
    return;
  }
  const route = /^\/api\/([^/]+)\/([^/]+)$/.exec(new URL(request.url ?? "/", "http://localhost").pathname);
  const channel = route ? decodeURIComponent(route[1]!) : "";
  const command = route ? decodeURIComponent(route[2]!) : "";
  if (!handlers.handles(channel, command)) return sendJson(response, 404, { error: route ? `No handler for method: ${command}` : "Not found" });
  if (request.method !== "POST") return sendJson(response, 405, { error: "Method not allowed: use POST" }, { Allow: "POST" });
  const body = await readBody(request, maxBodyBytes);
  if (body === undefined) return sendJson(response, 413, { error: `Request body larger than ${maxBodyBytes} bytes` }, { Connection: "close" });
  let args: unknown;
  try {
    args = body.length === 0 ? undefined : parseWire(body);
  } catch {
    return sendJson(response, 400, { error: "Invalid JSON body" });
  }
  const envelope = await handlers.dispatch(channel, command, args);
  if ("result" in envelope) return sendJson(response, 200, toWire(envelope.result ?? null));
  sendJson(response, 500, { error: envelope.error, code: envelope.code });
}

/**
 * The body as text, or `undefined` when it is larger than `limit` bytes. An oversized body is
 * read to its end without being kept: leaving the loop early would destroy the socket before
 * the 413 answer is sent.
 */
async function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { ...headers, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  response.end(text);
}
