/**
 * `node.store`: the state of the run this conductor started last — each node's state, progress
 * and times, the graph's levels, edges and critical path — as the TypeScript engine this package
 * replaces kept it.
 *
 * The state is there from the start of a run whether or not anyone subscribed: a local engine
 * keeps it in Rust, updated at each change, and `getState()` reads it when asked (a run nobody
 * looks at pays no snapshot). Subscribers see every change: while there are any, runs report
 * each change of a node as it happens (`stateEvents`), unthrottled; only progress events are
 * throttled. An engine that cannot be read on demand (a remote one, a Web Worker) feeds the
 * store from its runs' progress snapshots, which it then always asks for.
 */
import type { RunGraphState, RunProgressEvent } from "../types/progress.js";
import type { EngineAdapter } from "./engine.js";
import type { WireEvent } from "../types/wire.js";
import { toGraphState } from "./progress.js";
import { decoded } from "./decoded.js";

/** Called with the new state and the one before it, at every change. */
export type StoreListener = (state: RunGraphState, previous: RunGraphState) => void;

/** The state before any run, and after `reset()`. */
function initialState(): RunGraphState {
  return {
    nodes: new Map(),
    edges: [],
    executionOrder: [],
    criticalPath: [],
    totalWeight: 0,
    maxParallelism: 1,
    isExecuting: false,
    startTime: null,
    endTime: null,
    cachedProgress: 0,
    executionId: "",
  };
}

export class GraphStore {
  private state = initialState();
  private readonly listeners = new Set<StoreListener>();
  /** The run the store follows: the one this conductor started last. */
  private following: string | undefined;
  /** A run `reset()` let go of: its state is not read again. */
  private forgotten: string | undefined;
  private lastTrace: (() => unknown) | undefined;
  /** The followed run was started with nobody subscribed: it reports no change of a node. */
  private silent = false;

  constructor(private readonly engine: EngineAdapter) {}

  /** Whether runs should report every change of a node (someone subscribed). */
  get wantsChanges(): boolean {
    return this.listeners.size > 0;
  }

  /** Whether runs should send progress snapshots for the store. */
  get wantsSnapshots(): boolean {
    return this.listeners.size > 0 || !this.readable();
  }

  /** Whether the engine's state of a run can be read when asked. */
  private readable(): boolean {
    return typeof this.engine.runState === "function";
  }

  /** A run of this conductor starts: the store follows it from now on. */
  started(executionId: string): void {
    this.following = executionId;
    this.silent = !this.wantsChanges;
  }

  /** A run of this conductor ended; `trace` reads its trace (`getTrace()`). */
  ended(executionId: string, trace: () => unknown): void {
    if (executionId !== this.following) return;
    this.lastTrace = trace;
    // Subscribed to after it started, the run told nobody of its changes: they learn its end.
    if (this.silent && this.listeners.size > 0) {
      const viewed = this.read();
      if (viewed) this.replace(viewed);
    }
  }

  /** Applies the engine's events to the state, when subscribers or an unreadable engine need them. */
  apply(event: WireEvent): void {
    if (event.type !== "progress" && event.type !== "nodeChanged") return;
    if (!this.wantsSnapshots || event.executionId !== this.following || event.executionId === this.forgotten) return;
    if (event.type === "progress") {
      this.replace(toGraphState(event as unknown as RunProgressEvent));
    } else {
      if (this.state.executionId !== event.executionId) {
        // A change before any snapshot of this run reached the store: read the whole state.
        const viewed = this.read();
        if (viewed) this.replace(viewed);
        return;
      }
      const nodes = new Map(this.state.nodes);
      nodes.set(event.node.id, event.node);
      this.replace({ ...this.state, nodes, cachedProgress: event.cachedProgress });
    }
  }

  getState(): RunGraphState {
    // Read while nobody subscribed (no events keep the state), and while the state is not yet
    // of the followed run: one started before anyone subscribed sends no events to catch up by.
    if (this.listeners.size === 0 || this.behind()) {
      const viewed = this.read();
      if (viewed) this.state = viewed;
    }
    return this.state;
  }

  subscribe(listener: StoreListener): () => void {
    // The first subscriber starts from the engine's state of the followed run, not from what
    // the store last showed.
    if (this.listeners.size === 0 && this.behind()) {
      const viewed = this.read();
      if (viewed) this.state = viewed;
    }
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Whether the state is not yet of the run the store follows. */
  private behind(): boolean {
    return this.following !== undefined && this.state.executionId !== this.following;
  }

  /** Back to the state before any run; the run it showed is not shown again. */
  reset(): void {
    this.forgotten = this.read()?.executionId ?? this.state.executionId;
    this.lastTrace = undefined;
    this.replace(initialState());
  }

  /** The trace of the last run the store followed, once it ended; `null` before. */
  getTrace(): unknown {
    return this.lastTrace?.() ?? null;
  }

  /**
   * The engine's state of the run it started last: `null` when there is none (or `reset()` let
   * go of it), `undefined` when the engine cannot be read on demand.
   */
  private read(): RunGraphState | null | undefined {
    const text = this.engine.runState?.();
    if (typeof text !== "string") return text;
    // The engine writes it in the shape of a progress snapshot.
    const viewed = decoded(text);
    return viewed.executionId === this.forgotten ? null : toGraphState(viewed);
  }

  private replace(state: RunGraphState): void {
    const previous = this.state;
    this.state = state;
    for (const listener of [...this.listeners]) {
      try {
        listener(state, previous);
      } catch (error) {
        console.error("[@atomiton/conductor] a store listener threw:", error);
      }
    }
  }
}
