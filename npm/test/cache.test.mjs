// The node result cache through the built package: the editor loop (run, edit one node, run
// again: only it and what depends on it run), `cached` in progress with the entry's key and age,
// opt-in for JS executors, `cache: false` per run, `conductor.cache.clear/invalidate/stats`, on
// the native engine and the wasm engine in Node, and over the wire (HTTP, WebSocket, IPC) to a
// server whose conductor caches.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor/desktop";
import { remoteClients, startServer } from "../test-support/remote.mjs";

const ENGINES = ["native", "wasm"];

/** `numbers` → `double` → `plus` (its body given) and `labelled`, with `other` beside them. */
function chain(plus = "x => x + 1") {
  const map = (id, body, extra = {}) => ({ id, type: "transform", parameters: { operation: "map", transformFunction: body, ...extra } });
  return {
    id: "editor-loop",
    type: "group",
    nodes: [
      map("numbers", "x => x", { data: [1, 2, 3] }),
      map("double", "x => x * 2"),
      map("plus", plus),
      { id: "labelled", type: "edit-fields", parameters: { values: { label: "done" } } },
      { id: "other", type: "transform", parameters: { operation: "filter", transformFunction: "x => x > 1", data: [1, 2, 3] } },
    ],
    edges: [
      { id: "e1", source: "numbers", target: "double", targetHandle: "data" },
      { id: "e2", source: "double", target: "plus", targetHandle: "data" },
      { id: "e3", source: "plus", target: "labelled" },
    ],
  };
}

/** Runs `flow`; the result and each node's last progress entry by id. */
async function run(conductor, flow, options = {}) {
  const last = new Map();
  const off = conductor.node.onProgress((event) => {
    for (const node of event.nodes) last.set(node.id, node);
  });
  try {
    const result = await conductor.node.run(flow, options);
    return { result, nodes: last };
  } finally {
    off();
  }
}

const inState = (nodes, state) =>
  [...nodes.values()]
    .filter((node) => node.state === state)
    .map((node) => node.id)
    .sort();

function counting(config) {
  const calls = { fetch: 0 };
  const conductor = createConductor({
    storage: { type: "memory" },
    history: false,
    progressThrottle: 0,
    ...config,
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "fetch"
          ? {
              execute: () => {
                calls.fetch += 1;
                return { body: "fetched", n: calls.fetch };
              },
            }
          : undefined,
    },
  });
  return { conductor, calls };
}

for (const engine of ENGINES) {
  test(`${engine}: the editor loop runs the edited node and what depends on it; the rest are cached`, async (t) => {
    const { conductor } = counting({ engine, cache: true });
    t.after(() => conductor.shutdown());
    const first = await run(conductor, chain());
    assert.equal(first.result.success, true, JSON.stringify(first.result.error));
    assert.deepEqual(inState(first.nodes, "cached"), []);

    const again = await run(conductor, chain());
    assert.deepEqual(again.result.data, first.result.data);
    assert.deepEqual(again.result.executedNodes, first.result.executedNodes, "cached nodes count as executed");
    assert.deepEqual(inState(again.nodes, "cached"), ["double", "labelled", "numbers", "other", "plus"]);
    const hit = again.nodes.get("double");
    assert.match(hit.cacheKey, /^[0-9a-f]{32}$/);
    assert.ok(hit.cacheAge >= 0);

    const edited = await run(conductor, chain("x => x + 100"));
    assert.deepEqual(inState(edited.nodes, "cached"), ["double", "numbers", "other"]);
    assert.deepEqual(inState(edited.nodes, "completed"), ["labelled", "plus"]);
    const { conductor: uncached } = counting({ engine });
    t.after(() => uncached.shutdown());
    assert.deepEqual(edited.result.data, (await uncached.node.run(chain("x => x + 100"))).data);

    const stats = await conductor.cache.stats();
    assert.equal(stats.enabled, true);
    assert.equal(stats.hits, 8);
    assert.equal(stats.entries, 7);
  });

  test(`${engine}: JS executors are cached when opted in; cache: false and invalidate run nodes again`, async (t) => {
    const { conductor, calls } = counting({ engine, cache: { maxEntries: 100 } });
    t.after(() => conductor.shutdown());
    const flow = (cache) => ({
      id: "fetching",
      type: "group",
      nodes: [{ id: "fetch", type: "fetch", parameters: cache === undefined ? {} : { cache } }],
      edges: [],
    });
    await run(conductor, flow());
    await run(conductor, flow());
    assert.equal(calls.fetch, 2, "not opted in: a JS executor runs every time");

    const opted = flow({ ttlMs: 60_000 });
    const firstOpted = await run(conductor, opted);
    const secondOpted = await run(conductor, opted);
    assert.equal(calls.fetch, 3);
    assert.deepEqual(secondOpted.result.data, firstOpted.result.data, "the stored output, written out as data");
    assert.deepEqual(inState(secondOpted.nodes, "cached"), ["fetch"]);

    await run(conductor, opted, { cache: false });
    assert.equal(calls.fetch, 4, "cache: false does not read the cache");

    assert.deepEqual(await conductor.cache.invalidate({ flowId: "elsewhere" }), { removed: 0 });
    assert.deepEqual(await conductor.cache.invalidate({ flowId: "fetching", nodeId: "fetch" }), { removed: 1 });
    await run(conductor, opted);
    assert.equal(calls.fetch, 5, "invalidated: runs again");
    await run(conductor, opted);
    assert.equal(calls.fetch, 5);

    assert.deepEqual(await conductor.cache.clear(), { removed: 1 });
    assert.equal((await conductor.cache.stats()).entries, 0);
  });

  test(`${engine}: without cache in the config nothing is cached and stats says so`, async (t) => {
    const { conductor } = counting({ engine });
    t.after(() => conductor.shutdown());
    await run(conductor, chain());
    const again = await run(conductor, chain());
    assert.deepEqual(inState(again.nodes, "cached"), []);
    assert.deepEqual(await conductor.cache.stats(), { enabled: false });
    assert.deepEqual(await conductor.cache.clear(), { removed: 0 });
  });
}

