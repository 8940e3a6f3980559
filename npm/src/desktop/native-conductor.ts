/**
 * Building a conductor that runs flows in this Node process (`createConductor` of `.` and
 * `/desktop`): on the native engine, or on the WebAssembly engine as `engine` selects.
 */
import { createConductorApi, type Conductor } from "../conductor/api.js";
import type { EngineAdapter } from "../conductor/engine.js";
import { engineChoice } from "../engines/choice.js";
import { createLocalEngine, localEngineKind } from "../engines/local.js";
import { nodeEnvironment } from "../node-environment.js";
import type { ConductorConfig, StorageConfig } from "../types/execution.js";
import { isAppStorage, withAppStorage, type AppStorage } from "./app-storage.js";
import { withEnvironmentDefaults } from "./environment-defaults.js";

/** `ConductorConfig` in a Node process: `storage` may also be a storage object the app made. */
export type DesktopConductorConfig = Omit<ConductorConfig, "storage"> & { storage?: StorageConfig | AppStorage };

export function createNativeConductor(config: DesktopConductorConfig): Conductor {
  const appStorage = isAppStorage(config.storage) ? config.storage : undefined;
  // With the app's storage the engine's own is never used: keep it in memory, off the disk.
  const settings = withEnvironmentDefaults({
    ...config,
    storage: appStorage ? { type: "memory" } : (config.storage as StorageConfig | undefined),
  });
  const kind = localEngineKind(engineChoice(config.engine));
  const engine = createLocalEngine(kind, settings);
  const local: EngineAdapter = appStorage ? withAppStorage(engine, appStorage) : engine;
  return createConductorApi(local, settings, {
    environment: nodeEnvironment(kind),
    locals: { local, create: (changed) => createLocalEngine(kind, changed) },
  });
}
