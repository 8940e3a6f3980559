// conductor.execute(request) as the published docs write it: a flow by id (saved flows first,
// then templates by id or readable slug), inputs, options.retries / timeout / fallback, and the
// result's outputs and metadata. The older README's blueprintId and config too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { until } from "../test-support/helpers.mjs";

const HOUR = 3_600_000;

// The docs' "my-workflow": a node of the app's own (`pick`) takes the run's input `data`, and the
// built-in edit-fields greets it.
const myWorkflow = {
  id: "my-workflow",
  name: "My workflow",
  type: "group",
  nodes: [
    { id: "pick", type: "pick" },
    { id: "greet", type: "edit-fields", parameters: { values: { greeting: "hello {{ name }}" }, keepOnlySet: true } },
  ],
  edges: [{ id: "e1", source: "pick", target: "greet", targetHandle: "data" }],
};
const pickFactory = { getNodeExecutable: (type) => (type === "pick" ? { execute: ({ input }) => ({ name: input.data }) } : undefined) };

/**
 * A `flaky` node type failing with `code` for its first `failures` calls, then answering
 * `"recovered"`; `calls` counts every call. `hang` nodes wait an hour unless aborted.
 */
function nodeTypes({ code = "TIMEOUT", failures = 0 } = {}) {
  const calls = { flaky: 0, hang: 0 };
  return {
    calls,
    getNodeExecutable(type) {
      if (type === "flaky") {
        return {
          execute: () => {
            calls.flaky++;
            if (calls.flaky <= failures) throw Object.assign(new Error(`flaky failure ${calls.flaky}`), { code });
            return "recovered";
          },
        };
      }
      if (type === "hang") {
        return {
          execute: ({ signal }) =>
            new Promise((resolve) => {
              calls.hang++;
              const timer = setTimeout(() => resolve("late"), HOUR);
              signal.addEventListener("abort", () => {
                clearTimeout(timer);
                resolve("aborted");
              });
            }),
        };
      }
      return undefined;
    },
  };
}

const single = (id, type) => ({ id, type: "group", nodes: [{ id: "only", type }], edges: [] });

test("the docs' first example: createConductor({transport: 'local', ...}) then execute({flowId, inputs})", async () => {
  const conductor = createConductor({
    transport: "local",
    concurrency: 8,
    timeout: 30000,
    storage: { type: "memory" },
    nodeExecutorFactory: pickFactory,
  });
  await conductor.storage.saveFlow(myWorkflow);

  const result = await conductor.execute({ flowId: "my-workflow", inputs: { data: "test" } });

  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.outputs, result.data, "outputs is the flow's output");
  assert.deepEqual(result.outputs, { result: { greeting: "hello test" } });
  assert.equal(result.error, undefined);
  const { metadata } = result;
  assert.match(metadata.executionId, /^exec_/);
  assert.equal(metadata.executionId, result.context.executionId, "the run's own id");
  assert.equal(metadata.flowId, "my-workflow");
  assert.equal(metadata.source, "storage");
  assert.equal(metadata.attempts, 1);
  assert.deepEqual(metadata.executedNodes, ["my-workflow", "pick", "greet"]);
  assert.deepEqual(result.executedNodes, metadata.executedNodes, "every ExecutionResult field is kept");
  assert.equal(typeof metadata.duration, "number");
  assert.ok(metadata.endTime >= metadata.startTime);
  assert.equal(typeof result.duration, "number");
  assert.deepEqual(result.context.input, { data: "test" }, "inputs are the run's input");
});

test("the older README: execute({blueprintId, inputs, config: {parallel, debugMode}})", async () => {
  const entries = [];
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: pickFactory,
    logger: (entry) => entries.push(entry),
  });
  await conductor.storage.saveFlow({ ...myWorkflow, id: "complex-workflow" });
  const result = await conductor.execute({
    blueprintId: "complex-workflow",
    inputs: { data: "api" },
    config: { parallel: true, debugMode: true },
  });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.outputs, { result: { greeting: "hello api" } });
  assert.equal(result.metadata.flowId, "complex-workflow");
  assert.equal(result.context.debug, true, "debugMode is debug: true");
  assert.ok(
    entries.some((entry) => entry.event === "run:start" && entry.executionId === result.metadata.executionId),
    "debugMode turned on debug logging",
  );
});

test("templates answer to their readable ids in execute, and a saved flow of the same id wins", async () => {
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: pickFactory });
  const fromTemplate = await conductor.execute({ flowId: "double-and-summarise" });
  assert.equal(fromTemplate.success, true, JSON.stringify(fromTemplate.error));
  assert.equal(fromTemplate.metadata.source, "template");
  assert.deepEqual(fromTemplate.outputs, { result: { summary: "map produced 3 items", count: "3" } });
  const byUuid = await conductor.execute({ flowId: "example-flow" });
  assert.deepEqual(byUuid.outputs, fromTemplate.outputs);

  await conductor.storage.saveFlow({ ...myWorkflow, id: "double-and-summarise" });
  const saved = await conductor.execute({ flowId: "double-and-summarise", inputs: { data: "first" } });
  assert.equal(saved.metadata.source, "storage");
  assert.deepEqual(saved.outputs, { result: { greeting: "hello first" } });
});

