/**
 * Building a conductor that runs flows in this Node process (`createConductor` of `.` and
 * `/desktop`): on the native engine, or on the WebAssembly engine as `engine` selects.
 */
import { createConductorApi, type Conductor } from "../conductor/api.js";
import type { EngineAdapter } from "../conductor/engine.js";
import { engineChoice } from "../engines/choice.js";
import { createLocalEngine, localEngineKind } from "../engines/local.js";
import { remoteEngine } from "../engines/remote/engine.js";
import { nodeEnvironment } from "../node-environment.js";
import type { StorageConfig } from "../types/execution.js";
import type { DesktopConductorConfig } from "../types/options.generated.js";
import { isAppStorage, withAppStorage } from "./app-storage.js";
import { withEnvironmentDefaults } from "./environment-defaults.js";
import { withPluginFiles } from "./plugin-files.js";

export type { DesktopConductorConfig } from "../types/options.generated.js";

export function createNativeConductor(config: DesktopConductorConfig): Conductor {
  const appStorage = isAppStorage(config.storage) ? config.storage : undefined;
  // With the app's storage the engine's own is never used: keep it in memory, off the disk.
  const settings = withPluginFiles(
    withEnvironmentDefaults({
      ...config,
      storage: appStorage ? { type: "memory" } : (config.storage as StorageConfig | undefined),
    }),
  );
  const kind = localEngineKind(engineChoice(config.engine));
  const engine = createLocalEngine(kind, settings);
  const local: EngineAdapter = appStorage ? withAppStorage(engine, appStorage) : engine;
  return createConductorApi(local, settings, {
    environment: nodeEnvironment(kind),
    locals: { local, create: (changed) => createLocalEngine(kind, changed) },
    remote: remoteEngine,
  });
}
