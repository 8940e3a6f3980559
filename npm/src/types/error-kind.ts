/**
 * The published docs' view of an error: what kind of failure it is (`type`) and whether the
 * same request may succeed if tried again (`retryable`). Both follow from the error's code.
 */

import { ERROR_TYPES, type ErrorType } from "./error-codes.generated.js";

export type { ErrorType } from "./error-codes.generated.js";

/**
 * The codes the engine itself retries (a node's `retries`, `execute`'s `options.retries`): a
 * time-out, a rate limit or a failed connection may pass; a node whose logic failed, invalid
 * input or a cancellation will not.
 */
const RETRYABLE = new Set(["TIMEOUT", "RATE_LIMIT_EXCEEDED", "TRANSPORT_ERROR", "IPC_COMMUNICATION_FAILED"]);

/** The kind of failure a code stands for. */
export function errorTypeOf(code: string): ErrorType {
  return (ERROR_TYPES as Readonly<Record<string, ErrorType>>)[code] ?? "internal";
}

/** Whether trying the same request again may succeed. */
export function isRetryableCode(code: string): boolean {
  return RETRYABLE.has(code);
}

/** Adds `type` and `retryable` to an error object (in place) and returns it. */
export function withErrorKind<E extends { code: string }>(error: E): E & { type: ErrorType; retryable: boolean } {
  return Object.assign(error, { type: errorTypeOf(error.code), retryable: isRetryableCode(error.code) });
}
