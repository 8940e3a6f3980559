/** Failed results and errors made on the JS side, shaped like the engine's (with `type` and `retryable`). */
import { withErrorKind } from "../types/error-kind.js";
import type { ErrorCode, ExecutionError } from "../types/errors.js";
import type { ExecutionResult } from "../types/execution.js";
import { failedResult, type WireError } from "./engine.js";
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
