/**
 * Unit tests of `execute(request)`'s orchestration (the loop of attempts, the waits the engine
 * gives, cancellation, fallbacks), with a runner whose runs and retry answers the test scripts:
 * the engine's side is tested by the package tests and the core's.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { RunLog } from "../logging.js";
import type { RetryQuestion } from "./engine.js";
import { executeRequest, isExecutionRequest, type RequestRunner } from "./execute-request.js";
import type { ExecutionResult } from "../types/execution.js";
import type { NodeDefinition } from "../types/definition.js";

const FLOW = { id: "saved", type: "group", nodes: [{ id: "a", type: "transform" }] } as unknown as NodeDefinition;

const failed = (code: string, context?: Record<string, unknown>): ExecutionResult =>
  ({ success: false, error: { code, message: code, context }, duration: 0, executedNodes: [] }) as unknown as ExecutionResult;
const succeeded = (data: unknown): ExecutionResult =>
  ({ success: true, data, duration: 0, executedNodes: ["a"] }) as unknown as ExecutionResult;

/** A runner whose attempts answer `results` in turn and whose waits are `delays` (`null`: stop). */
function runner(results: ExecutionResult[], delays: Array<number | null>) {
  const asked: RetryQuestion[] = [];
  const logged: Array<Record<string, unknown>> = [];
  let runs = 0;
  const log = { write: (entry: Record<string, unknown>) => void logged.push(entry) } as unknown as RunLog;
  const it: RequestRunner = {
    run: async () => results[Math.min(runs++, results.length - 1)] as ExecutionResult,
    loadSaved: async (id) => (id === "saved" ? { flow: FLOW } : {}),
    loadTemplate: async () => ({}),
    newExecutionId: (given) => given ?? "exec_made",
    retryDelay(question) {
      asked.push(question);
      return delays[asked.length - 1] ?? null;
    },
    track: () => () => {},
    log,
  };
  return { it, asked, logged, runs: () => runs };
}

test("a retryable failure is run again after each wait the engine gives, until it succeeds", async () => {
  const r = runner([failed("TIMEOUT", { retryAfterMs: 7 }), failed("TIMEOUT"), succeeded("done")], [1, 2]);
  const result = await executeRequest(r.it, { flowId: "saved", options: { retries: 5, retryDelay: 1 } });
  assert.equal(result.success, true);
  assert.equal(result.outputs, "done");
  assert.equal(result.metadata.attempts, 3);
  assert.equal(result.metadata.executionId, "exec_made");
  // The engine is asked with what the request says and what the failure asked for.
  assert.deepEqual(r.asked, [
    { attempt: 1, retries: 5, retryDelay: 1, retryAfterMs: 7 },
    { attempt: 2, retries: 5, retryDelay: 1, retryAfterMs: undefined },
  ]);
  assert.deepEqual(
    r.logged.map((entry) => [entry.event, entry.attempt, entry.delay]),
    [
      ["execute:retry", 1, 1],
      ["execute:retry", 2, 2],
    ],
  );
});

test("the engine's `null` ends the attempts; a failure that is not retryable is never retried", async () => {
  const stop = runner([failed("TIMEOUT")], [null]);
  const result = await executeRequest(stop.it, { flowId: "saved", options: { retries: 3 } });
  assert.equal(result.error?.code, "TIMEOUT");
  assert.equal(result.metadata.attempts, 1);
  assert.equal(stop.runs(), 1);
  const logic = runner([failed("EXECUTION_FAILED")], [1]);
  await executeRequest(logic.it, { flowId: "saved", options: { retries: 3 } });
  assert.deepEqual(logic.asked, [], "the engine is not even asked");
});

test("a cancel during a wait ends the request as CANCELLED, without its fallback", async () => {
  const r = runner([failed("TIMEOUT")], [60 * 60 * 1000]);
  const controller = new AbortController();
  const pending = executeRequest(r.it, {
    flowId: "saved",
    context: { signal: controller.signal },
    options: { retries: 1, fallback: { unused: true } },
  });
  while (r.asked.length === 0) await new Promise((resolve) => setImmediate(resolve));
  controller.abort();
  const result = await pending;
  assert.equal(result.error?.code, "CANCELLED");
  assert.equal(result.metadata.fallback, undefined);
});

test("a fallback function answers for a request whose attempts all failed", async () => {
  const r = runner([failed("TIMEOUT")], [null]);
  const result = await executeRequest(r.it, { flowId: "saved", options: { fallback: (failure) => ({ from: failure.error?.code }) } });
  assert.equal(result.success, true);
  assert.deepEqual(result.outputs, { from: "TIMEOUT" });
  assert.equal(result.metadata.fallback?.failure.code, "TIMEOUT");
});

test("an unknown flow id is NODE_NOT_FOUND without any run", async () => {
  const r = runner([succeeded(1)], []);
  const result = await executeRequest(r.it, { flowId: "nowhere" });
  assert.equal(result.error?.code, "NODE_NOT_FOUND");
  assert.equal(r.runs(), 0);
});

test("a request is told from a node by its shape", () => {
  assert.equal(isExecutionRequest({ flowId: "x" }), true);
  assert.equal(isExecutionRequest({ blueprintId: "x", inputs: {} }), true);
  assert.equal(isExecutionRequest({ id: "n", type: "transform" }), false);
  assert.equal(isExecutionRequest({ nodes: [] }), false);
  assert.equal(isExecutionRequest({}), false);
  assert.equal(isExecutionRequest(null), false);
});
