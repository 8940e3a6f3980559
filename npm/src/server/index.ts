/** The server side of the wire protocol (reference §8.3), for Electron's main process and Node servers. */
export { createChannelHandlers, type ChannelHandlers, type ChannelHandlersOptions, type DispatchEnvelope } from "./channels.js";
export type { Broadcast, ServedConductor } from "./events.js";
export { registerIpcChannels, type IpcChannels, type IpcChannelsOptions, type IpcMainLike, type WebContentsLike } from "./ipc.js";
export { createProtocolServer, type ProtocolServer, type ProtocolServerOptions } from "./http.js";
export type { ServerWebSocketLike, WebSocketServerClass, WebSocketServerLike } from "./websocket.js";