for (const engine of ENGINES) {
  test(`${engine}: beside a history on disk the cache outlives its conductor; store: "memory" does not`, async (t) => {
    const directory = mkdtempSync(join(tmpdir(), "atomiton-cache-"));
    t.after(() => rmSync(directory, { recursive: true, force: true }));
    const open = (cache) => createConductor({ engine, storage: { type: "fs", directory }, cache, progressThrottle: 0 });
    const first = open(true);
    const made = await run(first, chain());
    assert.equal(made.result.success, true, JSON.stringify(made.result.error));
    // The cache's writes are made in order; a call after them answers once they are stored.
    assert.deepEqual(await first.cache.invalidate({ flowId: "no-such-flow" }), { removed: 0 });
    await first.shutdown();

    const second = open(true);
    t.after(() => second.shutdown());
    const served = await run(second, chain());
    assert.deepEqual(served.result.data, made.result.data);
    assert.deepEqual(
      inState(served.nodes, "cached"),
      ["double", "labelled", "numbers", "other", "plus"],
      "every node from the first conductor's entries",
    );
    const record = await second.executions.get(served.result.context.executionId);
    const plus = record.nodes.find((node) => node.nodeId === "plus");
    assert.equal(plus.state, "cached");
    assert.match(plus.cacheKey, /^[0-9a-f]{32}$/, "the run's record names the entry");
    assert.equal(plus.cacheKey, served.nodes.get("plus").cacheKey, "the one progress named");
    assert.ok(plus.cacheAge >= 0);

    const inMemory = open({ store: "memory" });
    t.after(() => inMemory.shutdown());
    const fresh = await run(inMemory, chain());
    assert.deepEqual(inState(fresh.nodes, "cached"), [], "a memory cache starts empty");
  });
}

test("over HTTP, WebSocket and IPC: the server's cache serves repeated runs and answers cache calls", async (t) => {
  const served = await startServer(t, { cache: true });
  const clients = remoteClients(t, served);
  for (const [name, client] of Object.entries(clients)) {
    await client.cache.clear();
    const first = await run(client, chain());
    assert.equal(first.result.success, true, `${name}: ${JSON.stringify(first.result.error)}`);
    const again = await run(client, chain());
    assert.deepEqual(again.result.data, first.result.data, name);
    assert.equal(again.result.success, true);
    const stats = await client.cache.stats();
    assert.equal(stats.enabled, true, name);
    assert.ok(stats.hits >= 5, `${name}: ${JSON.stringify(stats)}`);
    assert.deepEqual(await client.cache.invalidate({ nodeId: "plus" }), { removed: 1 }, name);
  }
});
