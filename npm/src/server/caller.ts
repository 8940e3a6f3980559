/**
 * Who is calling and what they were granted. Every call of the protocol server is made by a
 * caller: a logged-in user, a machine client with an API key, or — when the server has no
 * authentication — the anonymous caller (loopback only). Permissions, limits, and which saved
 * flows and runs a caller sees all follow from its grant.
 */
import type { RunPermissions } from "../types/execution.js";
import type { CallerLimits, Grant } from "../types/options.generated.js";
import type { ChannelGrant } from "../types/server-auth.js";
import type { UserInfo } from "../types/storage.js";

export type { CallerLimits, Grant } from "../types/options.generated.js";

/** A grant with every default applied. `permissions` undefined: unrestricted. */
export type ResolvedGrant = {
  channels: ChannelGrant;
  permissions: RunPermissions | undefined;
  scope: "own" | "all";
  limits: Required<CallerLimits>;
};

export type Caller = {
  /** Stable identity (`user:<id>`, `key:<id>`, `anonymous`, `ipc`): limits and ownership are kept per id. */
  id: string;
  kind: "user" | "apiKey" | "anonymous";
  /** What `auth.getCurrentUser` answers (users only). */
  user?: UserInfo;
  grant: ResolvedGrant;
  /** The login session a user's token belongs to. */
  sessionId?: string;
};

/** Every permission: what a run without `permissions` may do anyway. */
export const ALL_PERMISSIONS: RunPermissions = Object.freeze({ shell: true, image: true, files: true, http: true, credentials: true });

export const DEFAULT_CHANNELS: ChannelGrant = Object.freeze({
  node: "*",
  storage: "*",
  flow: "*",
  executions: "*",
  cache: "*",
  system: ["health"],
});
const ALL_CHANNELS: ChannelGrant = Object.freeze({
  node: "*",
  storage: "*",
  flow: "*",
  system: "*",
  executions: "*",
  cache: "*",
  waits: "*",
  triggers: "*",
});
const DEFAULT_LIMITS: Required<CallerLimits> = Object.freeze({ concurrentRuns: 8, runsPerMinute: 120 });
const UNLIMITED: Required<CallerLimits> = Object.freeze({ concurrentRuns: Infinity, runsPerMinute: Infinity });

/** `grant` with defaults: those of an authenticated caller, then the server's own `limits`. */
export function resolveGrant(grant: Grant | undefined, serverLimits: CallerLimits = {}): ResolvedGrant {
  return {
    channels: grant?.channels ?? DEFAULT_CHANNELS,
    permissions: grant?.permissions ?? {},
    scope: grant?.scope ?? "own",
    limits: { ...DEFAULT_LIMITS, ...definedOnly(serverLimits), ...definedOnly(grant?.limits ?? {}) },
  };
}

/**
 * The anonymous caller of a server without authentication: every channel (`system.restart`
 * included, when the server has it), every saved flow and run, runs unrestricted unless the
 * server's `permissions` narrow them, and no run limits unless the server sets `limits`.
 */
export function anonymousCaller(permissions: RunPermissions | undefined, serverLimits: CallerLimits = {}): Caller {
  return {
    id: "anonymous",
    kind: "anonymous",
    grant: { channels: ALL_CHANNELS, permissions, scope: "all", limits: { ...UNLIMITED, ...definedOnly(serverLimits) } },
  };
}

/** Whether `grant` allows `command` on `channel`. */
export function mayCall(grant: ResolvedGrant, channel: string, command: string): boolean {
  if (!Object.hasOwn(grant.channels, channel)) return false;
  const commands = grant.channels[channel];
  return commands === "*" || (Array.isArray(commands) && commands.includes(command));
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
