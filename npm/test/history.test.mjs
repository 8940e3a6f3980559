// Execution history through the built package: every run recorded as it goes (native: SQLite
// beside the flows; wasm in Node: memory), read back with conductor.executions, retried from the
// failed node without running again what succeeded, pruned, marked crashed when its process
// died, and served over the wire protocol to callers who may see every run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createConductor, createRemoteConductor } from "@atomiton/conductor/desktop";
import { repoRoot, tempDir, until } from "../test-support/helpers.mjs";
import { ipcBridgeTo, startServer } from "../test-support/remote.mjs";
import { authServer, login, post } from "../test-support/server.mjs";
import { WebSocket } from "ws";

const ENGINES = ["native", "wasm"];

/**
 * A conductor whose `count` nodes add their parameter `k` to their input (counting calls per
 * node id) and fail while their id is in `broken`.
 */
function rig(config = {}) {
  const calls = new Map();
  const broken = new Set();
  const conductor = createConductor({
    storage: { type: "memory" },
    ...config,
    nodeExecutorFactory: {
      getNodeExecutable: (type) =>
        type === "count"
          ? {
              execute: (p) => {
                calls.set(p.nodeId, (calls.get(p.nodeId) ?? 0) + 1);
                if (broken.has(p.nodeId)) throw new Error(`${p.nodeId} is broken`);
                return (typeof p.input?.default === "number" ? p.input.default : 0) + (p.k ?? 1);
              },
            }
          : undefined,
    },
  });
  return { conductor, calls, broken, count: (id) => calls.get(id) ?? 0 };
}

/** a → b → c, and d beside them (d does not depend on anything). */
const diamond = {
  id: "pipeline",
  type: "group",
  nodes: [
    { id: "a", type: "count", parameters: { k: 1 } },
    { id: "b", type: "count", parameters: { k: 10 } },
    { id: "c", type: "count", parameters: { k: 100 } },
    { id: "d", type: "count", parameters: { k: 1000 } },
  ],
  edges: [
    { source: "a", target: "b" },
    { source: "b", target: "c" },
  ],
};

