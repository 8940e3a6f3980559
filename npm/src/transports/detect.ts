/** Choosing a transport from what is configured, in the order of the TypeScript engine's transports: a bridge, then a server URL. */
import { ConductorError, createExecutionError, ErrorCode } from "../types/errors.js";
import { createHttpTransport, type HttpTransportOptions } from "./http.js";
import { createIpcTransport } from "./ipc.js";
import type { AtomitonBridge, ChannelTransport } from "../types/channel-transport.js";
import { createWebSocketTransport, type WebSocketTransportOptions } from "./websocket.js";

export type TransportOptions = HttpTransportOptions &
  WebSocketTransportOptions & {
    /** A desktop bridge (`window.atomiton.__bridge__`): wins over any URL. */
    bridge?: AtomitonBridge | null;
    /** A server: `ws://` / `wss://` for WebSocket, `http://` / `https://` for HTTP. */
    serverUrl?: string;
    /** A WebSocket server (the TypeScript engine's `window.__ATOMITON_WS_URL__`), used when `serverUrl` is not set. */
    wsUrl?: string;
  };

/** The transport to use, or `undefined` when none is configured (the engine then runs flows itself). */
export function detectTransport(options: TransportOptions = {}): ChannelTransport | undefined {
  if (options.bridge) return createIpcTransport(options.bridge);
  const url = options.serverUrl || options.wsUrl;
  if (!url) return undefined;
  if (/^wss?:\/\//i.test(url)) return createWebSocketTransport(url, options);
  if (/^https?:\/\//i.test(url)) return createHttpTransport(url, options);
  throw new ConductorError(
    createExecutionError(ErrorCode.VALIDATION_FAILED, `Unsupported server URL (expected ws://, wss://, http:// or https://): ${url}`),
  );
}
