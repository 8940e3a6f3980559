/** `getEnvironment()` of a conductor living in a Node process (Electron's main process, a server, a CLI). */
import { arch, platform } from "node:os";
import type { EnvironmentInfo } from "./types/storage.js";

export function nodeEnvironment(): EnvironmentInfo {
  return {
    type: "desktop",
    isDesktop: true,
    hasTransport: true,
    capabilities: { nodeExecution: true, localStorage: false, sessionStorage: false, fileSystem: true, cloudExecution: false },
    details: { userAgent: `Node.js ${process.version}`, platform: `${platform()}-${arch()}` },
  };
}
