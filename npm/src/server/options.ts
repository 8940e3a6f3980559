/**
 * The protocol server's options, their defaults, and the rule that keeps a server without
 * authentication off the network.
 */
import type { AuthOptions } from "./auth/service.js";
import type { CallerLimits } from "./caller.js";
import type { ChannelHandlersOptions } from "./channels.js";
import type { WebSocketServerClass } from "./websocket-types.js";

/** Limits on what one request, message or connection may do (each caller's run limits too). */
export type ServerLimitOptions = CallerLimits & {
  /** Largest flow a call may carry (`node.execute`, `node.validate`, `storage.saveFlow`), bytes of JSON (default 8 MiB). */
  maxFlowBytes?: number;
  /** Largest WebSocket message, bytes (default `maxBodyBytes`); a larger one closes the connection (1009) unread. */
  maxMessageBytes?: number;
  /** A WebSocket connection silent this long (no message, no pong to the server's pings) is closed, ms (default 60 s). */
  idleTimeoutMs?: number;
  /** How long a WebSocket connection may stay unauthenticated, ms (default 10 s); with authentication only. */
  authTimeoutMs?: number;
};

export type ProtocolServerOptions = ChannelHandlersOptions & {
  /** Default 0: any free port (read it from `port` / `url`). */
  port?: number;
  /**
   * Default `"127.0.0.1"`. Without `auth`, only a loopback address is accepted unless
   * `insecure: true`: anyone who can reach the server could otherwise run flows on it.
   */
  host?: string;
  /** Enables the WebSocket endpoint, e.g. `WebSocketServer` from the `ws` package. */
  WebSocketServer?: WebSocketServerClass;
  /** Browser origins allowed to call (CORS) and connect; `"*"` for any. Default none. */
  allowedOrigins?: string[];
  /** Largest request body accepted (default 64 MiB); larger ones get 413, before the body is read when it declares its length. */
  maxBodyBytes?: number;
  /** Users, API keys, sessions. Without it every caller is the anonymous one (loopback only). */
  auth?: AuthOptions;
  /** Request, message, connection and per-caller run limits. */
  limits?: ServerLimitOptions;
  /** Listen beyond loopback without authentication. Anyone who reaches the port can then run flows. */
  insecure?: boolean;
};

/** Every limit, with defaults applied. */
export type ServerLimits = {
  maxBodyBytes: number;
  maxFlowBytes: number;
  maxMessageBytes: number;
  idleTimeoutMs: number;
  authTimeoutMs: number;
  callers: CallerLimits;
};

const MIB = 1024 * 1024;

export function serverLimits(options: ProtocolServerOptions): ServerLimits {
  const limits = options.limits ?? {};
  const maxBodyBytes = positive(options.maxBodyBytes, 64 * MIB);
  return {
    maxBodyBytes,
    maxFlowBytes: positive(limits.maxFlowBytes, 8 * MIB),
    maxMessageBytes: positive(limits.maxMessageBytes, maxBodyBytes),
    idleTimeoutMs: positive(limits.idleTimeoutMs, 60_000),
    authTimeoutMs: positive(limits.authTimeoutMs, 10_000),
    callers: { concurrentRuns: limits.concurrentRuns, runsPerMinute: limits.runsPerMinute },
  };
}

/** Whether `host` names this machine only. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/.test(bare);
}

/** Throws when a server without authentication would listen beyond loopback and was not told `insecure`. */
export function checkListenAddress(host: string, authenticated: boolean, insecure: boolean | undefined): void {
  if (authenticated || insecure === true || isLoopback(host)) return;
  throw new Error(
    `Refusing to listen on ${host} without authentication: anyone who can reach it could run flows (shell commands, files) on this machine. ` +
      "Configure auth (users or API keys), listen on 127.0.0.1, or pass insecure: true to accept that.",
  );
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : fallback;
}