for (const engine of ENGINES) {
  test(`${engine}: every run is recorded with its nodes, as its result says`, async () => {
    const { conductor } = rig({ engine });
    const result = await conductor.node.run(diamond, { executionId: `rec-${engine}`, input: { default: 5 }, variables: { region: "eu" } });
    assert.equal(result.success, true, result.error?.message);
    const page = await conductor.executions.list();
    assert.equal(page.total, 1);
    const [summary] = page.executions;
    assert.deepEqual([summary.id, summary.flowId, summary.status], [`rec-${engine}`, "pipeline", "success"]);
    assert.match(summary.flowHash, /^[0-9a-f]{16}$/);
    assert.ok(summary.endTime >= summary.startTime && summary.duration === summary.endTime - summary.startTime);
    // A time range: from `since` (included), before `until` (excluded), as numbers or Dates.
    const within = async (range) => (await conductor.executions.list(range)).total;
    assert.deepEqual(
      [
        await within({ since: summary.startTime }),
        await within({ since: summary.startTime + 1 }),
        await within({ until: new Date(summary.startTime) }),
        await within({ since: new Date(summary.startTime - 1000), until: summary.startTime + 1 }),
      ],
      [1, 0, 0, 1],
    );
    await assert.rejects(
      conductor.executions.list({ since: "yesterday" }),
      (e) => e.code === "VALIDATION_FAILED" && /since/.test(e.message),
    );
    // Counts in each status, for a dashboard: of every flow, one flow, a time range.
    const none = { total: 0, running: 0, success: 0, failed: 0, cancelled: 0, crashed: 0, interrupted: 0, waiting: 0 };
    assert.deepEqual(await conductor.executions.counts(), { ...none, total: 1, success: 1 });
    assert.deepEqual(await conductor.executions.counts({ flowId: "other" }), none);
    assert.deepEqual(await conductor.executions.counts({ flowId: "pipeline", since: summary.startTime + 1 }), none);
    assert.deepEqual(await conductor.executions.counts({ until: new Date(summary.startTime + 1) }), { ...none, total: 1, success: 1 });
    await assert.rejects(conductor.executions.counts({ since: "yesterday" }), (e) => e.code === "VALIDATION_FAILED");
    await assert.rejects(
      conductor.executions.counts({ flowID: "pipeline" }),
      (e) => e.code === "VALIDATION_FAILED" && /flowID/.test(e.message) && /flowId/.test(e.message),
      "a misspelt filter is refused, not ignored",
    );

    const record = await conductor.executions.get(`rec-${engine}`);
    assert.deepEqual(record.flow, diamond, "the definition as it ran");
    assert.deepEqual([record.input, record.variables], [{ default: 5 }, { region: "eu" }]);
    const byId = Object.fromEntries(record.nodes.map((n) => [n.nodeId, n]));
    assert.deepEqual(Object.keys(byId).sort(), ["a", "b", "c", "d"]);
    assert.deepEqual(
      ["a", "b", "c", "d"].map((id) => [byId[id].state, byId[id].attempts, byId[id].output]),
      [
        ["completed", 1, 6],
        ["completed", 1, 16],
        ["completed", 1, 116],
        ["completed", 1, 1005],
      ],
    );
    assert.deepEqual(byId.b.input, { default: 6 }, "a node's input is what reached it");
    for (const node of record.nodes) assert.ok(node.startTime <= node.endTime, node.nodeId);
    const ends = record.nodes.map((n) => n.endTime);
    assert.deepEqual(
      ends,
      [...ends].sort((x, y) => x - y),
      "nodes in the order they ended",
    );
  });

  test(`${engine}: a retry from the failed node runs only what failed and what depends on it`, async () => {
    const { conductor, broken, count } = rig({ engine });
    broken.add("b");
    const failed = await conductor.node.run(diamond, { executionId: `fail-${engine}`, input: { default: 5 } });
    assert.equal(failed.success, false);
    const record = await conductor.executions.get(`fail-${engine}`);
    assert.equal(record.status, "failed");
    assert.equal(record.error.code, "EXECUTION_FAILED");
    assert.equal(record.nodes.find((n) => n.nodeId === "b").state, "error");
    const before = { a: count("a"), b: count("b"), c: count("c"), d: count("d") };

    broken.clear();
    const retried = await conductor.executions.retry(`fail-${engine}`);
    assert.equal(retried.success, true, retried.error?.message);
    assert.deepEqual(
      { a: count("a") - before.a, b: count("b") - before.b, c: count("c") - before.c, d: count("d") - before.d },
      { a: 0, b: 1, c: 1, d: 0 },
      "a and d succeeded before: their recorded outputs are reused",
    );
    const clean = await rig({ engine }).conductor.node.run(diamond, { input: { default: 5 } });
    assert.deepEqual(retried.data, clean.data, "the same data as a clean run");

    const [newest] = (await conductor.executions.list({ limit: 1 })).executions;
    assert.equal(newest.retryOf, `fail-${engine}`, "the new run is linked to the one it retried");
    const again = await conductor.executions.get(newest.id);
    const reused = again.nodes
      .filter((n) => n.reused)
      .map((n) => n.nodeId)
      .sort();
    assert.deepEqual(reused, ["a", "d"]);

    const nothingFailed = await conductor.executions.retry(newest.id);
    assert.equal(nothingFailed.error?.code, "VALIDATION_FAILED", "a run that succeeded has no failed node");
    assert.match(nothingFailed.error.message, /succeeded/);
    const fromStart = await conductor.executions.retry(newest.id, { from: "start" });
    assert.equal(fromStart.success, true);
    assert.equal(count("a"), before.a + 1, "from start runs everything");
    const fromB = count("b");
    const fromNode = await conductor.executions.retry(newest.id, { from: "c" });
    assert.equal(fromNode.success, true);
    assert.equal(count("b"), fromB, "from c reuses b");
  });

  test(`${engine}: a retry with a changed flow reuses the nodes whose ids still match`, async () => {
    const { conductor, broken, count } = rig({ engine });
    broken.add("c");
    await conductor.node.run(diamond, { executionId: `edit-${engine}`, input: { default: 0 } });
    const changed = structuredClone(diamond);
    changed.nodes[2] = { id: "c", type: "count", parameters: { k: 7 } };
    broken.clear();
    const b = count("b");
    const retried = await conductor.executions.retry(`edit-${engine}`, { flow: changed });
    assert.equal(retried.success, true, retried.error?.message);
    assert.equal(count("b"), b, "b is reused");
    const record = await conductor.executions.get((await conductor.executions.list({ limit: 1 })).executions[0].id);
    assert.equal(record.nodes.find((n) => n.nodeId === "c").output, 11 + 7, "c ran the new definition on b's recorded output");
  });

  test(`${engine}: history is off per conductor or per run; values are cut and redacted as configured`, async () => {
    const off = rig({ engine, history: false }).conductor;
    await off.node.run(diamond);
    await assert.rejects(off.executions.list(), (e) => e.code === "VALIDATION_FAILED" && /history/.test(e.message));

    const { conductor } = rig({ engine, history: { maxValueBytes: 200, redactKeys: ["apiKey"] } });
    await conductor.node.run(diamond, { history: false });
    assert.equal((await conductor.executions.list()).total, 0, "history: false on the run");
    await conductor.node.run(diamond, {
      executionId: `cut-${engine}`,
      input: { default: 1 },
      variables: { apiKey: "s3cret", big: "x".repeat(500) },
    });
    const record = await conductor.executions.get(`cut-${engine}`);
    assert.equal(record.variables.$truncated, true, "over maxValueBytes: a marker");
    assert.ok(!JSON.stringify(record).includes("s3cret"), "a redacted key's value is stored nowhere");
  });

  test(`${engine}: retention prunes as runs end; prune and delete`, async () => {
    const { conductor } = rig({ engine, history: { retention: { maxRuns: 3 } } });
    for (let i = 0; i < 64; i++) await conductor.node.run(diamond, { executionId: `keep-${i}` });
    const kept = await conductor.executions.list();
    assert.deepEqual(
      kept.executions.map((e) => e.id),
      ["keep-63", "keep-62", "keep-61"],
      "retention keeps the newest maxRuns",
    );
    await assert.rejects(
      conductor.executions.prune({ keep: 1, olderthan: 1 }),
      (e) => e.code === "VALIDATION_FAILED" && /unknown option 'olderthan' \(did you mean 'olderThan'\?\)/.test(e.message),
      "a misspelt field is refused, not read as absent",
    );
    assert.equal((await conductor.executions.list()).total, 3, "and nothing was pruned");
    assert.deepEqual(await conductor.executions.prune({ keep: 1 }), { deleted: 2 });
    await conductor.executions.delete("keep-63");
    assert.equal((await conductor.executions.list()).total, 0);
    await assert.rejects(conductor.executions.get("keep-63"), (e) => e.code === "NODE_NOT_FOUND");
    await assert.rejects(conductor.executions.prune({}), (e) => e.code === "VALIDATION_FAILED");
  });

  test(`${engine}: hostile execution ids and options are refused with a code`, async () => {
    const { conductor } = rig({ engine });
    await conductor.node.run(diamond, { executionId: "real-one" });
    const hostile = ["", "../../etc/passwd", "a".repeat(100_000), "nul\u0000byte", "x' OR '1'='1", ".hidden", "a/b", "\ud800"];
    for (const id of hostile) {
      for (const call of ["get", "delete", "retry"]) {
        await assert.rejects(
          conductor.executions[call](id),
          (e) => e.code === "VALIDATION_FAILED" && e.message.length < 400,
          `${call}(${JSON.stringify(id).slice(0, 20)})`,
        );
      }
    }
    for (const id of [42, null, {}, undefined]) await assert.rejects(conductor.executions.get(id), (e) => e.code === "VALIDATION_FAILED");
    await assert.rejects(conductor.executions.list({ limit: -1 }), (e) => e.code === "VALIDATION_FAILED");
    await assert.rejects(conductor.executions.list({ status: "nope" }), (e) => e.code === "VALIDATION_FAILED");
    const retry = await conductor.node.run(diamond, { retry: { of: "../nope" } });
    assert.equal(retry.error.code, "VALIDATION_FAILED", "a run retrying a hostile id fails clearly");
    assert.equal((await conductor.executions.list()).total, 1, "and the one real run is untouched");
  });
}

