/** Engine values → the public shapes (timestamps become `Date`s). */
import { ConductorError, ErrorCode, type ExecutionError } from "../types/errors.js";
import type { ExecutionResult } from "../types/execution.js";
import type { Outcome, WireError, WireResult } from "../types/wire.js";

export function toExecutionErrorShape(error: WireError): ExecutionError {
  return { ...error, code: error.code as ErrorCode, timestamp: new Date(error.timestamp ?? Date.now()) };
}

export function toExecutionResult(result: WireResult): ExecutionResult {
  const out = result as unknown as ExecutionResult;
  if (result.error) out.error = toExecutionErrorShape(result.error);
  // A traced run's node records were for its spans, not for the caller.
  if (result.spans !== undefined) delete result.spans;
  return out;
}

/** The value of an outcome, or a thrown `ConductorError`. */
export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw new ConductorError(toExecutionErrorShape(outcome.error));
}

export { ErrorCode };
