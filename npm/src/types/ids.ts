/** Branded `ExecutionId` / `NodeId` strings and their helpers, as the TypeScript engine exported them. */

import { ConductorError, createExecutionError, ErrorCode } from "./errors.js";

declare const executionIdBrand: unique symbol;
declare const nodeIdBrand: unique symbol;

/** A run's id (`exec_<uuid>`). */
export type ExecutionId = string & { readonly [executionIdBrand]: true };
/** A node's id. */
export type NodeId = string & { readonly [nodeIdBrand]: true };

function uuid(): string {
  return globalThis.crypto.randomUUID();
}

/** `exec_<uuid v4>`, as `generateExecutionId`. */
export function generateExecutionId(): string {
  return `exec_${uuid()}`;
}

/** `node_<uuid v4>`, as `generateNodeId`. */
export function generateNodeId(): string {
  return `node_${uuid()}`;
}

export function toExecutionId(id: string): ExecutionId {
  if (!id || typeof id !== "string") throw invalid("Invalid execution ID: must be a non-empty string");
  return id as ExecutionId;
}

export function toNodeId(id: string): NodeId {
  if (!id || typeof id !== "string") throw invalid("Invalid node ID: must be a non-empty string");
  return id as NodeId;
}

/** The given id, or a fresh `exec_<uuid>`. */
export function createExecutionId(id?: string): ExecutionId {
  return id ? toExecutionId(id) : (generateExecutionId() as ExecutionId);
}

/** The given id, or a fresh `node_<uuid>`. */
export function createNodeId(id?: string): NodeId {
  return id ? toNodeId(id) : (generateNodeId() as NodeId);
}

export function isExecutionId(value: unknown): value is ExecutionId {
  return typeof value === "string" && value.length > 0;
}

export function isNodeId(value: unknown): value is NodeId {
  return typeof value === "string" && value.length > 0;
}

export function executionIdToString(id: ExecutionId): string {
  return id;
}

export function nodeIdToString(id: NodeId): string {
  return id;
}

export function toNodeIds(ids: string[]): NodeId[] {
  return ids.map(toNodeId);
}

export function nodeIdsToStrings(ids: NodeId[]): string[] {
  return ids.map(nodeIdToString);
}

/** A malformed id: an `Error` as before, now with the code `VALIDATION_FAILED`. */
function invalid(message: string): ConductorError {
  return new ConductorError(createExecutionError(ErrorCode.VALIDATION_FAILED, message));
}
