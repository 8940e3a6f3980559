/**
 * `conductor.auth` over a channel transport: calls go to the `auth` channel of a desktop bridge
 * or a protocol server, and the token is kept in a token store, which HTTP and WebSocket
 * transports read to authenticate every call.
 */
import type { AuthBackend } from "../types/auth-backend.js";
import type { AuthResult, UserInfo } from "../types/storage.js";
import type { ChannelTransport } from "../types/channel-transport.js";

/** Where the current token lives. */
export type TokenStore = AuthBackend["tokenStore"];

/** A token held in memory (Node clients), starting with `initial` (an API key, a saved token). */
export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    get: () => token,
    set(next) {
      token = next;
    },
  };
}

/** `response.result || response`, as the TypeScript engine read bridge answers. */
const unwrapped = <T>(answer: unknown): T => ((answer as { result?: T } | null)?.result ?? answer) as T;

/** The auth API over `transport`'s `auth` channel; `afterLogout` runs once a logout is done (the browser clears `sessionStorage`). */
export function channelAuth(transport: ChannelTransport, tokenStore: TokenStore, afterLogout?: () => void): AuthBackend {
  const auth = transport.channel("auth");
  return {
    login: async (credentials) => unwrapped<AuthResult>(await auth.call("login", credentials)),
    logout: async (token) => {
      try {
        await auth.call("logout", { token });
      } finally {
        afterLogout?.();
      }
    },
    getCurrentUser: async () => unwrapped<UserInfo | null>(await auth.call("getCurrentUser")) ?? null,
    refreshToken: async (token) => unwrapped<AuthResult>(await auth.call("refreshToken", { token })),
    onAuthExpired: (callback) => auth.listen("sessionExpired", callback),
    tokenStore,
  };
}
