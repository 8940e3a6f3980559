/**
 * The older README's `StateManager`: an event emitter keeping execution states by id (status,
 * node states, variables, checkpoints of the variables). It holds what its caller tells it and
 * runs nothing itself; `trackRuns` feeds it from a conductor's events.
 */
import { EventEmitter } from "node:events";
import type { ExecutionStatus } from "../types/execution.js";

/** A run's or a node's status here: the run statuses, and `"paused"`. */
export type ExecutionStateStatus = ExecutionStatus | "paused";

export type NodeState = {
  nodeId: string;
  status: ExecutionStateStatus;
  /** Set when the node first becomes `"running"`. */
  startTime?: Date;
  /** Set when the node first becomes `"completed"` or `"failed"`. */
  endTime?: Date;
  /** How many errors were recorded for the node (`recordNodeError`). */
  retryCount: number;
  lastError?: string;
};

/** The variables as they were when the checkpoint was made. */
export type Checkpoint = { timestamp: Date; nodeId: string; state: Map<string, unknown> };

export type ExecutionState = {
  executionId: string;
  blueprintId: string;
  status: ExecutionStateStatus;
  startTime: Date;
  endTime?: Date;
  nodeStates: Map<string, NodeState>;
  variables: Map<string, unknown>;
  checkpoints: Checkpoint[];
};

/** Where a `StateManager` keeps its states beyond this process. */
export type StatePersistence = {
  /** Receives a copy of every execution state after changes (once per burst of synchronous changes), and on `persistExecutionStates()`. */
  save(states: ExecutionState[]): void | Promise<void>;
  /** Gives the states `loadExecutionStates()` restores. */
  load(): ExecutionState[] | Promise<ExecutionState[]>;
};

/** The events and what each passes. */
export type StateManagerEvents = {
  "execution:initialized": { executionId: string; blueprintId: string };
  "execution:updated": { executionId: string; updates: Partial<Pick<ExecutionState, "status" | "endTime">> };
  "execution:cleared": { executionId: string };
  "node:updated": { executionId: string; nodeId: string; status: ExecutionStateStatus };
  "node:error": { executionId: string; nodeId: string; error: string };
  "variable:set": { executionId: string; key: string; value: unknown };
  "checkpoint:created": { executionId: string; nodeId: string; checkpointIndex: number };
  "checkpoint:restored": { executionId: string; checkpointIndex: number };
  "state:persisted": { count: number };
  "state:loaded": { count: number };
  /** A `StatePersistence` call threw or rejected. */
  "state:error": { error: unknown };
};

const FINISHED = new Set<ExecutionStateStatus>(["completed", "failed", "cancelled"]);

function copyOf(state: ExecutionState): ExecutionState {
  return {
    ...state,
    nodeStates: new Map([...state.nodeStates].map(([id, node]) => [id, { ...node }])),
    variables: new Map(state.variables),
    checkpoints: state.checkpoints.map((checkpoint) => ({ ...checkpoint, state: new Map(checkpoint.state) })),
  };
}

export class StateManager extends EventEmitter {
  private readonly executions = new Map<string, ExecutionState>();
  private readonly persistence: StatePersistence | undefined;
  private saveScheduled = false;

  /**
   * `persistState`: a `StatePersistence` to save states to and load them from; `true` or
   * `false` keep them in this process only (as the TypeScript engine did: its persistence was never written).
   */
  constructor(persistState: boolean | StatePersistence = false) {
    super();
    this.persistence = typeof persistState === "object" && persistState !== null ? persistState : undefined;
  }

  initializeExecution(executionId: string, blueprintId: string): void {
    this.executions.set(executionId, {
      executionId,
      blueprintId,
      status: "pending",
      startTime: new Date(),
      nodeStates: new Map(),
      variables: new Map(),
      checkpoints: [],
    });
    this.changed("execution:initialized", { executionId, blueprintId });
  }

  /** Sets the given `status` and `endTime` (absent ones are left as they are). */
  updateExecutionState(executionId: string, updates: Partial<Pick<ExecutionState, "status" | "endTime">>): void {
    const state = this.execution(executionId);
    if (updates.status) state.status = updates.status;
    if (updates.endTime) state.endTime = updates.endTime;
    this.changed("execution:updated", { executionId, updates });
  }

