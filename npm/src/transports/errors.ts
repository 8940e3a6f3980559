/** Turning a failure the server reported into the `Error` a call rejects with. */
import type { RemoteCallError } from "../types/channel-transport.js";

/**
 * `Error(error)` for a string, `Error(JSON.stringify(error))` otherwise — the TypeScript engine's rule —
 * with the server's `code` attached when it sent one, so callers can tell failures apart.
 */
export function remoteError(error: unknown, code?: unknown, reason?: unknown): RemoteCallError {
  const failure: RemoteCallError = new Error(typeof error === "string" ? error : JSON.stringify(error));
  if (typeof code === "string") failure.code = code;
  if (typeof reason === "string") failure.reason = reason;
  return failure;
}
