/** `conductor.auth`: sign-in through a desktop bridge; without one, auth is unavailable. */
import type { AuthBackend } from "../../types/auth-backend.js";
import type { Unsubscribe } from "../../types/progress.js";
import type { AuthCredentials, AuthResult, UserInfo } from "../../types/storage.js";

export function createAuthApi(backend: AuthBackend | undefined) {
  const noTransport = () => new Error("No transport available for authentication");
  return {
    async login(credentials: AuthCredentials): Promise<AuthResult> {
      if (!credentials?.username || !credentials?.password) throw new Error("Invalid credentials");
      if (!backend) throw noTransport();
      const result = await backend.login(credentials);
      if (result?.token) backend.tokenStore.set(result.token);
      return result;
    },
    async logout(): Promise<void> {
      if (!backend) return;
      const token = backend.tokenStore.get();
      backend.tokenStore.set(null);
      await backend.logout(token);
    },
    async getCurrentUser(): Promise<UserInfo | null> {
      if (!backend?.tokenStore.get()) return null;
      return (await backend.getCurrentUser()) ?? null;
    },
    async refreshToken(): Promise<AuthResult> {
      const token = backend?.tokenStore.get();
      if (!token) throw new Error("No token to refresh");
      if (!backend) throw noTransport();
      const result = await backend.refreshToken(token);
      if (result?.token) backend.tokenStore.set(result.token);
      return result;
    },
    onAuthExpired(callback: (data: unknown) => void): Unsubscribe {
      return backend ? backend.onAuthExpired(callback) : () => {};
    },
  };
}
