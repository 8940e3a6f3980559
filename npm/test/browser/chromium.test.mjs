// The wasm build in a real headless Chromium (the system one, driven by playwright-core): the
// shared fixtures, the export surface, events, cancellation, custom executors, IndexedDB storage
// across a reload, and the transport client against a real protocol server. The test page is
// npm/test/browser/page.html, served from npm/ on 127.0.0.1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { WebSocketServer } from "ws";
import { createConductor } from "@atomiton/conductor/desktop";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { inPage, useServedPage, whenModuleReady } from "../../test-support/browser-page.mjs";
import { assertFixtureResult, conductorShape, expectationFor, fixtures, repoRoot } from "../../test-support/helpers.mjs";
import { chainFlow, startServer } from "../../test-support/remote.mjs";
import * as scenarios from "../../test-support/browser-scenarios.mjs";
import { checkFlowStorage, flowStorageScenario } from "../../test-support/flow-storage-contract.mjs";
import { startModelServer } from "../../test-support/llm-server.mjs";

// Skipped only where there is no Chromium to drive (CI has /usr/bin/chromium).
const options = { skip: chromiumMissing, timeout: 60_000 };

const session = useServedPage("/test/browser/page.html", whenModuleReady);

for (const fixture of fixtures()) {
  test(`Chromium fixture ${fixture.file}: ${fixture.description}`, options, async () => {
    const run = async (mod, { flow, options: runOptions }) => {
      const result = await mod.conductor.node.run(flow, runOptions);
      // The trace stays in the page: its nodes' states come along.
      return { ...result, states: Object.fromEntries((result.trace?.nodes ?? []).map((n) => [n.nodeId, n.state])) };
    };
    const result = await inPage(session.page, run, {
      flow: fixture.flow,
      options: fixture.options ?? {},
    });
    assertFixtureResult(result, expectationFor(fixture, "wasm"));
  });
}

test("the export surface of /browser (the TypeScript engine's values) and its conductor object", options, async () => {
  scenarios.checkSurface(await inPage(session.page, scenarios.surface, conductorShape), "chromium");
});

test("the page loaded the module as ES modules and the .wasm as application/wasm from its own origin", options, async () => {
  const resources = await session.page.evaluate(() => performance.getEntriesByType("resource").map((entry) => entry.name));
  const wasm = resources.find((url) => url.endsWith("/dist/engines/wasm/atomiton_conductor_wasm_bg.wasm"));
  assert.ok(wasm, resources.join("\n"));
  assert.ok(
    resources.every((url) => url.startsWith(session.server.url)),
    resources.join("\n"),
  );
  const response = await fetch(wasm);
  assert.equal(response.headers.get("content-type"), "application/wasm");
});

test("progress events are valid, carry their executionId, show each node executing and end at 100", options, async () => {
  scenarios.checkProgressEvents(await inPage(session.page, scenarios.progressEvents));
});

test(
  "node.store: the default module follows snapshots; the editor module is read when asked and tells subscribers every change",
  options,
  async () => {
    scenarios.checkStore(await inPage(session.page, scenarios.store));
  },
);

test("node.cancel and an AbortSignal stop a run: the JS executor sees abort, nothing more starts", options, async () => {
  scenarios.checkCancellation(await inPage(session.page, scenarios.cancellation));
});

test("custom executors run, with built-ins as the fallback", options, async () => {
  scenarios.checkCustomExecutors(await inPage(session.page, scenarios.customExecutors));
});

test("a native-only node fails validation with IMPLEMENTATION_NOT_FOUND naming the node", options, async () => {
  scenarios.checkNativeOnlyNodes(await inPage(session.page, scenarios.nativeOnlyNodes));
});

test(
  "a python node fails validation in the page, saying it runs in Node.js (default module) or needs an interpreter (editor module)",
  options,
  async () => {
    scenarios.checkPythonNodes(await inPage(session.page, scenarios.pythonNodes));
  },
);

test("a database node is refused in the page, saying where it runs; the page keeps no credentials", options, async () => {
  scenarios.checkDatabaseNodes(await inPage(session.page, scenarios.databaseNodes));
});

