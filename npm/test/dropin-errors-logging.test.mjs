// Error objects as the docs describe them (`type`, `retryable`, on top of the existing fields),
// the docs' first node.run example with `debug: true`, and structured debug logging of runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConductorError, createConductor, ErrorCode, createExecutionError, errorTypeOf, isRetryableCode } from "@atomiton/conductor";
import { chainFlow, startServer } from "../test-support/remote.mjs";

// The README's double-and-sum flow: doubles [1, 2, 3], then sums them (12).
const flow = chainFlow;

/** A node type that throws an error with the code in its `code` parameter, counting calls per code. */
function throwing() {
  const calls = {};
  return {
    calls,
    getNodeExecutable: (type) =>
      type === "throws"
        ? {
            execute: ({ code }) => {
              calls[code] = (calls[code] ?? 0) + 1;
              throw Object.assign(new Error(`thrown ${code}`), { code });
            },
          }
        : undefined,
  };
}

test("results' errors carry type and retryable derived from the code; the other fields are unchanged", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: throwing(), retryDelay: 1 });
  const cycle = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform" },
      { id: "b", type: "transform" },
    ],
    edges: [
      { id: "1", source: "a", target: "b" },
      { id: "2", source: "b", target: "a" },
    ],
  };
  const cases = [
    [cycle, "CIRCULAR_DEPENDENCY", "validation", false],
    [{ id: "t", type: "throws", parameters: { code: "TIMEOUT" } }, "TIMEOUT", "timeout", true],
    [{ id: "r", type: "throws", parameters: { code: "RATE_LIMIT_EXCEEDED" } }, "RATE_LIMIT_EXCEEDED", "network", true],
    // A node that failed is "execution" (finer than the docs' "internal", which is kept for the
    // engine's own faults); a missing file is the user's: "not-found".
    [{ id: "x", type: "throws", parameters: { code: "EXECUTION_FAILED" } }, "EXECUTION_FAILED", "execution", false],
    [{ id: "i", type: "throws", parameters: { code: "INTERNAL_ERROR" } }, "INTERNAL_ERROR", "internal", false],
    [{ id: "f", type: "file-system", parameters: { operation: "read", path: "/no/such/file.txt" } }, "FILE_NOT_FOUND", "not-found", false],
    [{ id: "u", type: "no-such-type" }, "NODE_TYPE_NOT_FOUND", "validation", false],
  ];
  for (const [node, code, type, retryable] of cases) {
    const result = await conductor.node.run(node);
    assert.equal(result.error.code, code);
    assert.equal(result.error.type, type, code);
    assert.equal(result.error.retryable, retryable, code);
    assert.equal(typeof result.error.message, "string");
    assert.ok(result.error.timestamp instanceof Date);
    assert.equal(typeof result.error.recovery.retryable, "boolean", `${code}: recovery is still there`);
  }
  const transport = createConductor({ transport: "http", apiUrl: "http://127.0.0.1:9", storage: { type: "memory" } });
  const unreachable = await transport.node.run(flow);
  assert.deepEqual([unreachable.error.code, unreachable.error.type, unreachable.error.retryable], ["TRANSPORT_ERROR", "network", true]);
  await transport.shutdown();
});

test("thrown ConductorErrors, events.onError errors and createExecutionError carry them too", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const thrown = await conductor.storage.loadFlow("missing").catch((error) => error);
  assert.ok(thrown instanceof ConductorError);
  assert.deepEqual([thrown.code, thrown.type, thrown.retryable], ["NODE_NOT_FOUND", "validation", false]);
  assert.deepEqual([thrown.details.type, thrown.details.retryable], ["validation", false]);
  const seen = [];
  conductor.events.onError(({ error }) => seen.push([error.code, error.type, error.retryable]));
  await conductor.node.run({ id: "u", type: "no-such-type" });
  assert.deepEqual(seen, [["NODE_TYPE_NOT_FOUND", "validation", false]]);
  const made = createExecutionError(ErrorCode.TRANSPORT_ERROR, "down");
  assert.deepEqual([made.type, made.retryable], ["network", true]);
  assert.equal(errorTypeOf("TIMEOUT"), "timeout");
});

test("retryable is exactly what the engine retries: a node's retries repeat those codes and no others", async () => {
  const types = throwing();
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: types, retryDelay: 1 });
  for (const code of Object.values(ErrorCode)) {
    const result = await conductor.node.run({ id: "n", type: "throws", parameters: { code, retries: 1 } });
    // Only the engine parks a run (at a wait node): a node that throws WAITING failed.
    if (code === ErrorCode.WAITING) {
      assert.equal(result.error.code, ErrorCode.EXECUTION_FAILED);
      continue;
    }
    assert.equal(result.error.code, code);
    assert.equal(
      types.calls[code] === 2,
      result.error.retryable,
      `${code}: ${types.calls[code]} calls, retryable ${result.error.retryable}`,
    );
    assert.equal(isRetryableCode(code), result.error.retryable);
  }
});