test("native: history lives in history.sqlite beside the flows and outlives the conductor", async (t) => {
  const directory = tempDir(t, "history-dir");
  const first = createConductor({ storage: { directory } });
  await first.node.run(
    { id: "solo", type: "transform", parameters: { data: [1], transformFunction: "x => x + 1" } },
    { executionId: "outlives" },
  );
  assert.ok(existsSync(join(directory, "history.sqlite")));
  // Records are written in the background; shutdown stores every one before it resolves.
  await first.shutdown();
  const second = createConductor({ storage: { directory } });
  const record = await second.executions.get("outlives");
  assert.deepEqual([record.status, record.flowId], ["success", "solo"]);
  await second.shutdown();
});

test("native: a process killed mid-run leaves a record the next conductor marks crashed, and it retries from what finished", async (t) => {
  const directory = tempDir(t, "history-crash");
  const child = spawn(process.execPath, [join(repoRoot, "npm", "test-support", "history-child.mjs"), directory], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("recorded exec-killed-1"), undefined, "the child to record its first node");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;

  const { conductor, count } = rig({ storage: { directory } });
  const record = await conductor.executions.get("exec-killed-1");
  assert.equal(record.status, "crashed", "the run's process is gone");
  assert.ok(record.endTime >= record.startTime);
  assert.deepEqual(
    record.nodes.map((n) => [n.nodeId, n.state, n.output]),
    [["first", "completed", 42]],
    "what it finished is kept",
  );
  assert.equal((await conductor.executions.list({ status: "crashed" })).total, 1);

  // The retry replaces the executor that never ended; `first` is not run again.
  const retried = await conductor.executions.retry("exec-killed-1", {
    flow: { ...record.flow, nodes: [record.flow.nodes[0], { id: "stuck", type: "count" }] },
  });
  assert.equal(retried.success, true, retried.error?.message);
  assert.equal(retried.data, 43);
  assert.equal(count("first"), 0, "first's recorded output was reused");
  assert.equal(count("stuck"), 1);
});