test("an unknown id resolves to a failure naming it; a request without an id is a validation failure", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const missing = await conductor.execute({ flowId: "no-such-flow", inputs: { data: 1 } });
  assert.equal(missing.success, false);
  assert.equal(missing.error.code, "NODE_NOT_FOUND");
  assert.equal(missing.error.message, "Flow 'no-such-flow' not found: no saved flow or template has this id");
  assert.equal(missing.error.nodeId, "no-such-flow");
  assert.ok(missing.error.timestamp instanceof Date);
  assert.equal(missing.error.type, "validation");
  assert.equal(missing.error.retryable, false);
  assert.equal(missing.metadata.attempts, 0);
  assert.equal(missing.outputs, undefined);
  // An id no storage could hold is simply not found either.
  assert.equal((await conductor.execute({ flowId: "../etc/passwd" })).error.code, "NODE_NOT_FOUND");

  for (const [request, message] of [
    [{ flowId: "" }, /needs a flowId/],
    [{ blueprintId: 42 }, /'blueprintId' must be a string, not 42/],
    [{ flowId: undefined, inputs: {} }, /needs a flowId/],
  ]) {
    const result = await conductor.execute(request);
    assert.equal(result.success, false, JSON.stringify(request));
    assert.equal(result.error.code, "VALIDATION_FAILED");
    assert.match(result.error.message, message);
  }
});

test("a node and a request are told apart by type: execute(node, context) is still node.run", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const node = { id: "n", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1", data: [1] } };
  const result = await conductor.execute(node, { executionId: "legacy-call" });
  assert.equal(result.success, true);
  assert.deepEqual(result.data.result, [2]);
  assert.equal(result.context.executionId, "legacy-call");
  assert.equal(result.metadata, undefined, "a node run has no request metadata");
  // A node that happens to carry a flowId field is still a node.
  const tagged = await conductor.execute({ ...node, flowId: "not-a-request" });
  assert.deepEqual(tagged.data.result, [2]);
  // No type, id or nodes: a request, which names no flow.
  const nameless = await conductor.execute({ inputs: {} });
  assert.deepEqual(
    [nameless.error.code, nameless.error.message],
    ["VALIDATION_FAILED", "execute(request) needs a flowId (or blueprintId): a non-empty string"],
  );
  // A misspelt request key is named, with the one meant.
  const misspelt = await conductor.execute({ flowID: "hello-world" });
  assert.deepEqual(
    [misspelt.error.code, misspelt.error.message],
    ["VALIDATION_FAILED", "Invalid execute request: unknown option 'flowID' (did you mean 'flowId'?)"],
  );
  // An empty object is neither: the node path's failure, as before.
  assert.equal((await conductor.execute({})).error.code, "INVALID_NODE");
});

test("options.retries re-runs the whole flow after a retryable failure, with a doubling backoff", async () => {
  const entries = [];
  const types = nodeTypes({ code: "TIMEOUT", failures: 2 });
  const conductor = createConductor({
    storage: { type: "memory" },
    retryDelay: 1,
    nodeExecutorFactory: types,
    logLevel: "warn",
    logger: (entry) => entries.push(entry),
  });
  await conductor.storage.saveFlow(single("unreliable-api", "flaky"));
  const result = await conductor.execute({ flowId: "unreliable-api", options: { retries: 3 } });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(result.outputs, "recovered");
  assert.equal(result.metadata.attempts, 3);
  assert.equal(types.calls.flaky, 3);
  const retries = entries.filter((entry) => entry.event === "execute:retry");
  assert.deepEqual(
    retries.map((entry) => [entry.attempt, entry.code]),
    [
      [1, "TIMEOUT"],
      [2, "TIMEOUT"],
    ],
  );
  // The engine's backoff, the one a node's retries follow: the step doubles per attempt, and
  // each wait is between half of it and all of it (equal jitter).
  for (const [i, step] of [1, 2].entries()) {
    const { delay } = retries[i];
    assert.ok(delay >= step / 2 && delay <= step, `retry ${i + 1} waited ${delay} ms, not within [${step / 2}, ${step}]`);
  }
  assert.ok(
    retries.every((entry) => entry.executionId === result.metadata.executionId),
    "every attempt is the same execution",
  );
});

test("retries stop when they run out, are capped by maxRetries, and never repeat a non-retryable failure", async () => {
  const always = nodeTypes({ code: "RATE_LIMIT_EXCEEDED", failures: Infinity });
  const conductor = createConductor({ storage: { type: "memory" }, retryDelay: 1, maxRetries: 2, nodeExecutorFactory: always });
  await conductor.storage.saveFlow(single("limited", "flaky"));
  const exhausted = await conductor.execute({ flowId: "limited", options: { retries: 10 } });
  assert.equal(exhausted.error.code, "RATE_LIMIT_EXCEEDED");
  assert.equal(exhausted.error.retryable, true);
  assert.equal(exhausted.metadata.attempts, 3, "1 run + maxRetries 2");
  assert.equal(always.calls.flaky, 3);

  const broken = nodeTypes({ code: "EXECUTION_FAILED", failures: Infinity });
  const other = createConductor({ storage: { type: "memory" }, retryDelay: 1, nodeExecutorFactory: broken });
  await other.storage.saveFlow(single("broken", "flaky"));
  const failed = await other.execute({ flowId: "broken", options: { retries: 3 } });
  assert.equal(failed.error.code, "EXECUTION_FAILED");
  assert.equal(failed.metadata.attempts, 1);
  assert.equal(broken.calls.flaky, 1, "a node whose logic failed is not re-run");
});

