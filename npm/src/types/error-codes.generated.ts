// Generated from the Rust engine by scripts/generate-ts.sh. Do not edit.

/**
 * The error codes; every value equals its name. The TypeScript engine's 22, then two for access
 * control on a protocol server and two for files.
 */
export enum ErrorCode {
  /**
   * The flow as a whole is not acceptable (limits, malformed structure).
   */
  VALIDATION_FAILED = "VALIDATION_FAILED",
  /**
   * A node's parameters break its type's schema.
   */
  INVALID_PARAMETERS = "INVALID_PARAMETERS",
  /**
   * A node definition lacks an id or a type.
   */
  INVALID_NODE = "INVALID_NODE",
  /**
   * A required field is absent.
   */
  MISSING_REQUIRED_FIELD = "MISSING_REQUIRED_FIELD",
  /**
   * A value has the wrong type.
   */
  TYPE_MISMATCH = "TYPE_MISMATCH",
  /**
   * A node's logic failed.
   */
  EXECUTION_FAILED = "EXECUTION_FAILED",
  /**
   * A referenced node does not exist (e.g. an edge endpoint).
   */
  NODE_NOT_FOUND = "NODE_NOT_FOUND",
  /**
   * No executable is registered for a node type.
   */
  NODE_TYPE_NOT_FOUND = "NODE_TYPE_NOT_FOUND",
  /**
   * The node type exists but this environment cannot run it (e.g. `file-system` in a browser).
   */
  IMPLEMENTATION_NOT_FOUND = "IMPLEMENTATION_NOT_FOUND",
  /**
   * The graph contains a cycle.
   */
  CIRCULAR_DEPENDENCY = "CIRCULAR_DEPENDENCY",
  /**
   * No executor factory was configured.
   */
  NO_EXECUTOR_FACTORY = "NO_EXECUTOR_FACTORY",
  /**
   * A node attempt or the whole run exceeded its time limit.
   */
  TIMEOUT = "TIMEOUT",
  /**
   * The run was cancelled.
   */
  CANCELLED = "CANCELLED",
  /**
   * A size limit (response size, string size, ...) was exceeded.
   */
  MEMORY_LIMIT_EXCEEDED = "MEMORY_LIMIT_EXCEEDED",
  /**
   * A remote service rate-limited the request.
   */
  RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED",
  /**
   * A network or transport failure.
   */
  TRANSPORT_ERROR = "TRANSPORT_ERROR",
  /**
   * No transport is available.
   */
  NO_TRANSPORT = "NO_TRANSPORT",
  /**
   * IPC between processes failed.
   */
  IPC_COMMUNICATION_FAILED = "IPC_COMMUNICATION_FAILED",
  /**
   * A value could not be serialised.
   */
  SERIALIZATION_FAILED = "SERIALIZATION_FAILED",
  /**
   * Input could not be parsed.
   */
  DESERIALIZATION_FAILED = "DESERIALIZATION_FAILED",
  /**
   * A bug in the engine (e.g. a caught panic).
   */
  INTERNAL_ERROR = "INTERNAL_ERROR",
  /**
   * Anything else.
   */
  UNKNOWN_ERROR = "UNKNOWN_ERROR",
  /**
   * The run or the caller is not allowed to do this (a node needing a capability the run was
   * not granted, a path outside its roots, a host not listed, a command not granted).
   */
  PERMISSION_DENIED = "PERMISSION_DENIED",
  /**
   * A protocol server call without valid credentials (none, unknown, expired or revoked
   * token; a failed login).
   */
  AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED",
  /**
   * A file, directory or program the flow names does not exist.
   */
  FILE_NOT_FOUND = "FILE_NOT_FOUND",
  /**
   * A file the node would create exists, and the node was told not to replace it
   * (`overwrite: false`).
   */
  FILE_EXISTS = "FILE_EXISTS",
  /**
   * The run waits at a `wait` node (for a signal, an approval or a time): it is parked in its
   * history store, and goes on when it is woken. The error's `context` says what it waits for.
   */
  WAITING = "WAITING",
  /**
   * A durable run stopped while nodes with effects were running (they may have had them), and
   * resumes only once the caller decides, for each, to run it again (`rerun`) or to give its
   * output (`skip`). The error's `context.nodes` lists them (`[{nodeId, nodeType}]`).
   */
  DECISION_REQUIRED = "DECISION_REQUIRED",
  /**
   * A node names a credential no one has set (`credentials.set` or `atomiton credentials set`).
   */
  CREDENTIAL_NOT_FOUND = "CREDENTIAL_NOT_FOUND",
  /**
   * The credentials cannot be read or written: no key was given (`ATOMITON_CREDENTIALS_KEY`
   * or a key file), the key file may be read by others, or the key is not the one they were
   * written with.
   */
  CREDENTIALS_LOCKED = "CREDENTIALS_LOCKED",
}

/**
 * Who can fix a failure: the flow or its input (`validation`), something named that is not
 * there (`not-found`) or already is (`conflict`), what the run or caller may not do
 * (`permission`), the network, a time or size limit, a cancellation, a node's own work
 * (`execution`), or the engine itself (`internal`).
 */
export type ErrorType = "validation" | "execution" | "timeout" | "cancelled" | "limit" | "network" | "internal" | "permission" | "not-found" | "conflict" | "waiting" | "decision";

/** Each code's `ErrorType`. */
export const ERROR_TYPES: Readonly<Record<ErrorCode, ErrorType>> = {
  VALIDATION_FAILED: "validation",
  INVALID_PARAMETERS: "validation",
  INVALID_NODE: "validation",
  MISSING_REQUIRED_FIELD: "validation",
  TYPE_MISMATCH: "validation",
  EXECUTION_FAILED: "execution",
  NODE_NOT_FOUND: "validation",
  NODE_TYPE_NOT_FOUND: "validation",
  IMPLEMENTATION_NOT_FOUND: "validation",
  CIRCULAR_DEPENDENCY: "validation",
  NO_EXECUTOR_FACTORY: "validation",
  TIMEOUT: "timeout",
  CANCELLED: "cancelled",
  MEMORY_LIMIT_EXCEEDED: "limit",
  RATE_LIMIT_EXCEEDED: "network",
  TRANSPORT_ERROR: "network",
  NO_TRANSPORT: "network",
  IPC_COMMUNICATION_FAILED: "network",
  SERIALIZATION_FAILED: "validation",
  DESERIALIZATION_FAILED: "validation",
  INTERNAL_ERROR: "internal",
  UNKNOWN_ERROR: "internal",
  PERMISSION_DENIED: "permission",
  AUTHENTICATION_FAILED: "permission",
  FILE_NOT_FOUND: "not-found",
  FILE_EXISTS: "conflict",
  WAITING: "waiting",
  DECISION_REQUIRED: "decision",
  CREDENTIAL_NOT_FOUND: "not-found",
  CREDENTIALS_LOCKED: "permission",
};
