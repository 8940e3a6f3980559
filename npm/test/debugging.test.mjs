// The debugging loop through the built package: pinned outputs, runTo, breakpoints, step, resume,
// paused time outside the timeout, cancelling a paused run — on the native addon, on the wasm
// engine in Node, and on a remote conductor over WebSocket (the run executes on the server; the
// client pauses, steps and resumes it through the `node` channel). The same scenario runs on the
// browser module in Node and in Chromium (browser/wasm-node.test.mjs, browser/chromium.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { createConductor, createRemoteConductor } from "@atomiton/conductor/desktop";
import { startServer } from "../test-support/remote.mjs";
import { checkDebugging, debugging } from "../test-support/browser-scenarios.mjs";

/** Nodes of type `add` (input + `k`) logging their id where the scenario reads it. */
const addFactory = {
  getNodeExecutable: (type) =>
    type === "add"
      ? {
          execute: (p) => {
            (globalThis.__debugCalls ??= []).push(p.nodeId);
            return (typeof p.input?.default === "number" ? p.input.default : 0) + p.k;
          },
        }
      : undefined,
};

for (const engine of ["native", "wasm"]) {
  test(`${engine}: pinned outputs, runTo, a breakpoint, step, resume, timeout and cancel while paused`, async () => {
    const mod = { createConductor: (config) => createConductor({ ...config, engine }) };
    checkDebugging(await debugging(mod));
  });
}

test("over WebSocket: a run on the server is paused, stepped, resumed and cancelled by its client", async (t) => {
  const served = await startServer(t, { nodeExecutorFactory: addFactory });
  const remotes = [];
  t.after(() => {
    for (const remote of remotes) remote.close();
  });
  const mod = {
    createConductor: () => {
      const remote = createRemoteConductor({ serverUrl: served.server.wsUrl, WebSocket });
      remotes.push(remote);
      return remote;
    },
  };
  checkDebugging(await debugging(mod));
});

test("pinned nodes are recorded as pinned, and a pinned node's unknown path is a clear error", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: addFactory });
  const flow = {
    id: "p",
    type: "group",
    nodes: [
      { id: "a", type: "add", parameters: { k: 1 } },
      { id: "g", type: "group", nodes: [{ id: "x", type: "add", parameters: { k: 2 } }], edges: [] },
    ],
    edges: [{ id: "e", source: "a", target: "g" }],
  };
  const states = [];
  const off = conductor.node.onProgress((event) => states.push(...event.nodes.map((n) => `${n.id}:${n.state}`)));
  const result = await conductor.node.run(flow, { executionId: "pinned-1", pinned: { a: 40, "g/x": { v: [1, 2] } } });
  off();
  assert.deepEqual([result.success, result.data], [true, { v: [1, 2] }]);
  assert.ok(states.includes("a:pinned") && states.includes("x:pinned"), states.join(" "));
  const record = await conductor.executions.get("pinned-1");
  assert.deepEqual(
    record.nodes.filter((n) => n.nodeId !== "g").map((n) => [n.nodeId, n.state, n.output]),
    [
      ["a", "pinned", 40],
      ["g/x", "pinned", { v: [1, 2] }],
    ],
  );
  const unknown = await conductor.node.run(flow, { pinned: { x: 1 } });
  assert.equal(unknown.error.code, "VALIDATION_FAILED");
  assert.match(unknown.error.message, /pinned: the flow has no node 'x'.*'group\/node'/);
  const badBreakpoint = await conductor.node.run(flow, { breakpoints: ["nope"] });
  assert.match(badBreakpoint.error.message, /breakpoints: the flow has no node 'nope'/);
  await conductor.shutdown();
});

test("executions.retry with runTo and pins re-runs one node on its recorded inputs", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: addFactory });
  const flow = {
    id: "r",
    type: "group",
    nodes: ["a", "b", "c"].map((id, i) => ({ id, type: "add", parameters: { k: 10 ** i } })),
    edges: [
      { id: "e1", source: "a", target: "b" },
      { id: "e2", source: "b", target: "c" },
    ],
  };
  await conductor.node.run(flow, { executionId: "first-1" });
  globalThis.__debugCalls = [];
  const again = await conductor.node.run(flow, { retry: { of: "first-1", from: "b" }, runTo: "b" });
  assert.deepEqual([again.success, again.data, globalThis.__debugCalls], [true, 11, ["b"]], "a reused, b re-run, c not reached");
  await conductor.shutdown();
});

test("a second run under the id of one going on is refused; the first is unaffected", async () => {
  for (const engine of ["native", "wasm"]) {
    const conductor = createConductor({ storage: { type: "memory" }, engine, nodeExecutorFactory: addFactory });
    const flow = {
      id: "d",
      type: "group",
      nodes: [
        { id: "a", type: "add", parameters: { k: 1 } },
        { id: "b", type: "add", parameters: { k: 2 } },
      ],
      edges: [{ id: "e", source: "a", target: "b" }],
    };
    let second;
    const off = conductor.node.onPaused(async (event) => {
      second = await conductor.node.run(flow, { executionId: event.executionId });
      await conductor.node.resume(event.executionId);
    });
    const first = await conductor.node.run(flow, { executionId: "same-id", input: { default: 10 }, breakpoints: ["b"] });
    off();
    assert.deepEqual([second.success, second.error.code], [false, "VALIDATION_FAILED"], engine);
    assert.match(second.error.message, /already running/);
    assert.deepEqual([first.success, first.data], [true, 13], `${engine}: the first run goes on with its own input`);
    await conductor.shutdown();
  }
});
