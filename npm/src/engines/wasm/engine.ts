/**
 * The wasm engine in the page: a `SessionEngine` over the wasm module's `WasmConductor`, created
 * as soon as the module is instantiated (see `ReloadingEngine` for waiting and replacement). A
 * Rust panic traps the module, which every in-page conductor of the page shares: the pending
 * runs of all of them then end with `INTERNAL_ERROR` and a fresh instance takes their next calls.
 */
import type { ConductorConfig } from "../../types/execution.js";
import { openSession, sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import { ReloadingEngine, type LoadedSession } from "../session/reloading.js";
import { withCatalogData } from "./catalog-data.js";
import { sessionHandle } from "./handle.js";
import { createHostFunctions } from "./host-functions.js";
import { CACHE_DATABASE, FIRES_DATABASE, HISTORY_DATABASE, TRIGGERS_DATABASE, indexedDbStorage } from "./indexeddb.js";
import { browserModule, sharedWasmInstance } from "./load.js";

export class WasmEngine extends ReloadingEngine {
  /** The browser records runs only when the config asks (the editor module has the history). */
  readonly keepsHistory: boolean;

  constructor(config: ConductorConfig) {
    super(() => inPageSession(config));
    this.keepsHistory = browserModule(config).history;
  }
}

/** A session on the page's shared module instance. */
async function inPageSession(config: ConductorConfig): Promise<LoadedSession> {
  const { variant, history, configHistory } = browserModule(config);
  const instance = await sharedWasmInstance(variant);
  // IndexedDB where the platform has it, unless the config asks for memory.
  const storage = config.storage?.type === "memory" ? undefined : indexedDbStorage();
  const historyStorage = history && config.storage?.type !== "memory" ? indexedDbStorage(HISTORY_DATABASE) : undefined;
  // The cache is kept beside a kept history (the engine decides from the config whether it is).
  const cacheStorage = historyStorage && config.cache ? indexedDbStorage(CACHE_DATABASE) : undefined;
  // Triggers are kept beside a kept history (the editor module has them; the default one ignores these).
  const triggerStorage = historyStorage && indexedDbStorage(TRIGGERS_DATABASE);
  const fireStorage = historyStorage && indexedDbStorage(FIRES_DATABASE);
  const conductor = openSession(
    () =>
      new instance.glue.WasmConductor(
        sessionConfigJson({ ...config, history: configHistory as ConductorConfig["history"] }),
        createHostFunctions(),
        storage,
        historyStorage,
        cacheStorage,
        triggerStorage,
        fireStorage,
      ),
  );
  const engine = new SessionEngine("wasm", sessionHandle(conductor), withCatalogData(instance.glue), {
    holdEventLoop: false,
    deferNotify: true,
    onTrap: (error) => instance.trapped(error),
  });
  // A trap here or in another conductor's session: this one is unusable too.
  return {
    engine,
    onTrap: (listener) => instance.onTrap(listener),
    free: () => {
      engine.close();
      conductor.free();
    },
  };
}
