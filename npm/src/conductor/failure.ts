/** Failed results and errors made on the JS side, shaped like the engine's (with `type` and `retryable`). */
import { withErrorKind } from "../types/error-kind.js";
import { ConductorError, createExecutionError, ErrorCode, type ExecutionError } from "../types/errors.js";
import type { ExecutionResult } from "../types/execution.js";
import { failedResult } from "./engine.js";
import type { WireError } from "../types/wire.js";
import { toExecutionErrorShape, toExecutionResult } from "./hydrate.js";

/** A failure that happened before (or instead of) a run. */
export function executionFailure(code: ErrorCode, message: string, where: { nodeId?: string; executionId?: string } = {}): ExecutionResult {
  const result = toExecutionResult(failedResult({ code, message, ...where }));
  if (result.error) withErrorKind(result.error);
  return result;
}

/** An engine's error as a public one. */
export function publicError(error: WireError): ExecutionError {
  return withErrorKind(toExecutionErrorShape(error));
}

/** A call refused before it reached the engine: the message as given, with a code. */
export function refused(code: ErrorCode, message: string): ConductorError {
  return new ConductorError(createExecutionError(code, message));
}

/** Refuses what is not a string where the engine takes one (napi would throw an uncoded `StringExpected`). */
export function requireString(value: unknown, what: string): void {
  if (typeof value !== "string")
    throw refused(ErrorCode.VALIDATION_FAILED, `${what} must be a string, got ${value === null ? "null" : typeof value}`);
}
