// `node.store`, as the TypeScript engine this package replaces kept it: the state of the run the
// conductor started last, there from the start of the run whether or not anyone subscribed;
// every change told to subscribers (only progress events are throttled); reset() and getTrace().
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";

const ENGINES = ["native", "wasm"];

/** A chain a → b → c of `type`. */
const chain = (type) => ({
  id: "flow",
  type: "group",
  nodes: ["a", "b", "c"].map((id) => ({ id, type, name: id.toUpperCase() })),
  edges: [
    { id: "e1", source: "a", target: "b" },
    { id: "e2", source: "b", target: "c" },
  ],
});

const states = (state) => [...state.nodes.values()].map((node) => `${node.id}:${node.state}`);

for (const engine of ENGINES) {
  test(`${engine}: before any run the store holds the initial state; after a run nobody watched, that run's final state`, async () => {
    const conductor = createConductor({
      engine,
      storage: { type: "memory" },
      nodeExecutorFactory: { getNodeExecutable: () => ({ execute: (p) => (p.input?.default ?? 0) + 1 }) },
    });
    const initial = conductor.node.store.getState();
    assert.ok(initial.nodes instanceof Map);
    assert.deepEqual(
      [initial.nodes.size, initial.isExecuting, initial.startTime, initial.endTime, initial.cachedProgress, initial.maxParallelism],
      [0, false, null, null, 0, 1],
    );
    const result = await conductor.node.run(chain("inc"), { executionId: `unwatched-${engine}` });
    assert.equal(result.success, true, result.error?.message);
    const state = conductor.node.store.getState();
    assert.equal(state.executionId, `unwatched-${engine}`);
    assert.deepEqual(states(state), ["a:completed", "b:completed", "c:completed"]);
    assert.equal(state.cachedProgress, 100);
    assert.equal(state.isExecuting, false);
    assert.ok(state.endTime >= state.startTime);
    assert.deepEqual(state.executionOrder, [["a"], ["b"], ["c"]]);
    assert.deepEqual(state.criticalPath, ["a", "b", "c"]);
    assert.deepEqual(state.edges, [
      { from: "a", to: "b" },
      { from: "b", to: "c" },
    ]);
    assert.equal(state.totalWeight, 300);
    const b = state.nodes.get("b");
    assert.deepEqual(
      [b.name, b.type, b.weight, b.level, b.dependencies, b.dependents, b.progress],
      ["B", "inc", 100, 1, ["a"], ["c"], 100],
    );
    assert.ok(b.endTime >= b.startTime);
    await conductor.shutdown();
  });

  /**
   * A conductor on `engine` running chain("quick") as `executionId` with its middle node held
   * until `release()`; `held` resolves once the run is there (`inside` runs at that moment).
   */
  function heldRun(executionId, inside = () => {}) {
    let release;
    let reached;
    const gate = new Promise((resolve) => (release = resolve));
    const held = new Promise((resolve) => (reached = resolve));
    const conductor = createConductor({
      engine,
      storage: { type: "memory" },
      nodeExecutorFactory: {
        getNodeExecutable: (type) =>
          type === "wait"
            ? {
                execute: async () => {
                  inside(conductor);
                  reached();
                  await gate;
                  return 1;
                },
              }
            : { execute: () => 1 },
      },
    });
    const flow = chain("quick");
    flow.nodes[1].type = "wait";
    const running = conductor.node.run(flow, { executionId });
    return { conductor, running, held, release };
  }

  test(`${engine}: during a run nobody subscribed to, the store shows it as it goes`, async () => {
    const seen = [];
    const { conductor, running, held, release } = heldRun(`live-${engine}`, (c) => seen.push(c.node.store.getState()));
    await held;
    const during = seen[0];
    assert.equal(during.executionId, `live-${engine}`);
    assert.equal(during.isExecuting, true);
    assert.deepEqual(states(during), ["a:completed", "b:executing", "c:pending"]);
    assert.equal(during.cachedProgress, 33);
    release();
    assert.equal((await running).success, true);
    assert.deepEqual(states(conductor.node.store.getState()), ["a:completed", "b:completed", "c:completed"]);
    await conductor.shutdown();
  });

  test(`${engine}: a subscriber that arrives during a run nobody watched sees that run at once`, async () => {
    const { conductor, running, held, release } = heldRun(`late-${engine}`);
    await held;
    const told = [];
    const unsubscribe = conductor.node.store.subscribe((state, previous) => told.push([state, previous]));
    const now = conductor.node.store.getState();
    assert.equal(now.executionId, `late-${engine}`, "the run going on, not the empty state");
    assert.deepEqual(states(now), ["a:completed", "b:executing", "c:pending"]);
    release();
    assert.equal((await running).success, true);
    assert.ok(told.length > 0, "the subscriber was told of the run's end");
    assert.equal(told[0][1].executionId, `late-${engine}`, "each change after the state of the same run");
    assert.deepEqual(states(told.at(-1)[0]), ["a:completed", "b:completed", "c:completed"]);
    unsubscribe();
    await conductor.shutdown();
  });

  test(`${engine}: a subscriber is told every change, each with the state before it`, async () => {
    const conductor = createConductor({
      engine,
      storage: { type: "memory" },
      nodeExecutorFactory: { getNodeExecutable: () => ({ execute: () => 1 }) },
    });
    const changes = [];
    const unsubscribe = conductor.node.store.subscribe((state, previous) => changes.push({ state, previous }));
    const result = await conductor.node.run(chain("quick"), { executionId: `watched-${engine}` });
    assert.equal(result.success, true);
    unsubscribe();
    // Each listener call has the state the previous one had.
    for (let i = 1; i < changes.length; i++) assert.equal(changes[i].previous, changes[i - 1].state);
    // Every node's state changes, in order: executing, then completed — nodes much shorter than
    // the 100 ms progress throttle included.
    const transitions = [];
    for (const { state, previous } of changes) {
      for (const [id, node] of state.nodes) {
        if (previous.nodes.get(id)?.state !== node.state) transitions.push(`${id}:${node.state}`);
      }
    }
    assert.deepEqual(transitions, [
      "a:pending",
      "b:pending",
      "c:pending",
      "a:executing",
      "a:completed",
      "b:executing",
      "b:completed",
      "c:executing",
      "c:completed",
    ]);
    const last = changes.at(-1).state;
    assert.equal(last.isExecuting, false);
    assert.equal(last.cachedProgress, 100);
    assert.deepEqual(conductor.node.store.getState(), last, "read when asked, the same state");
    await conductor.shutdown();
  });

  test(`${engine}: slowMo steps shorter than the progress throttle reach subscribers, each one`, async () => {
    const conductor = createConductor({
      engine,
      storage: { type: "memory" },
      nodeExecutorFactory: { getNodeExecutable: () => ({ execute: () => 1 }) },
    });
    const progress = [];
    conductor.node.store.subscribe((state) => progress.push(state.nodes.get("only")?.progress));
    const flow = { id: "g", type: "group", nodes: [{ id: "only", type: "quick" }], edges: [] };
    const result = await conductor.node.run(flow, { slowMo: 5 });
    assert.equal(result.success, true);
    // Weight 100: the steps 0, 20, 40, 60, 80, 90, then 100.
    const steps = progress.filter((value, i) => value !== undefined && value !== progress[i - 1]);
    assert.deepEqual(steps, [0, 20, 40, 60, 80, 90, 100]);
    await conductor.shutdown();
  });

  test(`${engine}: reset() empties the store and forgets its trace; getTrace() is the last run's trace`, async () => {
    const conductor = createConductor({ engine, storage: { type: "memory" } });
    const flow = { id: "solo", type: "transform", parameters: { data: [1, 2] } };
    assert.equal(conductor.node.store.getTrace(), null);
    await conductor.node.run(flow, { executionId: `traced-${engine}` });
    const trace = conductor.node.store.getTrace();
    assert.equal(trace.executionId, `traced-${engine}`);
    assert.equal(trace.nodes[0].state, "completed");
    const told = [];
    conductor.node.store.subscribe((state) => told.push(state));
    conductor.node.store.reset();
    assert.equal(told.length, 1, "subscribers hear of a reset");
    const reset = conductor.node.store.getState();
    assert.deepEqual([reset.nodes.size, reset.isExecuting, reset.cachedProgress, reset.startTime], [0, false, 0, null]);
    assert.equal(conductor.node.store.getTrace(), null);
    await conductor.node.run(flow, { executionId: `after-reset-${engine}` });
    assert.equal(conductor.node.store.getState().executionId, `after-reset-${engine}`);
    await conductor.shutdown();
  });
}
