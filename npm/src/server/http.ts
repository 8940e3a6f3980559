/**
 * The protocol server on `node:http`: `POST /api/<channel>/<command>` with the args as JSON body
 * answers with the JSON of the result (what the TypeScript engine's HTTP transport expects), and, given a WebSocket
 * server class, the same port speaks the WebSocket frames. With `auth`, every call but the `auth`
 * channel needs a bearer token or API key, and each caller gets only what its grant allows;
 * without it, the server only listens on loopback (unless `insecure`).
 */
import { checkServerOptions } from "../options/entries.js";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ChannelHandlers } from "./channels.js";
import type { ServedConductor } from "./events.js";
import { Gateway } from "./gateway.js";
import { httpHandler } from "./http-handler.js";
import { checkListenAddress, type ProtocolServerOptions } from "./options.js";
import { attachWebSocketEndpoint } from "./websocket.js";

export type ProtocolServer = {
  port: number;
  /** `http://<host>:<port>`, for an HTTP client. */
  url: string;
  /** `ws://<host>:<port>` when the WebSocket endpoint is on. */
  wsUrl?: string;
  handlers: ChannelHandlers;
  /** Ends every session of the user with this id (its connections are told `sessionExpired`); returns how many. */
  revokeUser(userId: string): number;
  /** Whether a caller presenting `token` (a bearer token) is let in: always, when the server has no authentication. */
  authorizes(token: string | undefined): boolean;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
};

export async function createProtocolServer(conductor: ServedConductor, options: ProtocolServerOptions = {}): Promise<ProtocolServer> {
  checkServerOptions(options);
  const gateway = new Gateway(conductor, options);
  const host = options.host ?? "127.0.0.1";
  checkListenAddress(host, gateway.auth.enabled, options.insecure);
  const allowedOrigins = options.allowedOrigins ?? [];
  const server = createServer(httpHandler(gateway, allowedOrigins));
  const websockets = options.WebSocketServer
    ? attachWebSocketEndpoint(server, gateway, options.WebSocketServer, allowedOrigins)
    : undefined;
  await listen(server, options.port ?? 0, host);
  const port = (server.address() as AddressInfo).port;
  const authority = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  return {
    authorizes: (token) => "caller" in gateway.identify(token),
    port,
    url: `http://${authority}`,
    wsUrl: websockets ? `ws://${authority}` : undefined,
    handlers: gateway.handlers,
    revokeUser: (userId) => gateway.auth.revokeUser(userId),
    async close() {
      websockets?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      gateway.close();
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
