/**
 * Login sessions and their bearer tokens, in memory (a restart logs everyone out).
 *
 * A session lasts until its token expires (`tokenTtlMs` after it was issued or last refreshed),
 * it is revoked (logout, or the app revoking a user), or it reaches `sessionMaxMs` from login,
 * which no refresh extends. A refresh replaces the token: the old one stops working at once, the
 * session (and the WebSocket connections bound to it) goes on. Only token digests are kept. An
 * ended token is remembered as a tombstone until it would have expired anyway, so a client can be
 * told "expired" or "revoked" rather than "invalid".
 */
import type { AuthFailure } from "../errors.js";
import { digestOf, newSecret } from "./secrets.js";

/** Why a session ended. */
export type SessionEnd = "expired" | "revoked";

export type Session<P> = {
  readonly id: string;
  readonly principal: P;
  /** Epoch ms at which the current token expires. */
  expiresAt: number;
  /** Epoch ms after which no refresh is possible. */
  readonly endsAt: number;
};

export type SessionOptions = {
  /** Lifetime of a token (default one hour). */
  tokenTtlMs?: number;
  /** Longest a session lasts from login, refreshes included (default 24 hours). */
  sessionMaxMs?: number;
  /** Sessions one principal may hold; logging in past it ends the oldest (default 50). */
  maxSessionsPerPrincipal?: number;
};

/** An issued token and when it expires. */
export type Issued<P> = { token: string; expiresAt: number; session: Session<P> };

type Live<P> = Session<P> & { digest: string; owner: string; timer?: ReturnType<typeof setTimeout> };

const DEFAULT_TTL_MS = 60 * 60 * 1000;
const DEFAULT_SESSION_MAX_MS = 24 * 60 * 60 * 1000;
/** Timers cannot wait longer than this; a longer lifetime re-arms when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Tombstones kept at most; past it the oldest go (their tokens then read as "invalid"). */
const MAX_TOMBSTONES = 100_000;

/** The least time an ended token is still recognised as expired or revoked. */
const TOMBSTONE_MS = 15 * 60_000;

export class SessionStore<P> {
  private readonly byDigest = new Map<string, Live<P>>();
  private readonly byOwner = new Map<string, Set<Live<P>>>();
  private readonly tombstones = new Map<string, { reason: SessionEnd; until: number }>();
  private readonly listeners = new Set<(session: Session<P>, reason: SessionEnd) => void>();
  private readonly ttl: number;
  private readonly sessionMax: number;
  private readonly perOwner: number;
  private nextId = 0;

  constructor(options: SessionOptions = {}) {
    this.ttl = positive(options.tokenTtlMs, DEFAULT_TTL_MS);
    this.sessionMax = positive(options.sessionMaxMs, DEFAULT_SESSION_MAX_MS);
    this.perOwner = positive(options.maxSessionsPerPrincipal, 50);
  }

