/**
 * Unit tests of `node.store` (the graph store): the state of the run this conductor started last,
 * read from the engine when asked or fed from the run's events (progress snapshots and node
 * changes), every change told to subscribers with the state before it, `reset`, `getTrace`, and
 * what it asks runs for (`wantsChanges`, `wantsSnapshots`). The engine is an in-test stand-in:
 * its `runState` is the JSON of a snapshot the test sets (a local engine's state kept in Rust),
 * or absent (an engine that cannot be read on demand: a remote one, a Web Worker); the events are
 * the ones the test hands `apply`, as the conductor routes them. The store itself is the real one.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { ProgressNode, RunGraphState, RunProgressEvent } from "../types/progress.js";
import type { WireEvent } from "../types/wire.js";
import type { EngineAdapter } from "./engine.js";
import { GraphStore } from "./graph-store.js";

const INITIAL: RunGraphState = {
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

function node(id: string, state: ProgressNode["state"], progress = 0): ProgressNode {
  return { id, name: id, type: "transform", weight: 1, dependencies: [], dependents: [], level: 0, state, progress, depth: 0 };
}

/** A run's progress snapshot, as an engine writes it, with nodes `x` and `y` in `states`. */
function snapshot(executionId: string, progress: number, states: [ProgressNode["state"], ProgressNode["state"]]): RunProgressEvent {
  return {
    nodeId: "flow",
    executionId,
    progress,
    message: `${progress}%`,
    nodes: [node("x", states[0]), node("y", states[1])],
    graph: {
      executionOrder: [["x"], ["y"]],
      criticalPath: ["x", "y"],
      totalWeight: 2,
      maxParallelism: 1,
      edges: [{ from: "x", to: "y" }],
    },
    isExecuting: progress < 100,
    startTime: 1000,
    ...(progress < 100 ? {} : { endTime: 2000 }),
  };
}

const progressEvent = (of: RunProgressEvent): WireEvent => ({ type: "progress", ...of });
const changed = (executionId: string, changedNode: ProgressNode, cachedProgress: number): WireEvent => ({
  type: "nodeChanged",
  executionId,
  node: changedNode,
  cachedProgress,
});

/** The state `of` shows, as the store gives it. */
function stateOf(of: RunProgressEvent): RunGraphState {
  return {
    nodes: new Map(of.nodes.map((n) => [n.id, n])),
    edges: of.graph.edges,
    executionOrder: of.graph.executionOrder,
    criticalPath: of.graph.criticalPath,
    totalWeight: of.graph.totalWeight,
    maxParallelism: of.graph.maxParallelism,
    isExecuting: of.isExecuting,
    startTime: of.startTime,
    endTime: of.endTime ?? null,
    cachedProgress: of.progress,
    executionId: of.executionId,
  };
}

/**
 * An engine whose state of its last run can be read (`runState`): `current` is that run's
 * snapshot (`null`: no run yet; `undefined`: it answers nothing), and `reads` counts the reads.
 */
function readableEngine(current: RunProgressEvent | null | undefined = null) {
  const it = {
    current: current as RunProgressEvent | null | undefined,
    reads: 0,
    engine: {
      runState() {
        it.reads++;
        return it.current === null || it.current === undefined ? it.current : JSON.stringify(it.current);
      },
    } as unknown as EngineAdapter,
  };
  return it;
}

/** An engine that cannot be read on demand (a remote one): it has no `runState`. */
const unreadableEngine = () => ({ kind: "remote" }) as unknown as EngineAdapter;

/** A listener that records each call. */
function recorder() {
  const calls: Array<[RunGraphState, RunGraphState]> = [];
  return { calls, listener: (state: RunGraphState, previous: RunGraphState) => void calls.push([state, previous]) };
}

test("before any run the state is the empty one and there is no trace", () => {
  for (const engine of [unreadableEngine(), readableEngine(null).engine]) {
    const store = new GraphStore(engine);
    assert.deepEqual(store.getState(), INITIAL);
    assert.equal(store.getTrace(), null);
  }
});

