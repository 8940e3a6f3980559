/** `getEnvironment()` of a conductor living in a Node process (Electron's main process, a server, a CLI). */
import { arch, platform } from "node:os";
import type { LocalEngineKind } from "./engines/local.js";
import type { EnvironmentInfo } from "./types/storage.js";

/** `engine`: what runs flows in this process, when the conductor has a local engine. */
export function nodeEnvironment(engine?: LocalEngineKind): EnvironmentInfo {
  const details: EnvironmentInfo["details"] = { userAgent: `Node.js ${process.version}`, platform: `${platform()}-${arch()}` };
  if (engine) details.engine = engine.kind;
  if (engine?.kind === "wasm" && engine.fallback) details.engineFallback = engine.fallback.message;
  return {
    type: "desktop",
    isDesktop: true,
    hasTransport: true,
    capabilities: { nodeExecution: true, localStorage: false, sessionStorage: false, fileSystem: true, cloudExecution: false },
    details,
  };
}
