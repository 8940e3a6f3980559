/** `conductor.events`: the run events in the TypeScript engine's second form. */
import type {
  CompletedHandler,
  ConductorEventEmitter,
  ErrorHandler,
  RunGraphState,
  StartedHandler,
  Unsubscribe,
  WaitingHandler,
} from "../../types/progress.js";
import type { ConductorListeners } from "../state.js";

export function createEventsApi(listeners: ConductorListeners): ConductorEventEmitter {
  return {
    onProgress: (handler: (state: RunGraphState) => void): Unsubscribe => listeners.graphStates.add(handler),
    onStarted: (handler: StartedHandler): Unsubscribe => listeners.started.add(handler),
    onCompleted: (handler: CompletedHandler): Unsubscribe => listeners.completed.add(handler),
    onError: (handler: ErrorHandler): Unsubscribe => listeners.failed.add(handler),
    onWaiting: (handler: WaitingHandler): Unsubscribe => listeners.waiting.add(handler),
  };
}
