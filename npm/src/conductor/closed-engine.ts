/** What a conductor answers with after `shutdown()`: every call fails, with one clear error. */
import { ConductorError, ErrorCode } from "../types/errors.js";
import { failedResult, type EngineAdapter } from "./engine.js";
import type { Outcome, WireError, WireResult } from "../types/wire.js";

export const SHUT_DOWN_MESSAGE = "The conductor has been shut down; create a new conductor to run flows";

/** The error every call of a shut-down conductor fails with (not retryable: it stays shut). */
export function shutDownError(): WireError {
  return { code: ErrorCode.NO_TRANSPORT, message: SHUT_DOWN_MESSAGE, timestamp: Date.now() };
}

/** An engine that has stopped: runs resolve to failed results, everything else fails. */
export function closedEngine(kind: EngineAdapter["kind"]): EngineAdapter {
  const refused = <T>(): Outcome<T> => ({ ok: false, error: shutDownError() });
  const refusedLater = async <T>(): Promise<Outcome<T>> => refused<T>();
  return {
    kind,
    setExecutorFactory() {},
    setEventListener() {},
    flushEvents() {},
    async run(): Promise<WireResult> {
      return failedResult(shutDownError());
    },
    cancel: () => false,
    controlRun: () => false,
    validate: refused,
    saveFlow: refusedLater,
    loadFlow: refusedLater,
    listFlows: refusedLater,
    deleteFlow: refusedLater,
    executions: refusedLater,
    cache: refusedLater,
    triggers: refusedLater,
    credentials: refusedLater,
    listTemplates: refused,
    getTemplate: refused,
    nodeDefinitions: refused,
    nodeDefinition: refused,
    nodeDefinitionsByCategory: refused,
    parseFlow: refused,
    flowToYaml: refused,
    // A shut-down conductor starts no run, so it names none and retries none.
    executionId: (given) => given ?? "",
    retryDelay: () => null,
    async health() {
      return { status: "error", timestamp: Date.now(), message: SHUT_DOWN_MESSAGE };
    },
    async restart() {
      throw new ConductorError({ ...shutDownError(), timestamp: new Date() });
    },
  };
}
