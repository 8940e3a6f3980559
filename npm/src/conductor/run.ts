/**
 * `node.run`: one run from the API to the engine and back — ids, the caller's signal, the run's
 * options, the events around it and the result in its public shape.
 */
import { withErrorKind } from "../types/error-kind.js";
import { runOptionsError } from "../options/entries.js";
import { createExecutionError, ErrorCode, type ExecutionError } from "../types/errors.js";
import { otelApi } from "../telemetry/api.js";
import { RunTelemetry, servedRun } from "../telemetry/run.js";
import type { ExecutionWaiting } from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ConductorConfig, ContextOverrides, ExecutionResult } from "../types/execution.js";
import { MESSAGES } from "../types/wire.generated.js";
import { customTypesOf } from "./executors.js";
import { executionFailure } from "./failure.js";
import { toExecutionResult } from "./hydrate.js";
import { runOptions } from "./run-options.js";
import type { ConductorListeners, ConductorState } from "./state.js";

/** Runs a flow (or one node) and resolves with its result; never rejects for a failed run. */
export type Run = (node: NodeDefinition, given?: ContextOverrides | null) => Promise<ExecutionResult>;

/** Announces a run's end: `onComplete` and `onCompleted`, or `onError` in both forms. */
function announce(listeners: ConductorListeners, executionId: string, nodeId: string, result: ExecutionResult): void {
  const timestamp = Date.now();
  if (result.success) {
    listeners.completes.emit({ nodeId, executionId, result, timestamp });
    listeners.completed.emit({ executionId, result });
    return;
  }
  const error = result.error as ExecutionError;
  if (error.code === ErrorCode.WAITING) {
    // Parked at a wait node: not a failure; it goes on once woken.
    listeners.waiting.emit({ executionId, nodeId, waiting: error.context as unknown as ExecutionWaiting, timestamp });
    return;
  }
  listeners.errors.emit({ nodeId, executionId, error: error.message, code: error.code, timestamp });
  listeners.failed.emit({ executionId, error: withErrorKind(Object.assign(new Error(error.message), { code: error.code })) });
}

/** A run's `nodeId` names the node run (the TypeScript engine's context carried it): any other id is a mistake. */
function nodeIdMismatch(node: NodeDefinition, overrides: ContextOverrides): ExecutionError | undefined {
  if (overrides.nodeId === undefined || overrides.nodeId === node.id) return undefined;
  const message = `Invalid run options: 'nodeId' is "${overrides.nodeId}", but the flow's id is "${String(node.id)}" (leave nodeId out, or give the flow's own)`;
  return createExecutionError(ErrorCode.VALIDATION_FAILED, message, { context: { path: "nodeId" } });
}

/** Whether `history` (the config's) has runs recorded: on unless `false` or `{enabled: false}`. */
function historyOn(history: ConductorConfig["history"]): boolean {
  return history !== false && !(typeof history === "object" && history !== null && history.enabled === false);
}

/** The id a loading engine makes; if it cannot load, the given one (the run then fails for the module). */
function settledId(made: Promise<string>, given: string | undefined): Promise<string> {
  return made.catch(() => given ?? "");
}