test("an llm node is refused by the default module and runs on the editor module through the page's fetch", options, async (t) => {
  const server = await startModelServer();
  t.after(() => server.stop());
  scenarios.checkLlmNodes(await inPage(session.page, scenarios.llmNodes, server.url));
});

test("WebAssembly plugins run in the page with the native engine's outputs, and the sandbox's errors are coded", options, async () => {
  const fixture = (name) => readFileSync(join(repoRoot, "tests", "plugins", name)).toString("base64");
  const modules = { textStats: fixture("text_stats.wasm"), vowels: fixture("vowels_as.wasm") };
  scenarios.checkPlugins(await inPage(session.page, scenarios.plugins, modules));
});

test("debug.simulatePanic gives INTERNAL_ERROR, and the same conductor runs the next flow", options, async () => {
  scenarios.checkPanicRecovery(await inPage(session.page, scenarios.panicRecovery));
});

test("execution history: off in the base module, on with history: true (records, retry from the failed node)", options, async () => {
  scenarios.checkHistory(await inPage(session.page, scenarios.history));
});

test("run records with history: true are kept in IndexedDB across a page reload; a run left running is then crashed", options, async () => {
  const before = await inPage(session.page, async (mod) => {
    const c = mod.createConductor({ history: true });
    await c.node.run(
      { id: "kept-run", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x + 1" } },
      { executionId: "kept-across-reload" },
    );
    // Never answered: the page is reloaded while it runs.
    const hanging = mod.createConductor({
      history: true,
      nodeExecutorFactory: { getNodeExecutable: () => ({ execute: () => new Promise(() => {}) }) },
    });
    void hanging.node.run({ id: "dies", type: "group", nodes: [{ id: "h", type: "hang" }] }, { executionId: "left-running" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const listed = await c.executions.list();
    return { ids: listed.executions.map((e) => [e.id, e.status]), databases: (await indexedDB.databases()).map((d) => d.name) };
  });
  assert.deepEqual(Object.fromEntries(before.ids)["kept-across-reload"], "success");
  assert.ok(before.databases.includes("atomiton-conductor-history"), before.databases.join(", "));

  await session.page.reload();
  await whenModuleReady(session.page);
  const after = await inPage(session.page, async (mod) => {
    const c = mod.createConductor({ history: true });
    const kept = await c.executions.get("kept-across-reload");
    const left = await c.executions.get("left-running");
    await c.executions.delete("kept-across-reload");
    const again = mod.createConductor({ history: true });
    let gone;
    try {
      await again.executions.get("kept-across-reload");
    } catch (error) {
      gone = error.code;
    }
    return { kept: [kept.status, kept.nodes[0]?.output?.result], left: left.status, gone };
  });
  assert.deepEqual(after.kept, ["success", [2, 3]]);
  assert.equal(after.left, "crashed", "the run the reload cut off");
  assert.equal(after.gone, "NODE_NOT_FOUND", "a deleted record stays deleted");
});

test(
  "durable runs in IndexedDB: a page reloaded mid-run finds its run interrupted and resumes it from its checkpoints, as the same run",
  options,
  async () => {
    // e0 (an effect, idempotent) → t1 → e2 (an effect that is not: the page dies while it runs) → t3.
    const setup = () => {
      const effect = (p) => {
        const log = JSON.parse(localStorage.getItem("durable-effects") ?? "[]");
        localStorage.setItem("durable-effects", JSON.stringify([...log, p.nodeId]));
        const out = (Array.isArray(p.input?.default) ? p.input.default : []).map((x) => x + p.k);
        return p.hang && !sessionStorage.getItem("reloaded") ? new Promise(() => {}) : out;
      };
      const flow = {
        id: "durable-page",
        type: "group",
        nodes: [
          { id: "e0", type: "effect", parameters: { k: 1, idempotent: true } },
          { id: "t1", type: "transform", parameters: { transformFunction: "item => item * 2" } },
          { id: "e2", type: "effect", parameters: { k: 10, hang: true } },
          { id: "t3", type: "transform", parameters: { transformFunction: "item => item + 1" } },
        ],
        edges: [
          { source: "e0", target: "t1" },
          { source: "t1", target: "e2" },
          { source: "e2", target: "t3" },
        ],
      };
      return { factory: { getNodeExecutable: (type) => (type === "effect" ? { execute: effect } : undefined) }, flow };
    };
    await inPage(
      session.page,
      async (mod, { setup: source }) => {
        localStorage.removeItem("durable-effects");
        sessionStorage.removeItem("reloaded");
        const { factory, flow } = new Function(`return (${source})()`)();
        const c = mod.createConductor({ history: true, durability: {}, nodeExecutorFactory: factory });
        void c.node.run(flow, { executionId: "durable-in-page", input: { default: [1, 2, 3] } });
        // e2 is called only once its start, and everything before it, is in IndexedDB.
        while (!localStorage.getItem("durable-effects")?.includes("e2")) await new Promise((resolve) => setTimeout(resolve, 10));
      },
      { setup: setup.toString() },
    );

    await session.page.reload();
    await whenModuleReady(session.page);
    const after = await inPage(
      session.page,
      async (mod, { setup: source }) => {
        sessionStorage.setItem("reloaded", "1");
        const { factory, flow } = new Function(`return (${source})()`)();
        // The uninterrupted run's result, from a conductor of its own (its effects not logged).
        const log = localStorage.getItem("durable-effects");
        const reference = await mod.createConductor({ nodeExecutorFactory: factory }).node.run(flow, { input: { default: [1, 2, 3] } });
        localStorage.setItem("durable-effects", log);
        const c = mod.createConductor({ history: true, durability: { resume: "manual" }, nodeExecutorFactory: factory });
        const listed = (await c.executions.list({ status: "interrupted" })).executions.map((e) => e.id);
        const refused = await c.executions.resume("durable-in-page");
        const resumed = await c.executions.resume("durable-in-page", { rerun: ["e2"] });
        const record = await c.executions.get("durable-in-page");
        // Replay in the page: the effects' recorded outputs stand in for them (none runs).
        const effectsBefore = localStorage.getItem("durable-effects");
        const replay = await c.executions.replay("durable-in-page");
        const replayed = [replay.success, replay.differences, localStorage.getItem("durable-effects") === effectsBefore];
        return {
          replayed,
          listed,
          refused: [refused.success, refused.error?.code, refused.error?.message],
          resumed: [resumed.success, resumed.data, resumed.context?.executionId ?? "durable-in-page"],
          reference: reference.data,
          record: [record.status, record.durable, (await c.executions.list()).total],
          effects: JSON.parse(localStorage.getItem("durable-effects")),
        };
      },
      { setup: setup.toString() },
    );
    assert.ok(after.listed.includes("durable-in-page"), JSON.stringify(after.listed));
    assert.equal(after.refused[0], false);
    assert.equal(after.refused[1], "DECISION_REQUIRED");
    assert.match(after.refused[2], /'e2' \(effect\)/);
    assert.deepEqual(after.resumed, [true, after.reference, "durable-in-page"], "the uninterrupted run's result, as the same run");
    assert.notEqual(after.reference, undefined);
    assert.deepEqual(after.record.slice(0, 2), ["success", true]);
    assert.deepEqual(
      after.effects,
      ["e0", "e2", "e2"],
      "e0 completed before the reload and did not run again; e2 ran again as the user chose",
    );
    assert.deepEqual(after.replayed, [true, [], true], "a replay in the page: same outputs, no effect run");
  },
);

test(
  "durable waits in IndexedDB: a run parked at a signal outlives a page reload, and the reloaded page signals it to its end",
  options,
  async () => {
    const setup = () => {
      const effect = (p) => {
        const log = JSON.parse(localStorage.getItem("wait-effects") ?? "[]");
        localStorage.setItem("wait-effects", JSON.stringify([...log, p.nodeId]));
        return p.input?.default ?? null;
      };
      const flow = {
        id: "waits-page",
        type: "group",
        nodes: [
          { id: "before", type: "effect" },
          { id: "w", type: "wait", parameters: { mode: "signal", signal: "go", payloadSchema: { type: "object", required: ["ok"] } } },
          { id: "after", type: "effect" },
        ],
        edges: [
          { source: "before", target: "w" },
          { source: "w", target: "after" },
        ],
      };
      return { factory: { getNodeExecutable: (type) => (type === "effect" ? { execute: effect } : undefined) }, flow };
    };
    const before = await inPage(
      session.page,
      async (mod, { setup: source }) => {
        localStorage.removeItem("wait-effects");
        const { factory, flow } = new Function(`return (${source})()`)();
        const c = mod.createConductor({ history: true, durability: {}, nodeExecutorFactory: factory });
        const parked = await c.node.run(flow, { executionId: "waits-in-page", input: { default: 1 } });
        // The default module has no wait node: waits need the editor module (history).
        const plain = await mod.createConductor({ nodeExecutorFactory: factory }).node.run(flow);
        return {
          parked: [parked.error?.code, parked.error?.context?.kind],
          plain: plain.error?.code,
          status: (await c.executions.get("waits-in-page")).status,
        };
      },
      { setup: setup.toString() },
    );
    assert.deepEqual(before.parked, ["WAITING", "signal"]);
    assert.equal(before.status, "waiting");
    assert.notEqual(before.plain, undefined, "a page without history refuses the wait node");

    await session.page.reload();
    await whenModuleReady(session.page);
    const after = await inPage(
      session.page,
      async (mod, { setup: source }) => {
        const { factory } = new Function(`return (${source})()`)();
        const c = mod.createConductor({ history: true, durability: {}, nodeExecutorFactory: factory });
        const listed = (await c.executions.list({ status: "waiting" })).executions.map((e) => [e.id, e.error?.context?.signal]);
        let refused;
        try {
          await c.executions.signal("waits-in-page", "go", { nope: true });
        } catch (error) {
          refused = [error.code, error.message];
        }
        const done = await c.executions.signal("waits-in-page", "go", { ok: 7 });
        return {
          listed,
          refused,
          done: [done.success, done.data, done.error?.message],
          status: (await c.executions.get("waits-in-page")).status,
          effects: JSON.parse(localStorage.getItem("wait-effects")),
        };
      },
      { setup: setup.toString() },
    );
    assert.deepEqual(after.listed, [["waits-in-page", "go"]]);
    assert.equal(after.refused[0], "VALIDATION_FAILED");
    assert.match(after.refused[1], /payload\.ok is required/);
    assert.deepEqual(after.done, [true, { ok: 7 }, undefined]);
    assert.equal(after.status, "success");
    assert.deepEqual(after.effects, ["before", "after"], "the node before the wait ran once, before the reload");
  },
);

test("with history: true the result cache is kept in IndexedDB: after a reload the same flow is served from it", options, async () => {
  const flow = {
    id: "cached-in-page",
    type: "group",
    nodes: [
      { id: "numbers", type: "transform", parameters: { data: [1, 2, 3], transformFunction: "x => x * 10" } },
      { id: "total", type: "transform", parameters: { operation: "reduce", transformFunction: "(acc, x) => acc + x", reduceInitial: "0" } },
    ],
    edges: [{ id: "e", source: "numbers", target: "total", targetHandle: "data" }],
  };
  const states = async (conductor, run) => {
    const last = new Map();
    const off = conductor.node.onProgress((event) => {
      for (const node of event.nodes) last.set(node.id, [node.state, node.cacheKey ?? null]);
    });
    const result = await run();
    off();
    return { data: result.data, nodes: Object.fromEntries(last) };
  };
  const before = await inPage(
    session.page,
    async (mod, { flow, states }) => {
      const c = mod.createConductor({ history: true, cache: true, progressThrottle: 0 });
      const first = await (0, eval)(`(${states})`)(c, () => c.node.run(flow));
      // Answers once the cache's writes before it are stored.
      await c.cache.invalidate({ flowId: "none" });
      return { first, databases: (await indexedDB.databases()).map((d) => d.name) };
    },
    { flow, states: states.toString() },
  );
  assert.equal(before.first.data.result, 60);
  assert.deepEqual(
    Object.values(before.first.nodes).map(([state]) => state),
    ["completed", "completed"],
  );
  assert.ok(before.databases.includes("atomiton-conductor-cache"), before.databases.join(", "));

  await session.page.reload();
  await whenModuleReady(session.page);
  const after = await inPage(
    session.page,
    async (mod, { flow, states }) => {
      const c = mod.createConductor({ history: true, cache: true, progressThrottle: 0 });
      const again = await (0, eval)(`(${states})`)(c, () => c.node.run(flow));
      const stats = await c.cache.stats();
      const cleared = await c.cache.clear();
      return { again, stats, cleared };
    },
    { flow, states: states.toString() },
  );
  assert.deepEqual(after.again.data, before.first.data, "the same result");
  for (const [id, [state, key]] of Object.entries(after.again.nodes)) {
    assert.equal(state, "cached", id);
    assert.match(key, /^[0-9a-f]{32}$/, id);
  }
  assert.deepEqual([after.stats.entries, after.stats.hits], [2, 2]);
  assert.deepEqual(after.cleared, { removed: 2 });
});

test("flows saved in IndexedDB survive a page reload; a deleted one stays deleted", options, async () => {
  const before = await inPage(session.page, async (mod) => {
    const c = mod.conductor;
    const listedBefore = (await c.storage.listFlows()).flows.map((flow) => flow.id);
    const announced = new Promise((resolve) => c.storage.onFlowSaved((event) => event.id === "kept-flow" && resolve(event)));
    const flow = {
      id: "kept-flow",
      name: "Kept across reloads",
      type: "group",
      nodes: [{ id: "a", type: "transform", parameters: { data: [1, 2, 3] }, custom: { kept: true } }],
      edges: [],
    };
    const kept = await c.storage.saveFlow(flow);
    await c.storage.saveFlow({ ...flow, id: "deleted-flow", name: "Deleted" });
    await c.storage.deleteFlow("deleted-flow");
    const event = await announced;
    const databases = (await indexedDB.databases()).map((database) => database.name);
    return { listedBefore, kept, event: { id: event.id, flowId: event.flowId, name: event.name }, databases };
  });
  assert.deepEqual(before.listedBefore, [], "a fresh profile starts with no saved flows");
  assert.equal(before.kept.version, "1.0.0");
  assert.match(before.kept.savedAt, /Z$/);
  assert.deepEqual(before.event, { id: "kept-flow", flowId: "kept-flow", name: "Kept across reloads" });
  assert.ok(before.databases.includes("atomiton-conductor"), before.databases.join(", "));

  await session.page.reload();
  await whenModuleReady(session.page);
  const afterReload = await inPage(session.page, async (mod) => {
    const c = mod.conductor;
    const listed = await c.storage.listFlows();
    const loaded = await c.storage.loadFlow("kept-flow");
    let deletedError;
    try {
      await c.storage.loadFlow("deleted-flow");
    } catch (error) {
      deletedError = error.message;
    }
    const run = await c.node.run(loaded);
    return {
      flows: listed.flows.map((flow) => [flow.id, flow.name]),
      total: listed.total,
      loaded,
      deletedError,
      run: { success: run.success, data: run.data },
    };
  });
  assert.deepEqual(afterReload.flows, [["kept-flow", "Kept across reloads"]]);
  assert.equal(afterReload.total, 1);
  assert.equal(afterReload.loaded.savedAt, before.kept.savedAt);
  assert.deepEqual(afterReload.loaded.nodes, before.kept.nodes, "unknown fields survive the round trip");
  assert.deepEqual(afterReload.loaded.nodes[0].custom, { kept: true });
  assert.match(afterReload.deletedError, /Flow with id deleted-flow not found/);
  assert.equal(afterReload.run.success, true);
  assert.deepEqual(afterReload.run.data.result, [1, 2, 3]);
});

/** In the page: a conductor on `serverUrl` runs `flow`, and a local wasm conductor runs it too. */
async function remoteAndLocalRun(mod, { serverUrl, flow, executionId }) {
  const remote = mod.createConductor({ serverUrl });
  const events = [];
  remote.node.onProgress((event) =>
    events.push({ valid: mod.isValidProgressEvent(event), executionId: event.executionId, progress: event.progress }),
  );
  const summary = (result) => ({
    success: result.success,
    data: result.data,
    executedNodes: result.executedNodes,
    error: result.error && { code: result.error.code, message: result.error.message },
    executionId: result.context?.executionId,
  });
  const result = summary(await remote.node.run(flow, { executionId }));
  const local = summary(await mod.createConductor({ storage: { type: "memory" } }).node.run(flow, { executionId }));
  return { result, local, events, environment: remote.getEnvironment(), health: await remote.system.health() };
}

test("the transport client in the page runs flows on a real protocol server over WebSocket and HTTP", options, async (t) => {
  const origin = new URL(session.server.url).origin;
  const { server: protocol } = await startServer(t, {}, { WebSocketServer, allowedOrigins: [origin] });
  const expectedLocally = await createConductor({ storage: { type: "memory" } }).node.run(chainFlow);
  for (const serverUrl of [protocol.wsUrl, protocol.url]) {
    const executionId = `remote-${serverUrl.slice(0, 2)}`;
    const r = await inPage(session.page, remoteAndLocalRun, { serverUrl, flow: chainFlow, executionId });
    assert.equal(r.result.success, true, `${serverUrl}: ${JSON.stringify(r.result.error)}`);
    assert.deepEqual(r.result.data, r.local.data, `${serverUrl}: the server's result is the local wasm result`);
    assert.deepEqual(r.result.data, expectedLocally.data, serverUrl);
    assert.deepEqual(r.result.executedNodes, r.local.executedNodes, serverUrl);
    assert.equal(r.result.executionId, executionId, `${serverUrl}: the client's executionId is the run's`);
    assert.equal(r.environment.hasTransport, true);
    assert.equal(r.health.message, "Local conductor operational", `${serverUrl}: the server's health`);
    if (serverUrl.startsWith("ws:")) {
      assert.ok(r.events.length >= 2, `${r.events.length} progress events over WebSocket`);
      for (const event of r.events) assert.deepEqual([event.valid, event.executionId], [true, executionId]);
      assert.equal(r.events.at(-1).progress, 100);
    } else {
      assert.deepEqual(r.events, [], "HTTP cannot push events");
    }
  }
});

test("the transport client cancels a run on the server over WebSocket", options, async (t) => {
  const origin = new URL(session.server.url).origin;
  const { server: protocol } = await startServer(t, {}, { WebSocketServer, allowedOrigins: [origin] });
  const r = await inPage(
    session.page,
    async (mod, { serverUrl }) => {
      const remote = mod.createConductor({ serverUrl });
      let executing;
      const seen = new Promise((resolve) => (executing = resolve));
      remote.node.onProgress((event) => event.nodes.some((node) => node.id === "a" && node.state === "executing") && executing());
      const flow = {
        id: "slow",
        type: "group",
        nodes: [
          { id: "a", type: "wait", parameters: { ms: 3_600_000 } },
          { id: "b", type: "wait", parameters: { ms: 3_600_000 } },
        ],
        edges: [{ id: "e", source: "a", target: "b" }],
      };
      const running = remote.node.run(flow, { executionId: "remote-cancel" });
      await seen;
      const cancelled = await remote.node.cancel("remote-cancel");
      const result = await running;
      return { cancelled, code: result.error?.code, executedNodes: result.executedNodes };
    },
    { serverUrl: protocol.wsUrl },
  );
  assert.equal(r.cancelled, true);
  assert.equal(r.code, "CANCELLED");
  assert.deepEqual(r.executedNodes, []);
});

test("a protocol server refuses a page whose origin it does not allow", options, async (t) => {
  const { server: protocol } = await startServer(t, {}, { WebSocketServer });
  for (const serverUrl of [protocol.wsUrl, protocol.url]) {
    const r = await inPage(session.page, remoteAndLocalRun, { serverUrl, flow: chainFlow, executionId: "refused" });
    assert.equal(r.result.success, false, serverUrl);
    assert.equal(r.result.error.code, "TRANSPORT_ERROR", serverUrl);
    assert.equal(r.local.success, true, "the local engine is unaffected");
  }
});

test("the page raised no uncaught errors", options, () => {
  assert.deepEqual(session.pageErrors, []);
});

test("debugging in the page, in the default module (pins, runTo, breakpoints, step, resume, cancel)", options, async () => {
  scenarios.checkDebugging(await inPage(session.page, scenarios.debugging));
});

test("flows in IndexedDB meet the flow-storage contract every Node backend meets", options, async () => {
  // What earlier tests saved in this page's database goes first: the contract starts empty.
  const observed = await inPage(session.page, flowStorageScenario, {
    config: { storage: { type: "indexeddb" }, history: false },
    clear: true,
  });
  checkFlowStorage(observed, "IndexedDB");
});