  /** Calls `listener` whenever a session ends (its token expired, it was revoked). */
  onEnd(listener: (session: Session<P>, reason: SessionEnd) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A new session for `principal` (identified by `owner` for the per-principal cap). */
  issue(principal: P, owner: string): Issued<P> {
    const sessions = this.byOwner.get(owner) ?? new Set<Live<P>>();
    this.byOwner.set(owner, sessions);
    for (const oldest of sessions) {
      if (sessions.size < this.perOwner) break;
      this.end(oldest, "revoked");
    }
    const now = Date.now();
    const token = newSecret("atk");
    const live: Live<P> = {
      id: `s${++this.nextId}`,
      principal,
      owner,
      digest: digestOf(token),
      expiresAt: now + this.ttl,
      endsAt: now + this.sessionMax,
    };
    live.expiresAt = Math.min(live.expiresAt, live.endsAt);
    sessions.add(live);
    this.byDigest.set(live.digest, live);
    this.arm(live);
    return { token, expiresAt: live.expiresAt, session: live };
  }

  /** The session `token` belongs to, or why there is none. */
  find(token: string): { session: Session<P> } | { failure: AuthFailure } {
    const digest = digestOf(token);
    const live = this.byDigest.get(digest);
    if (live) {
      if (Date.now() < live.expiresAt) return { session: live };
      this.end(live, "expired");
      return { failure: "expired" };
    }
    const tombstone = this.tombstones.get(digest);
    if (tombstone && Date.now() < tombstone.until) return { failure: tombstone.reason };
    if (tombstone) this.tombstones.delete(digest);
    return { failure: "invalid" };
  }

  /** A new token for the session of `token`, which stops working. */
  refresh(token: string): Issued<P> | { failure: AuthFailure } {
    const found = this.find(token);
    if ("failure" in found) return found;
    const live = found.session as Live<P>;
    const now = Date.now();
    if (now >= live.endsAt) {
      this.end(live, "expired");
      return { failure: "expired" };
    }
    this.byDigest.delete(live.digest);
    const next = newSecret("atk");
    live.digest = digestOf(next);
    live.expiresAt = Math.min(now + this.ttl, live.endsAt);
    this.byDigest.set(live.digest, live);
    this.arm(live);
    return { token: next, expiresAt: live.expiresAt, session: live };
  }

  /** Ends the session of `token`; `false` when it had none. */
  revoke(token: string): boolean {
    const live = this.byDigest.get(digestOf(token));
    if (!live) return false;
    this.end(live, "revoked");
    return true;
  }

  /** Ends every session of `owner` (a user removed or whose password changed). */
  revokeOwner(owner: string): number {
    const sessions = [...(this.byOwner.get(owner) ?? [])];
    for (const live of sessions) this.end(live, "revoked");
    return sessions.length;
  }

  /** Whether `session` is still going on. */
  isLive(session: Session<P>): boolean {
    const live = session as Live<P>;
    return this.byDigest.get(live.digest) === live && Date.now() < live.expiresAt;
  }

  /** Ends every session without notifying anyone (the server is closing). */
  clear(): void {
    for (const live of this.byDigest.values()) clearTimeout(live.timer);
    this.byDigest.clear();
    this.byOwner.clear();
    this.tombstones.clear();
  }

  get size(): number {
    return this.byDigest.size;
  }

  private arm(live: Live<P>): void {
    clearTimeout(live.timer);
    const wait = Math.min(Math.max(0, live.expiresAt - Date.now()), MAX_TIMER_MS);
    live.timer = setTimeout(() => {
      if (this.byDigest.get(live.digest) !== live) return;
      if (Date.now() >= live.expiresAt) this.end(live, "expired");
      else this.arm(live);
    }, wait);
    // Expiry timers never keep a process alive on their own.
    live.timer.unref?.();
  }

  private end(live: Live<P>, reason: SessionEnd): void {
    if (this.byDigest.get(live.digest) !== live) return;
    clearTimeout(live.timer);
    this.byDigest.delete(live.digest);
    const sessions = this.byOwner.get(live.owner);
    sessions?.delete(live);
    if (sessions?.size === 0) this.byOwner.delete(live.owner);
    // Remembered long enough for any client still holding the token to be told why it stopped
    // working (bounded in number, see MAX_TOMBSTONES), not merely as long as the token lived.
    this.remember(live.digest, reason, Date.now() + Math.max(this.ttl, TOMBSTONE_MS));
    for (const listener of [...this.listeners]) {
      try {
        listener(live, reason);
      } catch (error) {
        console.error("[@atomiton/conductor] a session listener threw:", error);
      }
    }
  }

  private remember(digest: string, reason: SessionEnd, until: number): void {
    const now = Date.now();
    if (this.tombstones.size >= MAX_TOMBSTONES) {
      for (const [old, stone] of this.tombstones) {
        if (stone.until <= now || this.tombstones.size >= MAX_TOMBSTONES) this.tombstones.delete(old);
        else break;
      }
    }
    this.tombstones.set(digest, { reason, until });
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === "number" && value > 0 ? value : fallback;
}
