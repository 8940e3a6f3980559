/**
 * `@atomiton/conductor/types`: error codes and helpers, branded ids, and every public type.
 * Pure JavaScript (no engine), so it is safe to import anywhere.
 */
export {
  ErrorCode,
  ConductorError,
  createExecutionError,
  isExecutionError,
  toExecutionError,
  getErrorRecoveryStrategy,
  errorTypeOf,
  isRetryableCode,
} from "./errors.js";
export type { ExecutionError, ErrorRecoveryStrategy, ErrorType } from "./errors.js";
export {
  createExecutionId,
  toExecutionId,
  createNodeId,
  toNodeId,
  isExecutionId,
  isNodeId,
  executionIdToString,
  nodeIdToString,
  toNodeIds,
  nodeIdsToStrings,
} from "./ids.js";
export type { ExecutionId, NodeId } from "./ids.js";
export type * from "./definition.js";
export type * from "./execution.js";
export type * from "./progress.js";
export type * from "./storage.js";
export type * from "./history.js";
