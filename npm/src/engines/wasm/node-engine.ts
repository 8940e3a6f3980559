/**
 * The WebAssembly engine in a Node process (`engine: "wasm"`, or `"auto"` where no native binary
 * fits): a `SessionEngine` over the Node fallback module's `WasmConductor`, whose host does
 * files, processes and HTTP through Node's own modules and keeps flows on disk like the native
 * engine. Created synchronously, like the native engine. After a trap (a Rust panic) the pending
 * runs end with `INTERNAL_ERROR` and the next call gets a session on a fresh instance.
 */
import { fullCatalog } from "../session/catalog.js";
import { delegatingEngine } from "../../conductor/delegate.js";
import type { EngineAdapter, FlowTexts } from "../../conductor/engine.js";
import type { WireEvent } from "../../types/wire.js";
import type { ConductorConfig, NodeExecutorFactory } from "../../types/execution.js";
import { openSession, sessionConfigJson } from "../session/config.js";
import { SessionEngine } from "../session/engine.js";
import type { WasmConductor } from "./atomiton_conductor_wasm.js";
import { sessionHandle } from "./handle.js";
import { nodeHostFunctions, nodeFlowStorage, nodeHistoryStorage, nodeCacheStorage, nodeTriggerStorage } from "./node-host.js";
import { nodeWasmInstance } from "./node-module.js";

export type NodeWasmEngine = EngineAdapter & { close(): void };

/** One session and what ends it: a trap of its instance, or `close`. */
type Live = { engine: SessionEngine; module: WasmConductor; forget: () => void };

export function createNodeWasmEngine(config: ConductorConfig): NodeWasmEngine {
  let factory: NodeExecutorFactory | undefined;
  let flowTexts: FlowTexts | undefined;
  let listener: (events: WireEvent[]) => void = () => {};
  let live: Live | undefined;
  let closed = false;

  const open = (): SessionEngine => {
    if (live) return live.engine;
    if (closed) throw new Error("@atomiton/conductor: this engine has been closed");
    const instance = nodeWasmInstance();
    const [triggerStorage, fireStorage] = nodeTriggerStorage(config);
    const module = openSession(
      () =>
        new instance.glue.WasmConductor(
          sessionConfigJson(config),
          nodeHostFunctions(config),
          nodeFlowStorage(config),
          nodeHistoryStorage(config),
          nodeCacheStorage(config),
          triggerStorage,
          fireStorage,
        ),
    );
    const engine = new SessionEngine("wasm", sessionHandle(module), fullCatalog(instance.glue), {
      holdEventLoop: false,
      deferNotify: true,
      onTrap: (error) => instance.trapped(error),
    });
    // A trap here or in another conductor's session: this session is unusable too.
    const forget = instance.onTrap((error) => {
      engine.stop(error);
      if (live?.engine === engine) live = undefined;
    });
    engine.setExecutorFactory(factory);
    if (flowTexts) engine.keepFlowsIn(flowTexts);
    engine.setEventListener(listener);
    live = { engine, module, forget };
    return engine;
  };
  open(); // a module that cannot load fails here, at createConductor, not at the first run

  const overrides = {
    setExecutorFactory(next: NodeExecutorFactory | undefined) {
      factory = next;
      live?.engine.setExecutorFactory(next);
    },
    setEventListener(next: (events: WireEvent[]) => void) {
      listener = next;
      live?.engine.setEventListener(next);
    },
    keepFlowsIn(texts: FlowTexts) {
      flowTexts = texts;
      live?.engine.keepFlowsIn(texts);
    },
    flushEvents() {
      live?.engine.flushEvents();
    },
    /** Frees the module's conductor (`shutdown()`, once no run is pending); nothing may be called afterwards. */
    close() {
      closed = true;
      live?.forget();
      live?.engine.close();
      live?.module.free();
      live = undefined;
    },
  };
  return delegatingEngine(open, overrides) as NodeWasmEngine;
}
