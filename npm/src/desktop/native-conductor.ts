/**
 * Building a conductor that runs flows in this Node process (`createConductor` of `.` and
 * `/desktop`): on the native engine, or on the WebAssembly engine as `engine` selects.
 */
import { createConductorApi, type Conductor } from "../conductor/api.js";
import { EMBEDDER_STORAGE, type EngineAdapter } from "../conductor/engine.js";
import { engineChoice } from "../engines/choice.js";
import { createLocalEngine, localEngineKind } from "../engines/local.js";
import { remoteEngine } from "../engines/remote/engine.js";
import { nodeEnvironment } from "../node-environment.js";
import type { ConductorConfig, StorageConfig } from "../types/execution.js";
import type { DesktopConductorConfig } from "../types/options.generated.js";
import { flowTextsIn, isAppStorage, isKeyValueStorage, withAppStorage } from "./app-storage.js";
import { withEnvironmentDefaults } from "./environment-defaults.js";
import { withPluginFiles } from "./plugin-files.js";

export type { DesktopConductorConfig } from "../types/options.generated.js";

export function createNativeConductor(config: DesktopConductorConfig): Conductor {
  const appStorage = isAppStorage(config.storage) ? config.storage : undefined;
  // A key-value engine keeps the engine's flows (the engine asks it for each flow's text); a
  // flow store of the app's own replaces the engine's storage, whose own is then kept in memory.
  const keyValue = appStorage && isKeyValueStorage(appStorage) ? flowTextsIn(appStorage) : undefined;
  const storage = appStorage ? (keyValue ? EMBEDDER_STORAGE : { type: "memory" as const }) : (config.storage as StorageConfig | undefined);
  const settings = withPluginFiles(withEnvironmentDefaults({ ...config, storage }));
  const kind = localEngineKind(engineChoice(config.engine));
  const create = (changed: ConductorConfig): EngineAdapter => {
    const engine = createLocalEngine(kind, changed);
    if (keyValue) engine.keepFlowsIn?.(keyValue);
    return engine;
  };
  const engine = create(settings);
  const local: EngineAdapter = appStorage && !isKeyValueStorage(appStorage) ? withAppStorage(engine, appStorage) : engine;
  return createConductorApi(local, settings, {
    environment: nodeEnvironment(kind),
    locals: { local, create },
    remote: remoteEngine,
  });
}
