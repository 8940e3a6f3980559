/** Failed results and errors made on the JS side, shaped like the engine's (with `type` and `retryable`). */
import { withErrorKind } from "../types/error-kind.js";
import type { ErrorCode, ExecutionError } from "../types/errors.js";
import type { ExecutionResult } from "../types/execution.js";
import type { WireError } from "./engine.js";
import { toExecutionErrorShape } from "./hydrate.js";

/** A failure that happened before (or instead of) a run. */
export function executionFailure(code: ErrorCode, message: string, where: { nodeId?: string; executionId?: string } = {}): ExecutionResult {
  return { success: false, error: withErrorKind({ code, message, ...where, timestamp: new Date() }), duration: 0, executedNodes: [] };
}

/** An engine's error as a public one. */
export function publicError(error: WireError): ExecutionError {
  return withErrorKind(toExecutionErrorShape(error));
}
