// One flow-storage contract (test-support/flow-storage-contract.mjs) on every place a conductor in
// Node keeps flows: the native engine's memory, files and PostgreSQL, a queue's Redis, the
// WebAssembly engine's memory and files, and the app's own key-value storage (`flows/<id>` keys).
// IndexedDB in Chromium runs the same scenario in test/browser/chromium.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor, createQueueConductor } from "@atomiton/conductor";
import { checkFlowStorage, flowStorageScenario } from "../test-support/flow-storage-contract.mjs";
import { tempDir } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { startRedis } from "../test-support/redis.mjs";

const node = { createConductor };

/** A key-value storage engine as `@atomiton/storage`'s `createStorage()` returns (load throws for a missing key). */
function keyValueStorage() {
  const kept = new Map();
  return {
    async save(key, value) {
      kept.set(key, structuredClone(value));
    },
    async load(key) {
      if (!kept.has(key)) throw Object.assign(new Error(`no ${key}`), { code: "NOT_FOUND" });
      return structuredClone(kept.get(key));
    },
    async list(prefix = "") {
      return [...kept.keys()].filter((key) => key.startsWith(prefix));
    },
    async delete(key) {
      kept.delete(key);
    },
  };
}

for (const engine of ["native", "wasm"]) {
  test(`${engine}: flows in memory meet the flow-storage contract`, async () => {
    checkFlowStorage(
      await flowStorageScenario(node, { config: { engine, storage: { type: "memory" }, history: false } }),
      `${engine} memory`,
    );
  });

  test(`${engine}: flows in files meet the flow-storage contract`, async (t) => {
    const directory = tempDir(t, `flows-${engine}`);
    checkFlowStorage(
      await flowStorageScenario(node, { config: { engine, storage: { type: "fs", directory }, history: false } }),
      `${engine} files`,
    );
  });
}

test("native: flows in PostgreSQL meet the flow-storage contract", { timeout: 120_000 }, async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const config = { engine: "native", storage: { type: "postgres", url: postgres.url }, history: false };
  checkFlowStorage(await flowStorageScenario(node, { config }), "native PostgreSQL");
});

test("a queue's flows in Redis meet the flow-storage contract", { timeout: 120_000 }, async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const opened = [];
  const queue = {
    createConductor: (config) => {
      opened.push(createQueueConductor(config));
      return opened.at(-1);
    },
  };
  // The scenario shuts the conductor down; its Redis connections are closed here.
  t.after(() => Promise.all(opened.map((conductor) => conductor.close())));
  checkFlowStorage(await flowStorageScenario(queue, { config: { connection: redis.url, queue: "contract" } }), "queue Redis");
});

for (const engine of ["native", "wasm"]) {
  test(`${engine}: the app's own key-value storage meets the flow-storage contract`, async () => {
    checkFlowStorage(
      await flowStorageScenario(node, { config: { engine, storage: keyValueStorage(), history: false } }),
      `${engine} app key-value storage`,
    );
  });
}

test("the app's key-value storage keeps flows as objects under flows/<id>, and flows it kept before are read", async (t) => {
  const storage = keyValueStorage();
  // As an app's storage held a flow before (an object, with fields of its own).
  await storage.save("flows/kept-before", {
    id: "kept-before",
    name: "Kept before",
    type: "group",
    nodes: [{ id: "a", type: "transform", parameters: { data: [1] } }],
    edges: [],
    savedAt: "2026-01-02T03:04:05.000Z",
    updatedAt: "2026-01-02T03:04:05.000Z",
    version: "0.9.0",
  });
  const conductor = createConductor({ storage, history: false });
  t.after(() => conductor.shutdown());
  const loaded = await conductor.storage.loadFlow("kept-before");
  assert.deepEqual([loaded.name, loaded.version, loaded.nodes.length], ["Kept before", "1.0.0", 1], "read, 0.9.0 as 1.0.0");
  const listed = await conductor.storage.listFlows();
  assert.deepEqual(
    listed.flows.map((item) => [item.id, item.createdAt]),
    [["kept-before", "2026-01-02T03:04:05.000Z"]],
    "listed, created when saved",
  );
  const result = await conductor.node.run(loaded);
  assert.equal(result.success, true, result.error?.message);
  await conductor.storage.saveFlow({ id: "new-one", name: "New", nodes: [{ id: "a", type: "transform" }], edges: [] });
  const stored = await storage.load("flows/new-one");
  assert.equal(typeof stored, "object", "the app's storage holds the flow as an object");
  assert.deepEqual([stored.id, stored.name, stored.version], ["new-one", "New", "1.0.0"]);
  // A storage that fails says so, with its own message.
  const failing = { ...keyValueStorage(), save: async () => Promise.reject(new Error("disk full")) };
  const broken = createConductor({ storage: failing, history: false });
  t.after(() => broken.shutdown());
  await assert.rejects(broken.storage.saveFlow({ id: "x", nodes: [{ id: "a", type: "transform" }] }), /disk full/);
});
