/**
 * Failures the protocol server itself decides (who may call, how often, how much), with their
 * `ErrorCode` and the HTTP status that goes with it. Handler failures keep their own code and
 * answer 500, as before.
 */
import { ErrorCode } from "../types/errors.js";

/** A refusal with a code, and for HTTP a status and extra headers. */
export class ServerError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    /** Extra fields of the answer (`reason` of an authentication failure, `retryAfterMs`). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ServerError";
  }
}

/** Why a request carries no valid credentials. */
export type AuthFailure = "missing" | "invalid" | "expired" | "revoked";

const AUTH_MESSAGES: Record<AuthFailure, string> = {
  missing: "Authentication required",
  invalid: "Invalid token",
  expired: "Session expired",
  revoked: "Session ended (logged out or revoked)",
};

/** 401 `AUTHENTICATION_FAILED`, saying why (`reason`), so a client can tell expiry from a bad token. */
export function authenticationFailed(reason: AuthFailure): ServerError {
  return new ServerError(ErrorCode.AUTHENTICATION_FAILED, AUTH_MESSAGES[reason], 401, { reason });
}

/** 403 `PERMISSION_DENIED`. */
export function permissionDenied(message: string): ServerError {
  return new ServerError(ErrorCode.PERMISSION_DENIED, message, 403);
}

/** 429 `RATE_LIMIT_EXCEEDED`, with when to try again. */
/** The `Retry-After` header (whole seconds, at least 1) of a refusal to come back in `retryAfterMs`. */
export function retryAfterHeader(retryAfterMs: number): string {
  return String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

export function rateLimited(message: string, retryAfterMs: number): ServerError {
  return new ServerError(ErrorCode.RATE_LIMIT_EXCEEDED, message, 429, { retryAfterMs: Math.max(0, Math.ceil(retryAfterMs)) });
}

/** 413 for a flow over the size limit (the body as a whole has its own 413). */
export function flowTooLarge(limit: number): ServerError {
  return new ServerError(ErrorCode.MEMORY_LIMIT_EXCEEDED, `Flow larger than ${limit} bytes, the limit for this server`, 413);
}

/** What is told about a failure: its message, and its code, HTTP status and details when it has them. */
export type FailureFields = { error: string; code?: string; status?: number; reason?: string; retryAfterMs?: number };

/** The fields of a thrown failure (a `ServerError`, a `ConductorError`, anything). */
export function describeFailure(thrown: unknown): FailureFields {
  const failure = thrown as {
    message?: unknown;
    code?: unknown;
    status?: unknown;
    details?: { reason?: unknown; retryAfterMs?: unknown };
  } | null;
  const fields: FailureFields = { error: typeof failure?.message === "string" ? failure.message : String(thrown) };
  if (typeof failure?.code === "string") fields.code = failure.code;
  if (failure instanceof ServerError) fields.status = failure.status;
  if (typeof failure?.details?.reason === "string") fields.reason = failure.details.reason;
  if (typeof failure?.details?.retryAfterMs === "number") fields.retryAfterMs = failure.details.retryAfterMs;
  return fields;
}
