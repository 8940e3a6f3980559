// The flow-storage contract as a conductor's user sees it (`conductor.storage`), one scenario
// for every place flows are kept: the native engine's memory, files and PostgreSQL, a queue's
// Redis, the WebAssembly engine's memory and files, the app's own key-value storage, and
// IndexedDB in a Chromium page. The scenario is `async (mod, arg) => observations` (it runs
// unchanged in a page: it uses nothing outside its body, see browser-page.mjs); `checkFlowStorage`
// holds the assertions, so every backend is held to the same ones.
import assert from "node:assert/strict";

/**
 * Saves, loads, lists, replaces and deletes flows through `mod.createConductor(arg.config)`'s
 * storage (`arg.clear`: delete what is there first, for a store shared with other tests).
 */
export async function flowStorageScenario(mod, arg) {
  const conductor = mod.createConductor(arg.config);
  const storage = conductor.storage;
  const failure = async (work) => {
    try {
      await work();
      return { code: "none" };
    } catch (error) {
      return { code: error?.code, message: String(error?.message) };
    }
  };
  const flow = (id, name, nodes = 1) => ({
    id,
    name,
    type: "group",
    nodes: Array.from({ length: nodes }, (_, i) => ({ id: `n${i}`, type: "transform", parameters: { data: [i] }, custom: { kept: i } })),
    edges: [],
  });
  if (arg.clear) for (const item of (await storage.listFlows({ limit: 10_000 })).flows) await storage.deleteFlow(item.id);
  const observed = {};
  observed.empty = await storage.listFlows();
  observed.missingLoad = await failure(() => storage.loadFlow("missing"));
  observed.missingDelete = await failure(() => storage.deleteFlow("missing"));
  const name = 'Fïrst — "quoted"\ttabbed 😀';
  observed.saved = await storage.saveFlow(flow("first", name));
  observed.loaded = await storage.loadFlow("first");
  // Saved again: replaced whole, created when it was first saved.
  await new Promise((resolve) => setTimeout(resolve, 5));
  observed.resaved = await storage.saveFlow(flow("first", "First, renamed", 2));
  observed.reloaded = await storage.loadFlow("first");
  // A flow of the format's version 2 keeps its version (it decides what its edges mean).
  observed.versioned = (await storage.saveFlow({ ...flow("second", "b-second"), version: "2.0.0" })).version;
  // Many at once: each lands, each listed once (and saved after the others: newest first).
  await new Promise((resolve) => setTimeout(resolve, 5));
  await Promise.all(Array.from({ length: 8 }, (_, i) => storage.saveFlow(flow(`many-${i}`, `c-many-${i}`))));
  observed.listed = await storage.listFlows({ limit: 100, sortBy: "name", sortOrder: "asc" });
  observed.paged = await storage.listFlows({ limit: 3, offset: 2, sortBy: "name", sortOrder: "asc" });
  observed.newestFirst = (await storage.listFlows({ limit: 1 })).flows.map((item) => item.id);
  // Without an id: one is made.
  observed.generated = (await storage.saveFlow({ name: "no id", nodes: [{ id: "a", type: "transform" }] })).id;
  await storage.deleteFlow(observed.generated);
  // A large flow comes back whole.
  const large = flow("large", "large", 2000);
  await storage.saveFlow(large);
  const loadedLarge = await storage.loadFlow("large");
  observed.large = { nodes: loadedLarge.nodes.length, last: loadedLarge.nodes[1999] };
  observed.hostile = [];
  for (const id of ["../escape", "a/b", ".hidden"]) observed.hostile.push((await failure(() => storage.saveFlow(flow(id, "x")))).code);
  await storage.deleteFlow("first");
  observed.deletedLoad = await failure(() => storage.loadFlow("first"));
  observed.total = (await storage.listFlows()).total;
  await conductor.shutdown?.();
  return observed;
}

/** The contract: what every backend's observations must be. */
export function checkFlowStorage(o, backend) {
  const is = (what) => `${backend}: ${what}`;
  assert.deepEqual(o.empty, { flows: [], total: 0 }, is("an empty store lists nothing"));
  for (const missing of [o.missingLoad, o.missingDelete]) {
    assert.deepEqual([missing.code, missing.message], ["NODE_NOT_FOUND", "Flow with id missing not found"], is("a missing flow"));
  }
  assert.equal(o.saved.id, "first", is("the id given is kept"));
  assert.equal(o.saved.version, "1.0.0", is("a flow without a version is saved as 1.0.0"));
  assert.match(o.saved.savedAt, /^\d{4}-\d\d-\d\dT.*Z$/, is("savedAt is an ISO date"));
  assert.equal(o.saved.createdAt, o.saved.savedAt, is("created when first saved"));
  assert.equal(o.loaded.name, 'Fïrst — "quoted"\ttabbed 😀', is("the name comes back exactly"));
  assert.deepEqual(o.loaded.nodes[0].custom, { kept: 0 }, is("fields the engine does not know are kept"));
  assert.equal(o.reloaded.name, "First, renamed", is("saved again: replaced"));
  assert.equal(o.reloaded.nodes.length, 2, is("saved again: replaced whole"));
  assert.equal(o.reloaded.createdAt, o.saved.createdAt, is("saved again: still created when first saved"));
  assert.ok(o.resaved.savedAt >= o.saved.savedAt, is("saved again: savedAt moves on"));
  assert.equal(o.versioned, "2.0.0", is("a version-2 flow keeps its version"));
  const names = o.listed.flows.map((item) => item.name);
  assert.deepEqual(
    names,
    ["b-second", "c-many-0", "c-many-1", "c-many-2", "c-many-3", "c-many-4", "c-many-5", "c-many-6", "c-many-7", "First, renamed"],
    is("every flow listed once, by name without case"),
  );
  assert.equal(o.listed.total, 10, is("the total counts every flow"));
  const first = o.listed.flows.find((item) => item.id === "first");
  assert.deepEqual(
    Object.keys(first).sort(),
    ["createdAt", "id", "modifiedAt", "name", "nodeCount", "savedAt", "updatedAt", "version"],
    is("a listed flow's fields"),
  );
  assert.equal(first.nodeCount, 2, is("a listed flow's node count"));
  assert.deepEqual(
    o.paged.flows.map((item) => item.name),
    names.slice(2, 5),
    is("limit and offset page the sorted list"),
  );
  assert.equal(o.paged.total, 10, is("a page's total is every flow's"));
  assert.equal(o.newestFirst.length, 1, is("limit 1 gives one flow"));
  assert.match(o.newestFirst[0], /^many-\d$/, is("the default order lists the newest first"));
  assert.match(o.generated, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, is("an id is made for a flow without one"));
  assert.deepEqual(
    o.large,
    { nodes: 2000, last: { id: "n1999", type: "transform", parameters: { data: [1999] }, custom: { kept: 1999 } } },
    is("a large flow"),
  );
  assert.deepEqual(o.hostile, ["VALIDATION_FAILED", "VALIDATION_FAILED", "VALIDATION_FAILED"], is("ids that could escape are refused"));
  assert.equal(o.deletedLoad.code, "NODE_NOT_FOUND", is("a deleted flow is gone"));
  assert.equal(o.total, 10, is("what is left after the deletion"));
}
