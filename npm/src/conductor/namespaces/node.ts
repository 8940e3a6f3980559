/** `conductor.node`: runs, validation, run control, run events and the latest run's state. */
import type { NodeDefinition } from "../../types/definition.js";
import type { ExecutionTrace } from "../../types/execution.js";
import type {
  ExecutionGraphStore,
  PausedHandler,
  RunCompleteEvent,
  RunErrorEvent,
  RunGraphState,
  RunProgressEvent,
  Unsubscribe,
} from "../../types/progress.js";
import type { ValidationResult } from "../../types/storage.js";
import type { RunCommand } from "../engine.js";
import { customTypesOf } from "../executors.js";
import { requireString } from "../failure.js";
import { unwrap } from "../hydrate.js";
import type { Run } from "../run.js";
import type { ConductorState } from "../state.js";

/**
 * @param requests `execute(request)`s in progress, by execution id: `cancel` aborts them too.
 */
export function createNodeApi({ engine, factory, store, listeners }: ConductorState, run: Run, requests: Map<string, AbortController>) {
  async function control(executionId: string, command: RunCommand): Promise<boolean> {
    requireString(executionId, "Execution id");
    return engine.controlRun(executionId, command);
  }

  async function validate(node: NodeDefinition): Promise<ValidationResult> {
    return unwrap(await engine.validate(node, customTypesOf(node, factory)));
  }

  return {
    run,
    validate,
    /** Cancels a running execution (or `execute` request); resolves to whether one was running. */
    async cancel(executionId: string): Promise<boolean> {
      const request = requests.get(executionId);
      request?.abort();
      return (await engine.cancel(executionId)) || request !== undefined;
    },
    /** Pauses a running execution at its next node boundary (running nodes finish); false when none is running. */
    pause: (executionId: string): Promise<boolean> => control(executionId, "pause"),
    /** Lets a paused execution go on (until its next breakpoint). */
    resume: (executionId: string): Promise<boolean> => control(executionId, "resume"),
    /** Runs the node a paused execution waits at, then pauses before the next one. */
    step: (executionId: string): Promise<boolean> => control(executionId, "step"),
    /** Called when a run pauses: its id, the node about to run (a path) and that node's input. */
    onPaused: (callback: PausedHandler): Unsubscribe => listeners.paused.add(callback),
    onProgress: (callback: (event: RunProgressEvent) => void): Unsubscribe => listeners.progress.add(callback),
    onComplete: (callback: (event: RunCompleteEvent) => void): Unsubscribe => listeners.completes.add(callback),
    onError: (callback: (event: RunErrorEvent) => void): Unsubscribe => listeners.errors.add(callback),
    /** The latest run state, for code written against the TypeScript engine `node.store`. */
    store: {
      getState: () => store.getState(),
      subscribe: (listener: (state: RunGraphState, previous: RunGraphState) => void) => store.subscribe(listener),
      reset: () => store.reset(),
      getTrace: () => store.getTrace() as ExecutionTrace | null,
    } satisfies ExecutionGraphStore,
  };
}

/** The run events `node` and `flow` share (the same functions on both). */
export type RunSubscriptions = Pick<ReturnType<typeof createNodeApi>, "onProgress" | "onComplete" | "onError">;