test("with nobody subscribed, a readable engine's state is there from the start of the run, read when asked; events are neither asked for nor applied", () => {
  const engine = readableEngine();
  const store = new GraphStore(engine.engine);
  assert.equal(store.wantsChanges, false);
  assert.equal(store.wantsSnapshots, false, "a run nobody looks at pays no snapshot");
  store.started("a");
  engine.current = snapshot("a", 0, ["executing", "pending"]);
  store.apply(progressEvent(snapshot("a", 50, ["completed", "executing"])));
  store.apply(changed("a", node("y", "completed"), 100));
  assert.equal(engine.reads, 0, "events read nothing");
  assert.deepEqual(store.getState(), stateOf(snapshot("a", 0, ["executing", "pending"])), "the engine's state, not the events'");
  engine.current = snapshot("a", 50, ["completed", "executing"]);
  assert.deepEqual(store.getState(), stateOf(snapshot("a", 50, ["completed", "executing"])), "read again when asked");
  assert.equal(engine.reads, 2);
  engine.current = undefined;
  assert.deepEqual(
    store.getState(),
    stateOf(snapshot("a", 50, ["completed", "executing"])),
    "an engine that answers nothing changes nothing",
  );
});

test("an engine that cannot be read on demand always asks for snapshots, and the store is fed from them with nobody subscribed", () => {
  const store = new GraphStore(unreadableEngine());
  assert.equal(store.wantsSnapshots, true);
  assert.equal(store.wantsChanges, false, "only subscribers ask for every change");
  store.started("a");
  store.apply(progressEvent(snapshot("a", 50, ["completed", "executing"])));
  assert.deepEqual(store.getState(), stateOf(snapshot("a", 50, ["completed", "executing"])));
  store.apply(changed("a", node("y", "completed", 100), 100));
  const state = store.getState();
  assert.deepEqual(state.nodes.get("y"), node("y", "completed", 100));
  assert.deepEqual(state.nodes.get("x"), node("x", "completed"), "the other nodes are kept");
  assert.equal(state.cachedProgress, 100);
  assert.deepEqual(state.criticalPath, ["x", "y"], "and the graph");
});

test("subscribers see every change with the state before it, and while there are any, runs are asked for every change", () => {
  const engine = readableEngine();
  const store = new GraphStore(engine.engine);
  const first = recorder();
  const second = recorder();
  store.subscribe(first.listener);
  store.subscribe(second.listener);
  assert.equal(store.wantsChanges, true);
  assert.equal(store.wantsSnapshots, true);
  store.started("a");
  store.apply(progressEvent(snapshot("a", 0, ["executing", "pending"])));
  store.apply(changed("a", node("x", "completed"), 50));
  store.apply(changed("a", node("y", "executing"), 50));
  assert.equal(first.calls.length, 3);
  assert.deepEqual(second.calls, first.calls, "every subscriber sees every change");
  const [[s1, p1], [s2, p2], [s3, p3]] = first.calls as [
    [RunGraphState, RunGraphState],
    [RunGraphState, RunGraphState],
    [RunGraphState, RunGraphState],
  ];
  assert.deepEqual(p1, INITIAL);
  assert.deepEqual(s1, stateOf(snapshot("a", 0, ["executing", "pending"])));
  assert.equal(p2, s1);
  assert.equal(p3, s2);
  assert.deepEqual(s2.nodes.get("x")?.state, "completed");
  assert.deepEqual(s2.cachedProgress, 50);
  assert.deepEqual(
    [...s3.nodes.values()].map((n) => n.state),
    ["completed", "executing"],
  );
  assert.deepEqual(
    [...s1.nodes.values()].map((n) => n.state),
    ["executing", "pending"],
    "a previous state is left as it was",
  );
  engine.current = snapshot("a", 0, ["pending", "pending"]);
  assert.equal(store.getState(), s3, "the state subscribers were told, not a read");
  assert.equal(engine.reads, 0);
});

