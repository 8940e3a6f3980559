// Flow storage: YAML files written atomically, hostile ids refused, persistence across processes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";

const flow = (id, name) => ({
  id,
  name,
  type: "group",
  nodes: [{ id: "a", type: "transform", parameters: { data: [1] }, custom: { kept: true } }],
  edges: [],
});

test("save, load, list, delete, with onFlowSaved", async (t) => {
  const directory = tempDir(t, "flows");
  const conductor = createConductor({ storage: { type: "fs", directory } });
  const saved = [];
  conductor.storage.onFlowSaved((event) => saved.push(event));
  const one = await conductor.storage.saveFlow(flow("one", "First"));
  assert.equal(one.version, "1.0.0");
  assert.match(one.savedAt, /Z$/);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(saved.length, 1);
  assert.deepEqual([saved[0].id, saved[0].flowId, saved[0].name], ["one", "one", "First"]);
  const text = readFileSync(join(directory, "one.flow.yaml"), "utf8");
  assert.match(text, /^id: one\n/m, "human-readable YAML");
  const loaded = await conductor.storage.loadFlow("one");
  assert.deepEqual(loaded.nodes[0].custom, { kept: true });
  await conductor.storage.saveFlow(flow("two", "second"));
  const listed = await conductor.storage.listFlows({ sortBy: "name", sortOrder: "asc" });
  assert.deepEqual(
    listed.flows.map((f) => f.id),
    ["one", "two"],
  );
  assert.equal(listed.total, 2);
  assert.equal((await conductor.storage.listFlows({ limit: 1, offset: 1, sortBy: "name", sortOrder: "asc" })).flows[0].id, "two");
  await conductor.storage.deleteFlow("two");
  assert.equal(existsSync(join(directory, "two.flow.yaml")), false);
  await assert.rejects(conductor.storage.loadFlow("two"), /Flow with id two not found/);
  await assert.rejects(conductor.storage.saveFlow({ id: "empty", nodes: [] }), /Flow must contain at least one node/);
  assert.deepEqual(
    readdirSync(directory).filter((f) => f.includes(".tmp")),
    [],
    "no temp files left",
  );
});

test("hostile ids are refused and nothing is written outside the directory", async (t) => {
  const directory = tempDir(t, "flows");
  const conductor = createConductor({ storage: { type: "fs", directory } });
  for (const id of ["../escape", "a/b", ".hidden", "..", "x..y"]) {
    await assert.rejects(
      conductor.storage.saveFlow(flow(id, "x")),
      (error) => error.code === "VALIDATION_FAILED" && /Invalid flow id/.test(error.message),
      id,
    );
    await assert.rejects(conductor.storage.loadFlow(id), /Invalid flow id/);
  }
  assert.equal(existsSync(join(directory, "..", "escape.flow.yaml")), false);
  const generated = await conductor.storage.saveFlow({ name: "no id", nodes: [{ id: "a", type: "transform" }] });
  assert.match(generated.id, /^[0-9a-f-]{36}$/);
});

test("flows saved by one process are loaded by the next", async (t) => {
  const directory = tempDir(t, "flows");
  const script = (body) => `import { createConductor } from "@atomiton/conductor";
const conductor = createConductor({ storage: { type: "fs", directory: ${JSON.stringify(directory)} } });
${body}`;
  const cwd = new URL("..", import.meta.url).pathname;
  execFileSync(
    process.execPath,
    ["--input-type=module", "-e", script(`await conductor.storage.saveFlow(${JSON.stringify(flow("persisted", "Kept"))});`)],
    { cwd },
  );
  const out = execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      script(
        `const f = await conductor.storage.loadFlow("persisted"); const r = await conductor.node.run(f); console.log(JSON.stringify({ name: f.name, success: r.success }));`,
      ),
    ],
    { cwd, encoding: "utf8" },
  );
  assert.deepEqual(JSON.parse(out), { name: "Kept", success: true });
});

test("the memory engine keeps flows per conductor", async () => {
  const a = createConductor({ storage: { type: "memory" } });
  const b = createConductor({ storage: { type: "memory" } });
  await a.storage.saveFlow(flow("m", "Memory"));
  assert.equal((await a.storage.listFlows()).total, 1);
  assert.equal((await b.storage.listFlows()).total, 0);
});

test('flows kept in PostgreSQL (storage: {type: "postgres", url}) are shared by every conductor naming the database', {
  timeout: 120_000,
}, async (t) => {
  const { startPostgres } = await import("../test-support/postgres.mjs");
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const storage = { type: "postgres", url: postgres.url };
  const first = createConductor({ storage, history: false });
  const second = createConductor({ storage, history: false });
  t.after(() => Promise.all([first.shutdown(), second.shutdown()]));
  await first.storage.saveFlow(flow("shared", "Shared"));
  const loaded = await second.storage.loadFlow("shared");
  assert.deepEqual([loaded.name, loaded.nodes[0].custom], ["Shared", { kept: true }], "the other conductor reads it whole");
  await second.storage.saveFlow(flow("shared", "Renamed"));
  assert.equal((await first.storage.loadFlow("shared")).name, "Renamed", "saved again: replaced");
  await first.storage.saveFlow(flow("other", "Other"));
  assert.deepEqual(
    (await second.storage.listFlows({ sortBy: "name", sortOrder: "asc" })).flows.map((f) => f.id),
    ["other", "shared"],
  );
  await second.storage.deleteFlow("other");
  assert.deepEqual(
    (await first.storage.listFlows()).flows.map((f) => f.id),
    ["shared"],
  );
  // A flow saved in the database runs like any other.
  const result = await first.node.run(await first.storage.loadFlow("shared"));
  assert.equal(result.success, true, result.error?.message);
  // Runs recorded and cached in the same database (history.store): a result one conductor made
  // is a hit for the other.
  const pure = {
    id: "pure",
    type: "group",
    nodes: [{ id: "t", type: "transform", parameters: { transformFunction: "x => 41 + 1" } }],
    edges: [],
  };
  const fleet = () => createConductor({ storage, history: { store: postgres.url }, cache: true });
  const [one, two] = [fleet(), fleet()];
  t.after(() => Promise.all([one.shutdown(), two.shutdown()]));
  assert.equal((await one.node.run(pure)).success, true);
  await until(async () => (await two.cache.stats()).entries === 1, 30_000, "the entry stored");
  const again = await two.node.run(pure, { executionId: "cached-elsewhere" });
  assert.equal(again.success, true);
  let record;
  await until(
    async () => (record = await one.executions.get("cached-elsewhere").catch(() => undefined)) !== undefined,
    30_000,
    "the run recorded",
  );
  assert.deepEqual(
    record.nodes.map((node) => [node.nodeId, node.state]),
    [["t", "cached"]],
    "the other conductor's result, from the database",
  );
  // Mistakes are refused before anything is opened.
  assert.throws(
    () => createConductor({ storage: { type: "postgres" } }),
    (e) => e.code === "VALIDATION_FAILED" && /storage\.url/.test(e.message),
  );
  assert.throws(
    () => createConductor({ storage: { type: "fs", url: postgres.url } }),
    (e) => e.code === "VALIDATION_FAILED" && /url/.test(e.message),
  );
});