test("the docs' first node.run example with debug: true runs, and logs it to the console", async (t) => {
  const lines = [];
  for (const level of ["debug", "info", "warn", "error"]) t.mock.method(console, level, (...args) => lines.push([level, ...args]));
  const conductor = createConductor({ storage: { type: "memory" } });
  const result = await conductor.node.run(flow, { input: {}, variables: { user: "docs" }, slowMo: 0, debug: true });
  t.mock.restoreAll();
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(result.data.result, 12);
  const messages = lines.map(([level, message]) => `${level} ${message}`);
  const id = result.context.executionId;
  assert.ok(messages.includes(`debug [atomiton] Run ${id} of 'chain' started (2 nodes)`), messages.join("\n"));
  assert.ok(
    messages.some((line) => /^debug \[atomiton\] Node 'double' \(transform\) completed in [\d.]+ ms$/.test(line)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((line) => /^debug \[atomiton\] Node 'sum' \(transform\) completed/.test(line)),
    messages.join("\n"),
  );
  assert.ok(
    messages.some((line) => line.startsWith(`info [atomiton] Run ${id} of 'chain' completed in `)),
    messages.join("\n"),
  );
  for (const [, , entry] of lines) assert.equal(entry.executionId, id, "every entry names its run");
});

test("a logger callback receives structured entries; logLevel decides what is logged", async () => {
  const entries = [];
  const debugConductor = createConductor({ storage: { type: "memory" }, logLevel: "debug", logger: (entry) => entries.push(entry) });
  const result = await debugConductor.node.run(flow);
  const events = entries.map((entry) => [entry.level, entry.event, entry.nodeId ?? null, entry.state ?? null]);
  assert.deepEqual(events.at(0), ["debug", "run:start", null, null]);
  assert.deepEqual(events.at(-1), ["info", "run:complete", null, null]);
  assert.deepEqual(
    events
      .filter(([, event]) => event === "node:state")
      .map(([, , node, state]) => `${node}:${state}`)
      .filter((step) => step.endsWith(":completed")),
    ["double:completed", "sum:completed"],
  );
  const end = entries.at(-1);
  assert.deepEqual(end.executedNodes, result.executedNodes);
  assert.equal(typeof end.timestamp, "number");
  assert.equal(end.flowId, "chain");

  const byLevel = async (logLevel, node) => {
    const seen = [];
    const conductor = createConductor({ storage: { type: "memory" }, logLevel, logger: (entry) => seen.push(entry.event) });
    await conductor.node.run(node);
    return seen;
  };
  const failing = { id: "bad", type: "no-such-type" };
  assert.deepEqual(await byLevel("info", flow), ["run:complete"]);
  assert.deepEqual(await byLevel("error", flow), []);
  assert.deepEqual(await byLevel("error", failing), ["run:error"]);
  assert.deepEqual(await byLevel(undefined, failing), [], "no logLevel: nothing, as before");

  const methods = [];
  const consoleLike = createConductor({
    storage: { type: "memory" },
    logLevel: "info",
    logger: { info: (message, entry) => methods.push([message, entry.event]) },
  });
  await consoleLike.node.run(flow);
  assert.match(methods[0][0], /^Run exec_\S+ of 'chain' completed in /);
  assert.equal(methods[0][1], "run:complete");
});

test("a failed run is logged with its code; a logger that throws changes nothing", async () => {
  const entries = [];
  const conductor = createConductor({ storage: { type: "memory" }, logger: (entry) => entries.push(entry) });
  const result = await conductor.node.run({ id: "bad", type: "no-such-type" }, { debug: true });
  const failure = entries.find((entry) => entry.event === "run:error");
  assert.equal(failure.level, "error");
  assert.equal(failure.code, "NODE_TYPE_NOT_FOUND");
  assert.equal(failure.error, result.error.message);
  const broken = createConductor({
    storage: { type: "memory" },
    logLevel: "debug",
    logger: () => {
      throw new Error("logger down");
    },
  });
  assert.equal((await broken.node.run(flow)).data.result, 12);
});

test("debug: true is accepted remotely too (the server's engine runs it)", async (t) => {
  const { server } = await startServer(t);
  // The server logs the run (its debug: true) to its console: kept out of the test's output.
  for (const level of ["debug", "info", "warn", "error"]) t.mock.method(console, level, () => {});
  const remote = createConductor({ transport: "http", apiUrl: server.url, storage: { type: "memory" } });
  t.after(() => remote.shutdown());
  const result = await remote.node.run(flow, { debug: true });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(result.data.result, 12);
});