test("over the wire: executions for callers who see every run, refused to callers limited to their own", async (t) => {
  const served = await startServer(t);
  await served.conductor.node.run(
    { id: "w", type: "group", nodes: [{ id: "t", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x * 2" } }] },
    { executionId: "served-1" },
  );
  const { bridge } = ipcBridgeTo(t, served.conductor);
  const clients = {
    http: createRemoteConductor({ serverUrl: served.server.url }),
    ws: createRemoteConductor({ serverUrl: served.server.wsUrl, WebSocket }),
    bridge: createRemoteConductor({ bridge }),
  };
  t.after(() => {
    for (const client of Object.values(clients)) client.close();
  });
  for (const [name, remote] of Object.entries(clients)) {
    const page = await remote.executions.list({ flowId: "w" });
    assert.ok(
      page.executions.some((e) => e.id === "served-1"),
      name,
    );
    const record = await remote.executions.get("served-1");
    assert.deepEqual([record.status, record.nodes[0].output.result], ["success", [2, 4]], name);
    const counts = await remote.executions.counts({ flowId: "w" });
    assert.ok(counts.success >= 1 && counts.total === counts.success, `${name}: ${JSON.stringify(counts)}`);
    await assert.rejects(remote.executions.get("missing-1"), (e) => e.code === "NODE_NOT_FOUND", name);
    const remoteRun = await remote.node.run(
      { id: "w", type: "group", nodes: [{ id: "t", type: "transform", parameters: { data: [3], transformFunction: "x => x" } }] },
      { executionId: `from-${name}` },
    );
    assert.equal(remoteRun.success, true, name);
    assert.equal((await served.conductor.executions.get(`from-${name}`)).status, "success", `${name}: recorded where it ran`);
    // Replay over the wire: the run on the server, the report from its history.
    const same = await remote.executions.replay("served-1");
    assert.deepEqual([same.success, same.differences], [true, []], `${name}: an unchanged replay differs nowhere`);
    const edited = { ...record.flow, nodes: [{ ...record.flow.nodes[0], parameters: { data: [1, 2], transformFunction: "x => x * 3" } }] };
    const changed = await remote.executions.replay("served-1", { flow: edited });
    assert.deepEqual(
      changed.differences.map((d) => [d.nodeId, d.recorded.result, d.replayed.result]),
      [["t", [2, 4], [3, 6]]],
      `${name}: the edited node is flagged`,
    );
    const again = await remote.executions.differences("served-1", changed.context.executionId);
    assert.deepEqual(again.differences, changed.differences, name);
  }

  const { server } = await authServer(t, { grants: { admin: { scope: "all" } } });
  const [alice, admin] = [await login(server, "alice"), await login(server, "admin")];
  const denied = await post(server, "executions", "list", {}, alice);
  assert.deepEqual([denied.status, denied.body.code], [403, "PERMISSION_DENIED"], "scope own: runs are not kept per caller");
  const retry = await post(
    server,
    "node",
    "execute",
    { node: { id: "x", type: "transform", parameters: {} }, context: { retry: { of: "served-1" } } },
    alice,
  );
  assert.equal(retry.body.code ?? retry.body.error?.code, "PERMISSION_DENIED", "nor may it retry another's run");
  for (const context of [{ executionId: "served-1", resume: {} }, { replay: { of: "served-1" } }]) {
    const taken = await post(server, "node", "execute", { node: { id: "x", type: "transform", parameters: {} }, context }, alice);
    assert.equal(taken.body.code ?? taken.body.error?.code, "PERMISSION_DENIED", `nor resume or replay one: ${JSON.stringify(context)}`);
  }
  const differences = await post(server, "executions", "differences", { of: "served-1", run: "served-1" }, alice);
  assert.deepEqual([differences.status, differences.body.code], [403, "PERMISSION_DENIED"], "nor read a replay's report");
  const allowed = await post(server, "executions", "list", {}, admin);
  assert.equal(allowed.status, 200);
  assert.equal(typeof allowed.body.total, "number");
});
