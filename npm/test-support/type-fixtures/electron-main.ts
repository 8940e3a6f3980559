// An Electron main process as the Atomiton app wrote it: the desktop conductor's graph state
// becomes a ProgressEvent sent to the renderer over IPC.
import { createConductor } from "@atomiton/conductor/desktop";
import type {
  CompletedHandler,
  ConductorEventEmitter,
  ConductorExecutionContext,
  DesktopConductor,
  ErrorHandler,
  ExecutionGraphNode,
  ExecutionGraphState,
  ExecutionGraphStore,
  ExecutionResult,
  NodeExecutionState,
  NodeExecutorFactory,
  ProgressEvent,
  ProgressHandler,
  ProgressNodeSnapshot,
  StartedHandler,
  Unsubscribe,
} from "@atomiton/conductor/desktop";

type WebContents = { send(channel: string, ...args: unknown[]): void };
declare const webContents: WebContents;

/** The app's own registry of executables, typed as @atomiton/nodes typed them. */
declare function getNodeExecutable(type: string): { execute(params: unknown): Promise<unknown> } | undefined;

const nodeExecutorFactory: NodeExecutorFactory = { getNodeExecutable: (type) => getNodeExecutable(type) };
const conductor: DesktopConductor = createConductor({
  nodeExecutorFactory,
  maxRetries: 3,
  retryDelay: 1000,
  timeout: 5000,
  logLevel: "debug",
});

function toSnapshot(node: ExecutionGraphNode): ProgressNodeSnapshot {
  return {
    id: node.id,
    name: node.name,
    state: node.state,
    duration: node.startTime !== undefined && node.endTime !== undefined ? node.endTime - node.startTime : undefined,
    error: node.error,
  };
}

function messageOf(state: ExecutionGraphState): string {
  const executing = Array.from(state.nodes.values()).filter((node) => node.state === "executing");
  if (executing.length > 0) return `Executing: ${executing.map((node) => node.name).join(", ")}`;
  return state.cachedProgress === 100 ? "All nodes completed" : "Waiting to start...";
}

export function toProgressEvent(state: ExecutionGraphState): ProgressEvent {
  const nodes = Array.from(state.nodes.values());
  return {
    nodeId: nodes.find((node) => node.state === "executing")?.id ?? "",
    nodes: nodes.map(toSnapshot),
    progress: state.cachedProgress,
    message: messageOf(state),
    graph: {
      executionOrder: state.executionOrder,
      criticalPath: state.criticalPath,
      totalWeight: state.totalWeight,
      maxParallelism: state.maxParallelism,
      edges: state.edges,
    },
  };
}

// The TypeScript engine's store shape, written by hand (e.g. in the app's own tests).
export const idle: ExecutionGraphState = {
  nodes: new Map<string, ExecutionGraphNode>([
    ["a", { id: "a", name: "A", type: "transform", weight: 50, dependencies: [], dependents: [], level: 0, state: "pending", progress: 0 }],
  ]),
  edges: [],
  executionOrder: [["a"]],
  criticalPath: ["a"],
  totalWeight: 50,
  maxParallelism: 1,
  isExecuting: false,
  startTime: null,
  endTime: null,
  cachedProgress: 0,
};

const forward: ProgressHandler = (state) => webContents.send("conductor:progress", toProgressEvent(state));
const started: StartedHandler = ({ executionId, nodeId }) => webContents.send("conductor:started", { executionId, nodeId });
const completed: CompletedHandler = ({ executionId, result }) =>
  webContents.send("conductor:completed", { executionId, success: result.success });
const failed: ErrorHandler = ({ executionId, error }) => webContents.send("conductor:error", { executionId, message: error.message });

const events: ConductorEventEmitter = conductor.events;
const subscriptions: Unsubscribe[] = [
  events.onProgress(forward),
  events.onStarted(started),
  events.onCompleted(completed),
  events.onError(failed),
];
export const dispose = () => {
  for (const unsubscribe of subscriptions) unsubscribe();
};

const store: ExecutionGraphStore = conductor.node.store;
export const latest: ExecutionGraphState | null = store.getState();
store.subscribe((state: ExecutionGraphState) => forward(state));

export const stateLabels: Record<NodeExecutionState, string> = {
  pending: "Pending",
  executing: "Running",
  completed: "Done",
  error: "Failed",
  skipped: "Skipped",
};

export async function execute(
  node: Parameters<DesktopConductor["node"]["run"]>[0],
  context?: Partial<ConductorExecutionContext>,
): Promise<ExecutionResult> {
  const result = await conductor.node.run(node, context);
  const duration: number | undefined = result.duration;
  return duration === undefined ? result : { ...result, duration };
}
