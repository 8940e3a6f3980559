/** What `conductor.auth` needs from where it signs in: `channelAuth` (transports) and `bridgeAuth` (browser) make one. */
import type { Unsubscribe } from "./progress.js";
import type { AuthCredentials, AuthResult, UserInfo } from "./storage.js";

/** Where `auth` sends its calls (a desktop bridge or a server); without one, auth is unavailable. */
export type AuthBackend = {
  login(credentials: AuthCredentials): Promise<AuthResult>;
  logout(token: string | null): Promise<void>;
  getCurrentUser(): Promise<UserInfo | null>;
  refreshToken(token: string): Promise<AuthResult>;
  onAuthExpired(callback: (data: unknown) => void): Unsubscribe;
  tokenStore: { get(): string | null; set(token: string | null): void };
};