test("a node change that reaches the store before any snapshot of its run reads the whole state from the engine", () => {
  const engine = readableEngine(snapshot("a", 50, ["completed", "executing"]));
  const store = new GraphStore(engine.engine);
  const seen = recorder();
  store.subscribe(seen.listener);
  store.started("a");
  store.apply(changed("a", node("y", "executing"), 50));
  assert.equal(seen.calls.length, 1);
  assert.deepEqual(seen.calls[0], [stateOf(snapshot("a", 50, ["completed", "executing"])), INITIAL]);
  // An engine that cannot be read has nothing to give: the change waits for a snapshot.
  const remote = new GraphStore(unreadableEngine());
  const unseen = recorder();
  remote.subscribe(unseen.listener);
  remote.started("a");
  remote.apply(changed("a", node("y", "executing"), 50));
  assert.deepEqual(unseen.calls, []);
  assert.deepEqual(remote.getState(), INITIAL);
});

test("only the run started last is followed: other runs' events change nothing, and a later run replaces the earlier one's state", () => {
  const store = new GraphStore(unreadableEngine());
  const seen = recorder();
  store.subscribe(seen.listener);
  store.apply(progressEvent(snapshot("a", 0, ["executing", "pending"])));
  assert.deepEqual(seen.calls, [], "no run started yet");
  store.started("a");
  store.apply(progressEvent(snapshot("other", 0, ["executing", "pending"])));
  store.apply({ type: "started", executionId: "a", nodeId: "flow" });
  store.apply({ type: "flowDeleted", id: "f" });
  assert.deepEqual(seen.calls, [], "another run's, or another kind of event");
  store.apply(progressEvent(snapshot("a", 50, ["completed", "executing"])));
  const stateA = store.getState();
  store.started("b");
  store.apply(progressEvent(snapshot("a", 100, ["completed", "completed"])));
  store.apply(changed("a", node("y", "completed"), 100));
  assert.equal(store.getState(), stateA, "the earlier run's late events are not shown");
  store.apply(progressEvent(snapshot("b", 0, ["pending", "pending"])));
  assert.deepEqual(store.getState(), stateOf(snapshot("b", 0, ["pending", "pending"])));
  assert.equal(seen.calls.length, 2);
  assert.equal(seen.calls[1]?.[1], stateA, "the later run replaced it");
});

test("unsubscribing stops delivery to that listener alone; with none left, a readable engine's state is read again", () => {
  const engine = readableEngine();
  const store = new GraphStore(engine.engine);
  const first = recorder();
  const second = recorder();
  const stopFirst = store.subscribe(first.listener);
  const stopSecond = store.subscribe(second.listener);
  store.started("a");
  store.apply(progressEvent(snapshot("a", 0, ["executing", "pending"])));
  stopFirst();
  stopFirst();
  store.apply(progressEvent(snapshot("a", 50, ["completed", "executing"])));
  assert.equal(first.calls.length, 1);
  assert.equal(second.calls.length, 2);
  stopSecond();
  assert.equal(store.wantsChanges, false);
  assert.equal(store.wantsSnapshots, false);
  store.apply(progressEvent(snapshot("a", 100, ["completed", "completed"])));
  assert.equal(second.calls.length, 2);
  engine.current = snapshot("a", 100, ["completed", "completed"]);
  assert.deepEqual(store.getState(), stateOf(snapshot("a", 100, ["completed", "completed"])));
});

test("a listener that throws is reported and keeps no other listener from seeing the change", (t) => {
  const reported = t.mock.method(console, "error", () => {});
  const store = new GraphStore(unreadableEngine());
  const seen = recorder();
  const failure = new Error("listener broke");
  store.subscribe(() => {
    throw failure;
  });
  store.subscribe(seen.listener);
  store.started("a");
  store.apply(progressEvent(snapshot("a", 0, ["executing", "pending"])));
  assert.equal(seen.calls.length, 1);
  assert.equal(reported.mock.callCount(), 1);
  assert.equal(reported.mock.calls[0]?.arguments[1], failure);
});

