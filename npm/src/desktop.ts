/**
 * `@atomiton/conductor/desktop` (and the package root): the native engine, for Electron's main
 * process, Node servers and the CLI.
 */
import { createConductorApi, type Conductor } from "./conductor/api.js";
import { NativeEngine } from "./engines/native/engine.js";
import { nodeEnvironment } from "./node-environment.js";
import type { ConductorConfig } from "./types/execution.js";

export type { Conductor } from "./conductor/api.js";
export type DesktopConductor = Conductor;

/** A conductor running flows in this process on the native engine. */
export function createConductor(config: ConductorConfig = {}): Conductor {
  return createConductorApi(new NativeEngine(config), config, { environment: nodeEnvironment() });
}

// Remote conductors and the server side of the wire protocol (reference §8), for Node processes.
export { createRemoteConductor, type RemoteConductor, type RemoteConductorOptions } from "./remote.js";
export { RemoteEngine } from "./engines/remote/engine.js";
export * from "./transports/index.js";
export * from "./server/index.js";

export { isValidProgressEvent } from "./conductor/progress.js";
export * from "./catalog.js";
export * from "./types/index.js";
