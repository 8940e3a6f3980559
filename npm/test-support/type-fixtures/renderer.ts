// A renderer as the Atomiton app wrote it: progress from the main process, drawn per node.
import {
  conductor,
  createConductor,
  isValidProgressEvent,
  DEFAULT_SLOWMO_MS,
  ErrorCode,
  createExecutionId,
} from "@atomiton/conductor/browser";
import type {
  ConductorConfig,
  ExecutionId,
  FlowSavedEvent,
  NodeCompleteEvent,
  NodeErrorEvent,
  NodeExecutionState,
  NodeProgressEvent,
  ProgressEvent,
  ProgressGraphMetadata,
  ProgressNodeSnapshot,
} from "@atomiton/conductor/browser";

const COLORS: Record<NodeExecutionState, string> = {
  pending: "gray",
  executing: "blue",
  completed: "green",
  error: "red",
  skipped: "lightgray",
};

export function row(node: ProgressNodeSnapshot): string {
  const took = node.duration !== undefined ? ` ${Math.round(node.duration)} ms` : "";
  return `<li style="color:${COLORS[node.state]}">${node.name} (${node.id})${took}${node.error ? `: ${node.error}` : ""}</li>`;
}

export function layers(graph: ProgressGraphMetadata): string {
  return `${graph.executionOrder.length} levels, ${graph.edges.map((edge) => `${edge.from}->${edge.to}`).join(" ")}, weight ${graph.totalWeight} x${graph.maxParallelism}, critical ${graph.criticalPath.join(">")}`;
}

export function onIpc(data: unknown): string {
  if (!isValidProgressEvent(data)) return "";
  const event: ProgressEvent = data;
  return `${event.progress}% ${event.message} [${event.nodeId}] ${event.nodes.map(row).join("")} ${layers(event.graph)}`;
}

// A progress event literal as the TypeScript engine's own tests wrote one.
export const sample: NodeProgressEvent = {
  nodeId: "node-1",
  executionId: "exec-1",
  progress: 75,
  message: "Processing...",
  nodes: [
    {
      id: "node-1",
      name: "Fetch",
      type: "http-request",
      weight: 100,
      dependencies: [],
      dependents: ["node-2"],
      level: 0,
      state: "completed",
      progress: 100,
      startTime: 1,
      endTime: 2,
    },
    {
      id: "node-2",
      name: "Transform",
      type: "transform",
      weight: 50,
      dependencies: ["node-1"],
      dependents: [],
      level: 1,
      state: "error",
      progress: 50,
      error: "Network timeout",
    },
  ],
  graph: {
    executionOrder: [["node-1"], ["node-2"]],
    criticalPath: ["node-1", "node-2"],
    totalWeight: 150,
    maxParallelism: 1,
    edges: [{ from: "node-1", to: "node-2" }],
  },
};
export const asProgress: ProgressEvent = sample;

export const completeSample: NodeCompleteEvent = { nodeId: "n", executionId: "e", result: { success: true, data: 1 } };
export const errorSample: NodeErrorEvent = { nodeId: "n", executionId: "e", error: "boom", code: ErrorCode.EXECUTION_FAILED };
export const savedSample: FlowSavedEvent = { flowId: "f", timestamp: 0 };

let latest: ProgressEvent | undefined;
let latestFull: NodeProgressEvent | undefined;
export const unsubscribe = [
  conductor.node.onProgress((event: ProgressEvent) => {
    latest = event;
  }),
  conductor.node.onProgress((event: NodeProgressEvent) => {
    latestFull = event;
  }),
  conductor.node.onProgress((event) => {
    // What the package passes is a ProgressEvent and a NodeProgressEvent at once.
    latest = event;
    latestFull = event;
  }),
  conductor.node.onComplete((event: NodeCompleteEvent) => void event.result.success),
  conductor.node.onError((event: NodeErrorEvent) => void event.error.length),
  conductor.flow.onProgress((event: ProgressEvent) => void event.nodes.length),
  conductor.storage.onFlowSaved((event: FlowSavedEvent) => void event.flowId),
];
export const seen = () => [latest, latestFull];

const config: ConductorConfig = {};
export const second = createConductor(config);
export const id: ExecutionId = createExecutionId();
export const slowMo: number = DEFAULT_SLOWMO_MS;
