/**
 * Authentication for the protocol server: logging in users (rate-limited on failures),
 * issuing, refreshing and revoking their session tokens, and recognising the bearer of a token
 * or API key as a caller with a grant.
 */
import { ErrorCode } from "../../types/errors.js";
import type { AuthResult, UserInfo } from "../../types/storage.js";
import { resolveGrant, type Caller, type CallerLimits, type Grant } from "../caller.js";
import { rateLimited, ServerError, type AuthFailure } from "../errors.js";
import { AttemptLimiter } from "./attempts.js";
import { MAX_PASSWORD_LENGTH } from "./passwords.js";
import { digestOf } from "./secrets.js";
import { SessionStore, type Issued, type Session, type SessionEnd } from "./sessions.js";
import { apiKeysOf, verifierOf, type ApiKeyEntry } from "./users.js";
import type { UserVerifier, VerifiedUser } from "../../types/server-auth.js";

import type { AuthOptions } from "../../types/options.generated.js";

export type { AuthOptions } from "../../types/options.generated.js";

/** Longest user name looked at; longer ones fail without any work. */
const MAX_USERNAME_LENGTH = 256;

export class AuthService {
  /** Whether the server authenticates at all (users or API keys configured). */
  readonly enabled: boolean;
  private readonly sessions: SessionStore<Caller>;
  private readonly verify: UserVerifier | undefined;
  private readonly keys: Map<string, ApiKeyEntry>;
  private readonly perUser: AttemptLimiter;
  private readonly perAddress: AttemptLimiter;

  constructor(
    private readonly options: AuthOptions | undefined,
    private readonly serverLimits: CallerLimits,
  ) {
    const users = options?.users;
    this.verify = typeof users === "function" ? users : users ? verifierOf(users) : undefined;
    this.keys = apiKeysOf(options?.apiKeys ?? []);
    this.enabled = this.verify !== undefined || this.keys.size > 0;
    this.sessions = new SessionStore<Caller>({
      tokenTtlMs: options?.tokenTtlMs,
      sessionMaxMs: options?.sessionMaxMs,
      maxSessionsPerPrincipal: options?.maxSessionsPerUser,
    });
    const attempts = options?.loginAttempts ?? {};
    this.perUser = new AttemptLimiter({ max: attempts.max ?? 5, windowMs: attempts.windowMs });
    this.perAddress = new AttemptLimiter({ max: attempts.maxPerAddress ?? 20, windowMs: attempts.windowMs });
  }

  /** The caller presenting `token` (a session token or an API key), or why there is none. */
  authenticate(token: string | undefined): { caller: Caller } | { failure: AuthFailure } {
    if (!token) return { failure: "missing" };
    const key = this.keys.get(digestOf(token));
    if (key) return { caller: { id: `key:${key.id}`, kind: "apiKey", grant: this.grant(key.grant) } };
    const found = this.sessions.find(token);
    return "failure" in found ? found : { caller: found.session.principal };
  }

  /** Checks credentials and starts a session. Throws `AUTHENTICATION_FAILED` or `RATE_LIMIT_EXCEEDED`. */
  async login(credentials: unknown, address: string): Promise<{ result: AuthResult; issued: Issued<Caller> }> {
    const { username, password } = (credentials ?? {}) as { username?: unknown; password?: unknown };
    if (!this.verify)
      throw new ServerError(ErrorCode.AUTHENTICATION_FAILED, "This server has no user logins (API keys only)", 401, {
        reason: "credentials",
      });
    const wellFormed =
      typeof username === "string" &&
      typeof password === "string" &&
      username.length > 0 &&
      password.length > 0 &&
      username.length <= MAX_USERNAME_LENGTH &&
      password.length <= MAX_PASSWORD_LENGTH;
    if (!wellFormed) throw invalidCredentials();
    const userKey = `user:${username.toLowerCase()}`;
    const addressKey = `address:${address}`;
    const wait = Math.max(this.perUser.blockedFor(userKey), this.perAddress.blockedFor(addressKey));
    if (wait > 0) throw rateLimited(`Too many failed login attempts; try again in ${Math.ceil(wait / 1000)} s`, wait);
    let user: VerifiedUser | null | undefined;
    try {
      user = await this.verify(username, password);
    } catch (error) {
      console.error("[@atomiton/conductor] the user verifier threw:", error);
      throw new ServerError(ErrorCode.INTERNAL_ERROR, "Login failed", 500);
    }
    if (!user) {
      this.perUser.fail(userKey);
      this.perAddress.fail(addressKey);
      throw invalidCredentials();
    }
    this.perUser.succeed(userKey);
    const info: UserInfo = { id: user.id ?? user.username, username: user.username, email: user.email, roles: user.roles };
    const caller: Caller = { id: `user:${info.id}`, kind: "user", user: info, grant: this.grant(user.grant) };
    const issued = this.sessions.issue(caller, caller.id);
    caller.sessionId = issued.session.id;
    return { result: resultOf(issued), issued };
  }

  /** A new token for a live session (the old token stops working). */
  refresh(token: unknown): { result: AuthResult; issued: Issued<Caller> } {
    if (typeof token !== "string" || token === "")
      throw new ServerError(ErrorCode.AUTHENTICATION_FAILED, "No token to refresh", 401, { reason: "missing" });
    const issued = this.sessions.refresh(token);
    if ("failure" in issued)
      throw new ServerError(
        ErrorCode.AUTHENTICATION_FAILED,
        `Cannot refresh: ${issued.failure === "invalid" ? "invalid token" : `session ${issued.failure}`}`,
        401,
        { reason: issued.failure },
      );
    return { result: resultOf(issued), issued };
  }

  /** Ends the session of `token` (a no-op for unknown tokens and API keys). */
  logout(token: unknown): void {
    if (typeof token === "string" && token !== "") this.sessions.revoke(token);
  }

  /** Ends every session of the user with this id; returns how many there were. */
  revokeUser(userId: string): number {
    return this.sessions.revokeOwner(`user:${userId}`);
  }

  /** Whether a session is still going on. */
  isLive(session: Session<Caller>): boolean {
    return this.sessions.isLive(session);
  }

  /** Calls `listener` whenever a session ends, with its id and why. */
  onSessionEnd(listener: (sessionId: string, reason: SessionEnd) => void): () => void {
    return this.sessions.onEnd((session, reason) => listener(session.id, reason));
  }

  /** Forgets every session (the server is closing). */
  close(): void {
    this.sessions.clear();
  }

  private grant(own: Grant | undefined): Caller["grant"] {
    return resolveGrant(own ?? this.options?.defaultGrant, this.serverLimits);
  }
}

function invalidCredentials(): ServerError {
  return new ServerError(ErrorCode.AUTHENTICATION_FAILED, "Invalid username or password", 401, { reason: "credentials" });
}

function resultOf(issued: Issued<Caller>): AuthResult {
  return { token: issued.token, user: issued.session.principal.user, expiresAt: new Date(issued.expiresAt).toISOString() };
}
