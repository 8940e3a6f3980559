/**
 * Values arriving over a transport → the engine's wire shapes. Through JSON (HTTP, WebSocket)
 * an error's `timestamp` arrives as an ISO string, through Electron IPC as a `Date`; the wire
 * shapes carry epoch milliseconds, which `hydrate.ts` turns into `Date`s like every engine's.
 */
import { ErrorCode } from "../../types/errors.js";
import { failedResult, type WireRunOptions } from "../../conductor/engine.js";
import type { Outcome, WireError, WireResult } from "../../types/wire.js";
import type { NodeDefinition } from "../../types/definition.js";
import { CLIENT_CONTEXT_KEYS } from "../../conductor/run-options.js";

const CODES = new Set<string>(Object.values(ErrorCode));

/** Epoch ms of a `Date`, ISO string or number; `undefined` when there is none. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Date || typeof value === "string") {
    const ms = new Date(value).getTime();
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** An error as received (any timestamp form) as a `WireError`. */
export function toWireError(error: Record<string, unknown>): WireError {
  return { ...(error as unknown as WireError), timestamp: epochMs(error.timestamp) };
}

/** The server's answer to `node.execute` as a `WireResult`. */
export function toWireResult(value: unknown): WireResult {
  if (typeof value !== "object" || value === null) throw new Error("The server answered execute without a result");
  const result = value as WireResult;
  if (result.error) result.error = toWireError(result.error as unknown as Record<string, unknown>);
  return result;
}

/**
 * A rejected call as a `WireError`: the server's message, and its code when it sent an
 * `ErrorCode`; otherwise the call itself failed on the way (`TRANSPORT_ERROR`).
 */
export function callFailure(thrown: unknown): WireError {
  const failure = thrown as { message?: unknown; code?: unknown } | null;
  return {
    code: typeof failure?.code === "string" && CODES.has(failure.code) ? (failure.code as ErrorCode) : ErrorCode.TRANSPORT_ERROR,
    message: typeof failure?.message === "string" ? failure.message : String(thrown),
    timestamp: Date.now(),
  };
}

/** The outcome of a call whose answer `shape` turns into the engine's value. */
export async function attempt<T>(call: Promise<unknown>, shape: (answer: unknown) => T): Promise<Outcome<T>> {
  try {
    return { ok: true, value: shape(await call) };
  } catch (thrown) {
    return { ok: false, error: callFailure(thrown) };
  }
}

/** The execution context a run sends with `node:execute` (the fields the `node` channel takes). */
export function executionContext(flow: NodeDefinition, options: WireRunOptions): Record<string, unknown> {
  // The keys a server takes from a client, and no other (a server refuses a key it does not
  // know; it grants permissions itself, and the remote engine refuses them first). Absent
  // fields are left out; the values themselves keep whatever they hold. The run's `telemetry`
  // is among them: the server's spans of this run join its trace.
  const given: Record<string, unknown> = { ...options, nodeId: flow?.id, variables: options.variables ?? {} };
  const context: Record<string, unknown> = {};
  for (const key of CLIENT_CONTEXT_KEYS) if (given[key] !== undefined) context[key] = given[key];
  return context;
}

/** A run that failed before an answer came back. */
export function failedRun(flow: NodeDefinition, options: WireRunOptions, thrown: unknown): WireResult {
  return failedResult({
    ...callFailure(thrown),
    nodeId: typeof flow?.id === "string" ? flow.id : undefined,
    executionId: options.executionId,
  });
}
