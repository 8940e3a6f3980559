/**
 * `auth` in a renderer or page: calls go to the desktop bridge's or the server's `auth` channel
 * and the token lives in `localStorage["auth_token"]` (as in the TypeScript engine), in memory where storage
 * is unavailable.
 */
import type { AuthBackend } from "../types/auth-backend.js";
import { channelAuth, type TokenStore } from "../transports/auth.js";
import type { ChannelTransport } from "../types/channel-transport.js";

const TOKEN_KEY = "auth_token";

type WebStorage = {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  clear(): void;
};

function webStorage(name: "localStorage" | "sessionStorage"): WebStorage | undefined {
  try {
    return (globalThis as Record<string, unknown>)[name] as WebStorage | undefined;
  } catch {
    return undefined; // storage access can throw in sandboxed frames
  }
}

/** The token in `localStorage["auth_token"]`, or in memory where there is no storage. */
export function webTokenStore(): TokenStore {
  let memoryToken: string | null = null;
  return {
    get: () => webStorage("localStorage")?.getItem(TOKEN_KEY) ?? memoryToken,
    set(token) {
      memoryToken = token;
      const storage = webStorage("localStorage");
      if (token === null) storage?.removeItem(TOKEN_KEY);
      else storage?.setItem(TOKEN_KEY, token);
    },
  };
}

/** The auth API over `transport` (a bridge or a server), its token in web storage; logging out clears `sessionStorage`. */
export function bridgeAuth(transport: ChannelTransport, tokens: TokenStore = webTokenStore()): AuthBackend {
  return channelAuth(transport, tokens, () => webStorage("sessionStorage")?.clear());
}
