// The /types entry: error helpers, branded ids and the execution shapes, as app code builds them.
import {
  ErrorCode,
  createExecutionError,
  createExecutionId,
  createNodeId,
  getErrorRecoveryStrategy,
  isExecutionError,
  toExecutionError,
  toNodeIds,
} from "@atomiton/conductor/types";
import type {
  ConductorExecutionContext,
  ConductorTransport,
  ErrorRecoveryStrategy,
  ExecutionError,
  ExecutionId,
  ExecutionResult,
  ExecutionStatus,
  ExecutionTrace,
  ExecutionTraceEvent,
  HealthResult,
  NodeExecutionTrace,
  NodeExecutorFactory,
  NodeId,
  TransportConfig,
} from "@atomiton/conductor/types";

const executionId: ExecutionId = createExecutionId();
const nodeId: NodeId = createNodeId("root");

export const context: ConductorExecutionContext = {
  nodeId,
  executionId,
  variables: {},
  input: { default: 5 },
  slowMo: 0,
  debug: { simulateError: { nodeId: "random", errorType: "network", message: "down", delayMs: 10 } },
};

const event: ExecutionTraceEvent = { timestamp: 0, type: "state-change", data: { nodeId: "root", state: "completed" } };
const nodeTrace: NodeExecutionTrace = {
  nodeId: "root",
  nodeName: "Root",
  nodeType: "transform",
  startTime: 0,
  endTime: 1,
  duration: 1,
  state: "completed",
  progress: 100,
  events: [event],
};
const trace: ExecutionTrace = { executionId, rootNodeId: nodeId, startTime: 0, config: {}, events: [event], nodes: [nodeTrace] };

const recovery: ErrorRecoveryStrategy = getErrorRecoveryStrategy(ErrorCode.TIMEOUT);
export const error: ExecutionError = { code: ErrorCode.TIMEOUT, message: "late", nodeId: "root", timestamp: new Date(), recovery };
export const made: ExecutionError = createExecutionError(ErrorCode.EXECUTION_FAILED, "boom", { nodeId: "root" });
export const converted: ExecutionError | false = isExecutionError(made) && toExecutionError(new Error("x"), ErrorCode.EXECUTION_FAILED);

export const result: ExecutionResult<number> = {
  success: true,
  data: 400,
  duration: 3,
  executedNodes: toNodeIds(["root"]),
  context,
  trace,
};
export const status: ExecutionStatus = "cancelled";

export const transport: ConductorTransport = {
  async execute(): Promise<ExecutionResult> {
    return { success: false, error, duration: 0, executedNodes: [] };
  },
  async health(): Promise<HealthResult> {
    return { status: "ok", timestamp: Date.now(), message: "fine" };
  },
};
export const transportConfig: TransportConfig = { type: "rpc", endpoint: "ipc://conductor", timeout: 1000, retries: 2 };
export const factory: NodeExecutorFactory = {
  getNodeExecutable: (type) => (type === "double" ? { execute: async (params: unknown) => params } : undefined),
};
