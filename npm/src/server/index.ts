/** The server side of the wire protocol, for Electron's main process and Node servers. */
export { createChannelHandlers, type ChannelHandlers, type ChannelHandlersOptions, type DispatchEnvelope } from "./channels.js";
export type { Broadcast, ServedConductor } from "./events.js";
export { registerIpcChannels, type IpcChannels, type IpcChannelsOptions } from "./ipc.js";
export type { IpcMainLike, WebContentsLike } from "../types/electron-ipc.js";
export { createProtocolServer, type ProtocolServer } from "./http.js";
export type { ProtocolServerOptions, ServerLimitOptions } from "./options.js";
export { SUBPROTOCOL } from "./websocket.js";
export type { ServerWebSocketLike, WebSocketServerClass, WebSocketServerLike, WebSocketServerOptions } from "../types/websocket-server.js";
export { ALL_PERMISSIONS, type Caller, type CallerLimits, type Grant } from "./caller.js";
export type { AuthOptions } from "./auth/service.js";
export type { ApiKeyEntry, UserEntry } from "./auth/users.js";
export type { ChannelGrant, UserVerifier, VerifiedUser } from "../types/server-auth.js";
export { hashPassword, verifyPassword } from "./auth/passwords.js";
export { generateApiKey } from "./auth/secrets.js";
