/**
 * `@atomiton/conductor/desktop` (and the package root): the native engine, for Electron's main
 * process, Node servers and the CLI.
 */
import { arch, platform } from "node:os";
import { createConductorApi, type Conductor } from "./conductor/api.js";
import { NativeEngine } from "./engines/native/engine.js";
import type { ConductorConfig } from "./types/execution.js";

export type { Conductor } from "./conductor/api.js";
export type DesktopConductor = Conductor;

/** A conductor running flows in this process on the native engine. */
export function createConductor(config: ConductorConfig = {}): Conductor {
  return createConductorApi(new NativeEngine(config), config, {
    environment: {
      type: "desktop",
      isDesktop: true,
      hasTransport: true,
      capabilities: { nodeExecution: true, localStorage: false, sessionStorage: false, fileSystem: true, cloudExecution: false },
      details: { userAgent: `Node.js ${process.version}`, platform: `${platform()}-${arch()}` },
    },
  });
}

export { isValidProgressEvent } from "./conductor/progress.js";
export * from "./catalog.js";
export * from "./types/index.js";