test("options.timeout bounds each attempt", async () => {
  const types = nodeTypes();
  const conductor = createConductor({ storage: { type: "memory" }, retryDelay: 1, nodeExecutorFactory: types });
  await conductor.storage.saveFlow(single("slow", "hang"));
  const result = await conductor.execute({ flowId: "slow", options: { timeout: 50, retries: 1 } });
  assert.equal(result.error.code, "TIMEOUT");
  assert.equal(result.error.message, "Execution timed out after 50ms");
  assert.equal(result.metadata.attempts, 2);
  assert.equal(types.calls.hang, 2);
});

test("fallback: another flow's id, a function of the failure, or the outputs themselves", async () => {
  const conductor = createConductor({
    storage: { type: "memory" },
    nodeExecutorFactory: nodeTypes({ code: "EXECUTION_FAILED", failures: Infinity }),
  });
  await conductor.storage.saveFlow(single("unreliable-api", "flaky"));
  await conductor.storage.saveFlow({
    id: "cached-data",
    type: "group",
    nodes: [{ id: "cache", type: "edit-fields", parameters: { values: { cached: true }, keepOnlySet: true } }],
    edges: [],
  });

  const byFlow = await conductor.execute({ flowId: "unreliable-api", options: { retries: 3, timeout: 10000, fallback: "cached-data" } });
  assert.equal(byFlow.success, true, JSON.stringify(byFlow.error));
  assert.deepEqual(byFlow.outputs, { result: { cached: true } });
  assert.equal(byFlow.metadata.fallback.flowId, "cached-data");
  assert.equal(byFlow.metadata.fallback.failure.code, "EXECUTION_FAILED", "the failure it replaced is kept");
  assert.equal(byFlow.metadata.flowId, "unreliable-api");

  const seen = [];
  const byFunction = await conductor.execute({
    flowId: "unreliable-api",
    options: { fallback: (failed) => (seen.push(failed.error.code), { stale: true }) },
  });
  assert.deepEqual([byFunction.success, byFunction.outputs, byFunction.data], [true, { stale: true }, { stale: true }]);
  assert.deepEqual(seen, ["EXECUTION_FAILED"]);

  const byValue = await conductor.execute({ flowId: "unreliable-api", options: { fallback: [1, 2] } });
  assert.deepEqual(byValue.outputs, [1, 2]);

  const throwing = await conductor.execute({
    flowId: "unreliable-api",
    options: {
      fallback: () => {
        throw new Error("no cache either");
      },
    },
  });
  assert.equal(throwing.success, false);
  assert.equal(throwing.error.code, "EXECUTION_FAILED");
  assert.equal(throwing.error.context.fallbackError, "no cache either");

  const missingFallback = await conductor.execute({ flowId: "unreliable-api", options: { fallback: "no-such-cache" } });
  assert.equal(missingFallback.success, false);
  assert.equal(missingFallback.error.code, "NODE_NOT_FOUND");
  assert.match(missingFallback.error.message, /no-such-cache/);
});

test("node.cancel(executionId) ends a request during its backoff; a cancelled request gets no fallback", async () => {
  const types = nodeTypes({ code: "TIMEOUT", failures: Infinity });
  // An hour between attempts: only a cancel that works lets this test end.
  const conductor = createConductor({ storage: { type: "memory" }, retryDelay: HOUR, nodeExecutorFactory: types });
  await conductor.storage.saveFlow(single("waits", "flaky"));
  const pending = conductor.execute({
    flowId: "waits",
    context: { executionId: "cancel-me" },
    options: { retries: 2, fallback: { unused: true } },
  });
  await until(() => types.calls.flaky === 1, undefined, "the first attempt");
  assert.equal(await conductor.node.cancel("cancel-me"), true);
  const result = await pending;
  assert.equal(result.error.code, "CANCELLED");
  assert.equal(result.metadata.fallback, undefined);
  assert.equal(types.calls.flaky, 1);
});

test("a context signal cancels the running attempt", async () => {
  const types = nodeTypes();
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: types });
  await conductor.storage.saveFlow(single("hangs", "hang"));
  const controller = new AbortController();
  const pending = conductor.execute({ flowId: "hangs", context: { signal: controller.signal }, options: { retries: 2 } });
  await until(() => types.calls.hang === 1, undefined, "the attempt to start");
  controller.abort();
  const result = await pending;
  assert.equal(result.error.code, "CANCELLED");
  assert.equal(result.metadata.attempts, 1);
});
