/**
 * The protocol server's options, their defaults, and the rule that keeps a server without
 * authentication off the network.
 */
import type { CallerLimits } from "./caller.js";
import type { ProtocolServerOptions } from "../types/options.generated.js";

export type { ProtocolServerOptions, ServerLimitOptions } from "../types/options.generated.js";

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