export function createRun({ engine, config, factory, store, listeners }: ConductorState): Run {
  /** Whether this process's engine writes the run's record (a run handed on is recorded where it runs). */
  const historyRecords = (overrides: ContextOverrides) =>
    engine.handsRunsTo === undefined && (engine.keepsHistory ?? historyOn(config.history)) && overrides.history !== false;
  // Looked up once, here: the first lookup loads `@opentelemetry/api` when the app has it, time
  // on this thread that the first run would otherwise stall the host for (docs/PERFORMANCE.md,
  // "Tracing and metrics").
  const telemetryApi = config.telemetry?.enabled === false ? undefined : otelApi(config.telemetry?.api);
  const redactKeys = typeof config.history === "object" && config.history ? (config.history.redactKeys ?? []) : [];
  const wantsProgress = () => listeners.progress.size > 0 || listeners.graphStates.size > 0;
  /** Whether the run's events are wanted: progress, or pauses someone may have to answer. */
  const wantsEvents = (overrides: ContextOverrides) =>
    wantsProgress() || store.wantsSnapshots || listeners.paused.size > 0 || (overrides.breakpoints?.length ?? 0) > 0;

  return async function run(node: NodeDefinition, given: ContextOverrides | null = {}): Promise<ExecutionResult> {
    if (node === null || typeof node !== "object") {
      return executionFailure(ErrorCode.INVALID_NODE, MESSAGES.INVALID_NODE_DEFINITION);
    }
    if (given !== null && typeof given !== "object") {
      return executionFailure(ErrorCode.VALIDATION_FAILED, `Run options must be an object, got ${typeof given}`);
    }
    const overrides: ContextOverrides = given ?? {};
    const refusal = runOptionsError(overrides) ?? nodeIdMismatch(node, overrides);
    if (refusal) {
      const failed = executionFailure(ErrorCode.VALIDATION_FAILED, refusal.message, {
        nodeId: typeof node.id === "string" ? node.id : undefined,
      });
      if (failed.error) failed.error.context = refusal.context;
      return failed;
    }
    // At once where the engine is loaded: the run's start is announced in the same turn as before.
    const made = engine.executionId(overrides.executionId);
    const executionId = typeof made === "string" ? made : await settledId(made, overrides.executionId);
    const nodeId = typeof node.id === "string" ? node.id : "";
    const signal = overrides.signal;
    const abort = () => void engine.cancel(executionId);
    if (signal?.aborted) {
      return executionFailure(ErrorCode.CANCELLED, MESSAGES.EXECUTION_CANCELLED, { nodeId });
    }
    signal?.addEventListener("abort", abort, { once: true });
    listeners.started.emit({ executionId, nodeId });
    const handedTo = engine.handsRunsTo;
    const telemetry = RunTelemetry.begin(telemetryApi, config.telemetry, node, executionId, {
      parent: overrides.telemetry,
      propagate: overrides.telemetry?.propagate,
      input: overrides.input,
      redactKeys,
      recordsHistory: historyRecords(overrides),
      // A run served for another process is the server's side of its call, wherever it then runs.
      kind: servedRun(overrides) ? "server" : handedTo?.to === "queue" ? "producer" : handedTo ? "client" : undefined,
      handedOn: handedTo !== undefined,
      attributes: handedTo?.attributes?.(executionId),
    });
    try {
      // A small run finishes inside engine.run's first call. Starting it a microtask later
      // keeps the TypeScript engine's order: listeners added right after node.run() is called
      // still see the run's events.
      await undefined;
      // What the conductor sets itself wins over the caller's; the rest pass as given.
      // The caller's `telemetry` named the parent span; the engine is told only this run's own.
      const given = overrides.telemetry === undefined ? overrides : { ...overrides, telemetry: undefined };
      const options = runOptions(given, {
        executionId,
        // A local engine bounds runs by its own config (the engine resolves the default); a run
        // handed on to a server, a queue or a transport carries this conductor's bound with it.
        timeout: handedTo ? (overrides.timeout ?? config.timeout) : overrides.timeout,
        customTypes: customTypesOf(node, factory),
        events: wantsEvents(overrides),
        stateEvents: store.wantsChanges,
        retry: overrides.retry ? { of: overrides.retry.of, from: overrides.retry.from } : undefined,
        telemetry: telemetry && { ...telemetry.wireOption(), ...telemetry.carrier() },
      });
      store.started(executionId);
      const wire = await engine.run(node, options);
      telemetry?.end(wire);
      // Progress snapshots of this run are delivered before its completion is announced.
      engine.flushEvents();
      const result = toExecutionResult(wire);
      store.ended(executionId, () => result.trace ?? null);
      if (result.error) withErrorKind(result.error);
      announce(listeners, executionId, nodeId, result);
      return result;
    } catch (thrown) {
      telemetry?.abandon(thrown);
      throw thrown;
    } finally {
      signal?.removeEventListener("abort", abort);
    }
  };
}