  updateNodeState(executionId: string, nodeId: string, status: ExecutionStateStatus): void {
    const execution = this.execution(executionId);
    let node = execution.nodeStates.get(nodeId);
    if (node) node.status = status;
    else execution.nodeStates.set(nodeId, (node = { nodeId, status, retryCount: 0 }));
    if (status === "running") node.startTime ??= new Date();
    else if (status === "completed" || status === "failed") node.endTime ??= new Date();
    this.changed("node:updated", { executionId, nodeId, status });
  }

  /** Records `error` as the node's last error and counts it; a node with no state yet gets none (the event still fires). */
  recordNodeError(executionId: string, nodeId: string, error: string): void {
    const node = this.execution(executionId).nodeStates.get(nodeId);
    if (node) {
      node.lastError = error;
      node.retryCount++;
    }
    this.changed("node:error", { executionId, nodeId, error });
  }

  setVariable(executionId: string, key: string, value: unknown): void {
    this.execution(executionId).variables.set(key, value);
    this.changed("variable:set", { executionId, key, value });
  }

  getVariable(executionId: string, key: string): unknown {
    return this.execution(executionId).variables.get(key);
  }

  /** Keeps a copy of the execution's variables, at `nodeId`. */
  createCheckpoint(executionId: string, nodeId: string): void {
    const execution = this.execution(executionId);
    const checkpointIndex = execution.checkpoints.push({ timestamp: new Date(), nodeId, state: new Map(execution.variables) }) - 1;
    this.changed("checkpoint:created", { executionId, nodeId, checkpointIndex });
  }

  /** Sets the execution's variables back to those of checkpoint `checkpointIndex`. */
  restoreCheckpoint(executionId: string, checkpointIndex: number): void {
    const execution = this.execution(executionId);
    const checkpoint = execution.checkpoints[checkpointIndex];
    if (!checkpoint) throw new Error(`Checkpoint ${checkpointIndex} not found`);
    execution.variables = new Map(checkpoint.state);
    this.changed("checkpoint:restored", { executionId, checkpointIndex });
  }

  /** The execution's state itself (later changes show in it), or undefined. */
  getExecutionState(executionId: string): ExecutionState | undefined {
    return this.executions.get(executionId);
  }

  /** Executions that are running or paused. */
  getActiveExecutions(): ExecutionState[] {
    return [...this.executions.values()].filter((state) => state.status === "running" || state.status === "paused");
  }

  clearExecutionState(executionId: string): void {
    this.executions.delete(executionId);
    this.changed("execution:cleared", { executionId });
  }

  /** Forgets completed, failed and cancelled executions; returns how many. */
  clearCompletedExecutions(): number {
    let cleared = 0;
    for (const [executionId, state] of this.executions) {
      if (!FINISHED.has(state.status)) continue;
      this.executions.delete(executionId);
      cleared++;
      this.changed("execution:cleared", { executionId });
    }
    return cleared;
  }

  /** Saves every state now through the `StatePersistence` (nothing without one). */
  async persistExecutionStates(): Promise<void> {
    this.saveScheduled = false;
    if (!this.persistence) return;
    const states = [...this.executions.values()].map(copyOf);
    try {
      await this.persistence.save(states);
      this.emit("state:persisted", { count: states.length });
    } catch (error) {
      this.emit("state:error", { error });
    }
  }

  /** Adds the states the `StatePersistence` gives (replacing those with the same id); without one, none. */
  async loadExecutionStates(): Promise<void> {
    let loaded: ExecutionState[] = [];
    try {
      loaded = (await this.persistence?.load()) ?? [];
    } catch (error) {
      this.emit("state:error", { error });
      return;
    }
    for (const state of loaded) this.executions.set(state.executionId, copyOf(state));
    this.emit("state:loaded", { count: loaded.length });
  }

  /** Removes every listener; a save still pending is made. */
  shutdown(): void {
    if (this.saveScheduled) void this.persistExecutionStates();
    this.removeAllListeners();
  }

  private execution(executionId: string): ExecutionState {
    const state = this.executions.get(executionId);
    if (!state) throw new Error(`Execution ${executionId} not found`);
    return state;
  }

  private changed<K extends keyof StateManagerEvents>(event: K, payload: StateManagerEvents[K]): void {
    this.emit(event, payload);
    if (!this.persistence || this.saveScheduled) return;
    this.saveScheduled = true;
    queueMicrotask(() => {
      if (this.saveScheduled) void this.persistExecutionStates();
    });
  }
}
