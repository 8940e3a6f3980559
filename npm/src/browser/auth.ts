/**
 * `auth` in a renderer: calls go to the desktop bridge's `auth` channel and the token lives in
 * `localStorage["auth_token"]` (reference §2.3).
 */
import type { AuthBackend } from "../conductor/api.js";
import type { ChannelTransport } from "../transports/types.js";
import type { AuthResult, UserInfo } from "../types/storage.js";

const TOKEN_KEY = "auth_token";

type WebStorage = { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void; clear(): void };

function webStorage(name: "localStorage" | "sessionStorage"): WebStorage | undefined {
  try {
    return (globalThis as Record<string, unknown>)[name] as WebStorage | undefined;
  } catch {
    return undefined; // storage access can throw in sandboxed frames
  }
}

/** `response.result || response`, as the original read bridge answers. */
const unwrapped = <T>(answer: unknown): T => ((answer as { result?: T } | null)?.result ?? answer) as T;

export function bridgeAuth(transport: ChannelTransport): AuthBackend {
  const auth = transport.channel("auth");
  let memoryToken: string | null = null;
  return {
    login: async (credentials) => unwrapped<AuthResult>(await auth.call("login", credentials)),
    logout: async (token) => {
      try {
        await auth.call("logout", { token });
      } finally {
        webStorage("sessionStorage")?.clear();
      }
    },
    getCurrentUser: async () => unwrapped<UserInfo | null>(await auth.call("getCurrentUser")) ?? null,
    refreshToken: async (token) => unwrapped<AuthResult>(await auth.call("refreshToken", { token })),
    onAuthExpired: (callback) => auth.listen("sessionExpired", callback),
    tokenStore: {
      get: () => webStorage("localStorage")?.getItem(TOKEN_KEY) ?? memoryToken,
      set(token) {
        memoryToken = token;
        const storage = webStorage("localStorage");
        if (token === null) storage?.removeItem(TOKEN_KEY);
        else storage?.setItem(TOKEN_KEY, token);
      },
    },
  };
}
