/** Channel transports speaking the TypeScript engine's wire protocol. */
export type { AtomitonBridge, ChannelClient, ChannelEnvelope, ChannelTransport, RemoteCallError } from "../types/channel-transport.js";
export { createIpcTransport } from "./ipc.js";
export { createHttpTransport, type HttpTransportOptions } from "./http.js";
export type { FetchLike } from "../types/fetch.js";
export { createWebSocketTransport, type WebSocketTransportOptions } from "./websocket.js";
export type { WebSocketConstructor, WebSocketLike } from "../types/websocket-client.js";
export { detectTransport, type TransportOptions } from "./detect.js";
export { channelAuth, memoryTokenStore, type TokenStore } from "./auth.js";
