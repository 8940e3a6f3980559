/**
 * Error codes and helpers of the TypeScript engine `@atomiton/conductor/types`, kept as they were. The
 * codes and the recovery table are generated from the Rust engine (`*.generated.ts`), so both
 * agree.
 */
import { errorTypeOf, isRetryableCode, type ErrorType } from "./error-kind.js";
import { RECOVERY_TABLE } from "./recovery.generated.js";

export { errorTypeOf, isRetryableCode, type ErrorType } from "./error-kind.js";

// The codes are generated from the engine's (`error-codes.generated.ts`), so both sides list the same.
import { ErrorCode } from "./error-codes.generated.js";
export { ErrorCode } from "./error-codes.generated.js";

/** Advice for handling an error: whether to retry, after how long, and what to try instead. */
export type ErrorRecoveryStrategy = {
  retryable: boolean;
  retryDelayMs?: number;
  maxRetries?: number;
  alternatives?: string[];
  suggestions?: string[];
};

/**
 * An error with a code, as results and events carry it. `timestamp` is a `Date`. Errors the
 * package produces always have `type` and `retryable` (derived from `code`); they are optional
 * here so that objects written by hand still type-check.
 */
export type ExecutionError = {
  code: ErrorCode;
  message: string;
  /** The kind of failure (the published docs' `type`). */
  type?: ErrorType;
  /** Whether the same request may succeed if tried again (what `execute`'s `retries` retries). */
  retryable?: boolean;
  nodeId?: string;
  executionId?: string;
  timestamp: Date;
  stack?: string;
  cause?: unknown;
  context?: Record<string, unknown>;
  recovery?: ErrorRecoveryStrategy;
};

const CODES = new Set<string>(Object.values(ErrorCode));

/** `{code, message, timestamp: new Date(), type, retryable, ...options}`. */
export function createExecutionError(
  code: ErrorCode,
  message: string,
  options: Partial<Omit<ExecutionError, "code" | "message" | "timestamp">> = {},
): ExecutionError {
  return { code, message, timestamp: new Date(), type: errorTypeOf(code), retryable: isRetryableCode(code), ...options };
}

/** A non-null object with `code`, `message` and `timestamp`, whose code is an `ErrorCode`. */
export function isExecutionError(value: unknown): value is ExecutionError {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return "code" in candidate && "message" in candidate && "timestamp" in candidate && CODES.has(String(candidate.code));
}

/**
 * Any thrown value as an `ExecutionError`: an `ExecutionError` as is, an `Error` or a string
 * under `defaultCode`, anything else as `UNKNOWN_ERROR`.
 */
export function toExecutionError(
  error: unknown,
  defaultCode: ErrorCode = ErrorCode.UNKNOWN_ERROR,
  nodeId?: string,
  executionId?: string,
): ExecutionError {
  if (isExecutionError(error)) return error;
  if (error instanceof Error) {
    return createExecutionError(defaultCode, error.message, {
      nodeId,
      executionId,
      stack: error.stack,
      cause: (error as Error & { cause?: unknown }).cause,
    });
  }
  if (typeof error === "string") return createExecutionError(defaultCode, error, { nodeId, executionId });
  return createExecutionError(ErrorCode.UNKNOWN_ERROR, "An unknown error occurred", {
    nodeId,
    executionId,
    cause: error,
    context: { originalError: String(error) },
  });
}

/**
 * The TypeScript engine's recovery table, kept as it was, oddities included (CANCELLED is
 * retryable, EXECUTION_FAILED is not).
 */
export function getErrorRecoveryStrategy(code: ErrorCode): ErrorRecoveryStrategy {
  const strategy = RECOVERY_TABLE[code] ?? RECOVERY_TABLE[ErrorCode.UNKNOWN_ERROR];
  return structuredClone(strategy) as ErrorRecoveryStrategy;
}

/** Thrown by conductor methods that fail outright (storage, templates, parsing). */
export class ConductorError extends Error {
  readonly code: ErrorCode;
  /** The kind of failure, from `code`. */
  readonly type: ErrorType;
  /** Whether the same call may succeed if tried again, from `code`. */
  readonly retryable: boolean;
  readonly details: ExecutionError;

  constructor(details: ExecutionError) {
    super(details.message);
    this.name = "ConductorError";
    this.code = details.code;
    this.type = errorTypeOf(details.code);
    this.retryable = isRetryableCode(details.code);
    this.details = { ...details, type: this.type, retryable: this.retryable };
  }
}
