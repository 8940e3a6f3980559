/** `getEnvironment()` in a browser or an Electron renderer, as the TypeScript engine reported it. */
import type { EnvironmentInfo } from "../types/storage.js";

type BrowserGlobals = { localStorage?: unknown; sessionStorage?: unknown; navigator?: { userAgent?: string; platform?: string } };

export function browserEnvironment(hasBridge: boolean, hasTransport: boolean): EnvironmentInfo {
  const g = globalThis as BrowserGlobals;
  return {
    type: hasBridge ? "desktop" : "browser",
    isDesktop: hasBridge,
    hasTransport,
    // Unlike the TypeScript engine, flows run without a transport too (in wasm).
    capabilities: {
      nodeExecution: true,
      localStorage: !!g.localStorage,
      sessionStorage: !!g.sessionStorage,
      fileSystem: hasBridge,
      cloudExecution: false,
    },
    details: { userAgent: g.navigator?.userAgent ?? "unknown", platform: g.navigator?.platform ?? "unknown" },
  };
}
