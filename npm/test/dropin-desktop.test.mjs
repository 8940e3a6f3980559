// setupMainProcessHandler: the docs' one-call Electron main-process setup. It creates the
// conductor, serves it over IPC (ipcMain from the options or from `electron`), takes `storage`
// as a storage config or as a storage object the app made, and returns a handle to dispose.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { createRemoteConductor, setupMainProcessHandler } from "@atomiton/conductor/desktop";
import { createConductor } from "@atomiton/conductor";
import { electronDouble } from "../test-support/remote.mjs";
import { repoRoot } from "../test-support/helpers.mjs";

const flow = {
  id: "report",
  name: "Report",
  type: "group",
  nodes: [{ id: "a", type: "edit-fields", parameters: { values: { done: true }, keepOnlySet: true } }],
  edges: [],
};

/** An app's key-value storage engine (`save`, `load`, `list`, `delete`), kept in a Map. */
function appKeyValueStorage() {
  const entries = new Map();
  return {
    entries,
    save: async (key, data) => void entries.set(key, structuredClone(data)),
    load: async (key) => {
      if (!entries.has(key)) throw Object.assign(new Error(`Key not found: ${key}`), { code: "NOT_FOUND" });
      return structuredClone(entries.get(key));
    },
    list: async (prefix = "") => [...entries.keys()].filter((key) => key.startsWith(prefix)),
    delete: async (key) => void entries.delete(key),
  };
}

test("the docs' setupMainProcessHandler({concurrency: 4, storage}) serves a renderer over IPC", async (t) => {
  const electron = electronDouble();
  const handler = setupMainProcessHandler({
    ipcMain: electron.ipcMain,
    webContents: [electron.webContents],
    concurrency: 4,
    storage: { type: "memory" },
  });
  t.after(() => handler.dispose());
  const renderer = createRemoteConductor({ bridge: electron.bridge });
  t.after(() => renderer.close());
  const progress = [];
  renderer.node.onProgress((event) => progress.push(event.progress));
  const result = await renderer.node.run(flow);
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.data, { result: { done: true } });
  assert.equal(progress.at(-1), 100, "events reach the renderer's webContents");
  await renderer.storage.saveFlow(flow);
  assert.equal((await handler.conductor.storage.loadFlow("report")).name, "Report", "the handle's conductor is the one served");
  const viaExecute = await renderer.execute({ flowId: "double-and-summarise" });
  assert.equal(viaExecute.metadata.source, "template");
});

test("dispose() removes the IPC handlers and shuts the conductor down; cleanup() is the same", async () => {
  const electron = electronDouble();
  const handler = setupMainProcessHandler({ ipcMain: electron.ipcMain, storage: { type: "memory" } });
  assert.deepEqual([...electron.handlers.keys()].sort(), [
    "cache:call",
    "executions:call",
    "flow:call",
    "node:call",
    "storage:call",
    "system:call",
    "triggers:call",
    "waits:call",
  ]);
  assert.equal(handler.cleanup, handler.dispose);
  await Promise.all([handler.dispose(), handler.cleanup()]);
  assert.deepEqual([...electron.handlers.keys()], []);
  assert.equal((await handler.conductor.node.run(flow)).error.code, "NO_TRANSPORT");
});

test("storage may be the app's own key-value storage: flows live there under flows/<id>", async (t) => {
  const storage = appKeyValueStorage();
  const electron = electronDouble();
  const handler = setupMainProcessHandler({ ipcMain: electron.ipcMain, storage });
  t.after(() => handler.dispose());
  const renderer = createRemoteConductor({ bridge: electron.bridge });
  t.after(() => renderer.close());
  const saved = [];
  handler.conductor.storage.onFlowSaved((event) => saved.push(event.id));

  const first = await renderer.storage.saveFlow(flow);
  assert.equal(first.version, "1.0.0");
  assert.equal(typeof first.savedAt, "string");
  await renderer.storage.saveFlow({ ...flow, id: "another", name: "Another" });
  assert.deepEqual([...storage.entries.keys()].sort(), ["flows/another", "flows/report"]);
  assert.deepEqual(saved, ["report", "another"]);
  assert.equal((await renderer.storage.loadFlow("report")).name, "Report");
  const byName = await renderer.storage.listFlows({ sortBy: "name", sortOrder: "asc" });
  assert.deepEqual([byName.total, byName.flows.map((item) => item.id)], [2, ["another", "report"]]);
  const run = await renderer.execute({ flowId: "another" });
  assert.equal(run.metadata.source, "storage", "execute loads saved flows from the app's storage");
  await renderer.storage.deleteFlow("another");
  assert.deepEqual([...storage.entries.keys()], ["flows/report"]);
  await assert.rejects(renderer.storage.loadFlow("another"), /Flow with id another not found/);
  await assert.rejects(handler.conductor.storage.loadFlow("../escape"), (error) => error.code === "VALIDATION_FAILED");
});

test("storage may be an object with the conductor's storage methods", async () => {
  const calls = [];
  const store = {
    saveFlow: async (saved) => (calls.push(["save", saved.id]), { ...saved, savedAt: "2025-01-01T00:00:00.000Z" }),
    loadFlow: async (id) => (
      calls.push(["load", id]), id === "report" ? flow : Promise.reject(Object.assign(new Error("gone"), { code: "NOT_FOUND" }))
    ),
    listFlows: async () => ({ flows: [{ id: "report" }], total: 1 }),
    deleteFlow: async (id) => void calls.push(["delete", id]),
  };
  const conductor = createConductor({ storage: store });
  assert.equal((await conductor.storage.saveFlow(flow)).savedAt, "2025-01-01T00:00:00.000Z");
  assert.deepEqual(await conductor.storage.listFlows(), { flows: [{ id: "report" }], total: 1 });
  assert.equal((await conductor.execute({ flowId: "report" })).metadata.source, "storage");
  assert.equal(
    (await conductor.execute({ flowId: "double-and-summarise" })).metadata.source,
    "template",
    "a NOT_FOUND falls through to templates",
  );
  await conductor.storage.deleteFlow("report");
  assert.deepEqual(calls, [
    ["save", "report"],
    ["load", "report"],
    ["load", "double-and-summarise"],
    ["delete", "report"],
  ]);
  await conductor.shutdown();
});

test("without ipcMain outside Electron: a coded error with the message the older handler threw", () => {
  assert.throws(
    () => setupMainProcessHandler({ concurrency: 4 }),
    (error) => error.code === "NO_TRANSPORT" && error.message.includes("Main process handler requires Electron main process context"),
  );
});

test("in Electron's main process (CommonJS, no ipcMain given) it takes ipcMain and the windows from electron", async () => {
  const npm = join(repoRoot, "npm");
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--no-experimental-require-module", join(npm, "test-support", "consumers", "electron-main.cjs")],
    {
      cwd: npm,
      env: { ...process.env, NODE_PATH: join(npm, "test-support", "fake-electron") },
    },
  );
  const seen = JSON.parse(stdout);
  assert.deepEqual(seen.registered, [
    "cache:call",
    "executions:call",
    "flow:call",
    "node:call",
    "storage:call",
    "system:call",
    "triggers:call",
    "waits:call",
  ]);
  assert.deepEqual(seen.templates, ["hello-world", "data-pipeline", "image-processing", "double-and-summarise"]);
  assert.ok(seen.broadcasts.includes("storage:event:flowSaved"), `broadcasts go to every window: ${seen.broadcasts}`);
  assert.deepEqual(seen.afterDispose, []);
});
