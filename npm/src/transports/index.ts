/** Channel transports speaking the TypeScript engine's wire protocol. */
export type { AtomitonBridge, ChannelClient, ChannelEnvelope, ChannelTransport, RemoteCallError } from "./types.js";
export { createIpcTransport } from "./ipc.js";
export { createHttpTransport, type FetchLike, type HttpTransportOptions } from "./http.js";
export { createWebSocketTransport, type WebSocketConstructor, type WebSocketLike, type WebSocketTransportOptions } from "./websocket.js";
export { detectTransport, type TransportOptions } from "./detect.js";
export { channelAuth, memoryTokenStore, type TokenStore } from "./auth.js";