test("reset goes back to the empty state, tells subscribers, and the run it showed is not shown again", () => {
  const engine = readableEngine(snapshot("a", 50, ["completed", "executing"]));
  const store = new GraphStore(engine.engine);
  const seen = recorder();
  const stop = store.subscribe(seen.listener);
  store.started("a");
  store.apply(progressEvent(snapshot("a", 50, ["completed", "executing"])));
  const shown = store.getState();
  store.reset();
  assert.deepEqual(store.getState(), INITIAL);
  assert.equal(seen.calls.length, 2);
  assert.deepEqual(seen.calls[1]?.[0], INITIAL);
  assert.equal(seen.calls[1]?.[1], shown);
  store.apply(progressEvent(snapshot("a", 100, ["completed", "completed"])));
  store.apply(changed("a", node("y", "completed"), 100));
  assert.equal(seen.calls.length, 2, "its later events are not shown");
  stop();
  assert.deepEqual(store.getState(), INITIAL, "nor the engine's state of it");
  // The next run is shown.
  engine.current = snapshot("b", 0, ["executing", "pending"]);
  store.started("b");
  assert.deepEqual(store.getState(), stateOf(snapshot("b", 0, ["executing", "pending"])));
});

test("reset lets go of the run a readable engine showed to nobody subscribed", () => {
  const engine = readableEngine(snapshot("a", 50, ["completed", "executing"]));
  const store = new GraphStore(engine.engine);
  store.started("a");
  assert.equal(store.getState().executionId, "a");
  store.reset();
  engine.current = snapshot("a", 100, ["completed", "completed"]);
  assert.deepEqual(store.getState(), INITIAL);
});

test("getTrace gives the followed run's trace once it ended, not another run's, and reset clears it", () => {
  const store = new GraphStore(unreadableEngine());
  const trace = { spans: ["x", "y"] };
  let reads = 0;
  store.started("a");
  assert.equal(store.getTrace(), null, "not before it ended");
  store.ended("other", () => ({ spans: [] }));
  assert.equal(store.getTrace(), null, "another run's end");
  store.ended("a", () => (reads++, trace));
  assert.equal(reads, 0, "read only when asked");
  assert.equal(store.getTrace(), trace);
  store.started("b");
  store.ended("a", () => ({ late: true }));
  assert.equal(store.getTrace(), trace, "a run no longer followed leaves the last trace");
  store.ended("b", () => undefined);
  assert.equal(store.getTrace(), null, "a run without a trace");
  store.ended("b", () => trace);
  store.reset();
  assert.equal(store.getTrace(), null);
});

test("a subscriber that arrives while a run nobody watched goes on sees that run's state, not the one before it", () => {
  const engine = readableEngine();
  const store = new GraphStore(engine.engine);
  store.started("a");
  engine.current = snapshot("a", 50, ["completed", "executing"]);
  const watcher = recorder();
  store.subscribe(watcher.listener);
  assert.deepEqual(store.getState(), stateOf(snapshot("a", 50, ["completed", "executing"])));
  // The run was started with no one asking for changes: the next one it sends is its snapshot.
  store.apply(progressEvent(snapshot("a", 100, ["completed", "completed"])));
  assert.deepEqual(watcher.calls.at(-1)?.[1], stateOf(snapshot("a", 50, ["completed", "executing"])), "the state before it was the run's");
});

test("a run started before anyone subscribed tells its subscribers its end; one started with them is not read again", () => {
  const engine = readableEngine();
  const store = new GraphStore(engine.engine);
  store.started("a");
  const watcher = recorder();
  store.subscribe(watcher.listener);
  engine.current = snapshot("a", 100, ["completed", "completed"]);
  store.ended("a", () => null);
  assert.deepEqual(watcher.calls.at(-1)?.[0], stateOf(snapshot("a", 100, ["completed", "completed"])), "told the end");
  // Started with a subscriber: its events told every change, and its end is not read.
  store.started("b");
  store.apply(progressEvent(snapshot("b", 100, ["completed", "completed"])));
  const [told, reads] = [watcher.calls.length, engine.reads];
  store.ended("b", () => null);
  assert.deepEqual([watcher.calls.length, engine.reads], [told, reads]);
});
