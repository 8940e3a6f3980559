/** The server side of the wire protocol, for Electron's main process and Node servers. */
export { createChannelHandlers, type ChannelHandlers, type ChannelHandlersOptions, type DispatchEnvelope } from "./channels.js";
export type { Broadcast, ServedConductor } from "./events.js";
export { registerIpcChannels, type IpcChannels, type IpcChannelsOptions, type IpcMainLike, type WebContentsLike } from "./ipc.js";
export { createProtocolServer, type ProtocolServer } from "./http.js";
export type { ProtocolServerOptions, ServerLimitOptions } from "./options.js";
export { SUBPROTOCOL } from "./websocket.js";
export type { ServerWebSocketLike, WebSocketServerClass, WebSocketServerLike, WebSocketServerOptions } from "./websocket-types.js";
export { ALL_PERMISSIONS, type Caller, type CallerLimits, type ChannelGrant, type Grant } from "./caller.js";
export type { AuthOptions } from "./auth/service.js";
export type { ApiKeyEntry, UserEntry, UserVerifier, VerifiedUser } from "./auth/users.js";
export { hashPassword, verifyPassword } from "./auth/passwords.js";
export { generateApiKey } from "./auth/secrets.js";
