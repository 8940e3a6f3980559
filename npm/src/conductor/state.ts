/**
 * What the conductor's namespaces share: the engine runs go to, the conductor's config, the
 * store of the latest run's state and the listeners, which the engine's events are routed to.
 */
import type { ConductorConfig, ExecutionResult, NodeExecutorFactory } from "../types/execution.js";
import type { PausedEvent, RunCompleteEvent, RunErrorEvent, RunGraphState, RunProgressEvent, RunWaitingEvent } from "../types/progress.js";
import type { SavedFlowEvent } from "../types/storage.js";
import type { EngineAdapter } from "./engine.js";
import type { WireEvent } from "../types/wire.js";
import { GraphStore } from "./graph-store.js";
import { Listeners } from "../util/listeners.js";
import { toGraphState } from "./progress.js";

function createListeners() {
  return {
    progress: new Listeners<RunProgressEvent>(),
    graphStates: new Listeners<RunGraphState>(),
    completes: new Listeners<RunCompleteEvent>(),
    errors: new Listeners<RunErrorEvent>(),
    started: new Listeners<{ executionId: string; nodeId: string }>(),
    completed: new Listeners<{ executionId: string; result: ExecutionResult }>(),
    failed: new Listeners<{ executionId: string; error: Error }>(),
    flowSaved: new Listeners<SavedFlowEvent>(),
    paused: new Listeners<PausedEvent>(),
    waiting: new Listeners<RunWaitingEvent>(),
  };
}

/** Every listener set of a conductor: the `on*` methods of its namespaces add to them. */
export type ConductorListeners = ReturnType<typeof createListeners>;

export type ConductorState = {
  /** Where runs and every other engine call go (the transport switch, with run logging). */
  engine: EngineAdapter;
  /** The conductor's own copy of its config: `configureTransport("local", ...)` changes it. */
  config: ConductorConfig;
  /** The JS executors, as the config gave them when the conductor was made. */
  factory: NodeExecutorFactory | undefined;
  store: GraphStore;
  listeners: ConductorListeners;
};

/** Hands `engine` the JS executors and routes its events to fresh listeners and the store. */
export function createConductorState(engine: EngineAdapter, config: ConductorConfig): ConductorState {
  const factory = config.nodeExecutorFactory;
  engine.setExecutorFactory(factory);
  const listeners = createListeners();
  const store = new GraphStore(engine);
  engine.setEventListener((events: WireEvent[]) => routeEvents(events, listeners, store));
  return { engine, config, factory, store, listeners };
}

function routeEvents(events: WireEvent[], listeners: ConductorListeners, store: GraphStore): void {
  for (const event of events) {
    if (event.type === "progress") {
      const { type: _type, ...snapshot } = event;
      const payload = snapshot as unknown as RunProgressEvent;
      listeners.progress.emit(payload);
      if (listeners.graphStates.size > 0) listeners.graphStates.emit(toGraphState(payload));
      store.apply(event);
    } else if (event.type === "nodeChanged") {
      store.apply(event);
    } else if (event.type === "flowSaved") {
      const { type: _type, ...saved } = event;
      listeners.flowSaved.emit(saved);
    } else if (event.type === "paused") {
      listeners.paused.emit({
        executionId: event.executionId,
        nodeId: event.nodeId,
        input: (event.input ?? {}) as Record<string, unknown>,
      });
    }
  }
}
