/**
 * Unit tests of `conductor.executions`: what each call sends the engine (which call, and its
 * argument: an id as it is, or options JSON with every field forwarded, the time bounds as ms),
 * what it refuses before asking (an id that is not a string, a time that is not one, each
 * `VALIDATION_FAILED`), how an engine's refusal comes back (its code, in a `ConductorError`), and
 * what is decided here: the overrides `retry`, `replay` and `resume` run with, a replay's
 * differences, and whether a wake (`signal`, `approve`) resumes the run here, takes the result
 * a remote engine's server answered, or resolves with `null`. The engine is an in-test stand-in
 * that records each `executions` call and answers what the test says; `run` is one too (it
 * records the flow and overrides it is given and answers the test's result). The executions API
 * itself is the real one. Nothing here waits for time.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { WokenRuns } from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { ContextOverrides, ExecutionResult } from "../types/execution.js";
import type { ExecutionRecord } from "../types/history.js";
import type { Outcome, WireResult } from "../types/wire.js";
import type { EngineAdapter, ExecutionsCall } from "./engine.js";
import { createExecutionsApi, historyUnavailable } from "./executions.js";

const FLOW = { id: "recorded", type: "transform" } as unknown as NodeDefinition;
const EDITED = { id: "edited", type: "transform" } as unknown as NodeDefinition;
const RECORD = { id: "e1", flow: FLOW, input: { n: 1 }, variables: { v: 1 }, nodes: [] } as unknown as ExecutionRecord;
const DONE = { success: true, data: "done", duration: 1, executedNodes: ["a"] } as ExecutionResult;

const ok = (value: unknown): Outcome<unknown> => ({ ok: true, value });
const refusal = (code: ErrorCode, message = "refused by the engine"): Outcome<unknown> => ({
  ok: false,
  error: { code, message, timestamp: 0 },
});

/**
 * The executions API over a stand-in engine: `answers` are its outcomes by call (`get` answers
 * `RECORD` unless told; any other call `null`), `result` what each run resolves with. `calls`
 * holds each call as `[call, argument]` (options JSON parsed), `runs` each run's flow and overrides.
 */
function setup(answers: Partial<Record<ExecutionsCall, Outcome<unknown>>> = {}, result: ExecutionResult = DONE) {
  const calls: Array<[ExecutionsCall, unknown]> = [];
  const runs: Array<[NodeDefinition, ContextOverrides]> = [];
  const engine = {
    kind: "native",
    async executions(call: ExecutionsCall, arg: string) {
      calls.push([call, arg.startsWith("{") ? JSON.parse(arg) : arg]);
      return answers[call] ?? (call === "get" ? ok(RECORD) : ok(null));
    },
    // The browser's module answers its ids as a promise while it loads.
    executionId: () => Promise.resolve("exec_replay"),
  } as unknown as EngineAdapter;
  const executions = createExecutionsApi(engine, async (node, overrides) => {
    runs.push([node, overrides]);
    return result;
  });
  return { executions, calls, runs };
}

/** An `assert.rejects` check: a `ConductorError` with `code`, its message matching `message`. */
const coded = (code: ErrorCode, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ConductorError, `not a ConductorError: ${String(error)}`);
  assert.equal(error.code, code);
  if (message) assert.match(error.message, message);
  return true;
};

test("historyUnavailable is a VALIDATION_FAILED outcome saying the build records no runs, and a call answered with it rejects with that", async () => {
  const outcome = historyUnavailable<unknown>();
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok);
  assert.equal(outcome.error.code, ErrorCode.VALIDATION_FAILED);
  assert.match(outcome.error.message, /not available/);
  assert.equal(typeof outcome.error.timestamp, "number");
  const { executions } = setup({ list: outcome });
  await assert.rejects(executions.list(), coded(ErrorCode.VALIDATION_FAILED, /not available/));
});

test("list and counts forward every field to the engine, a misspelt filter included, and resolve with its answer as it is", async () => {
  const answer = { executions: [], total: 0 };
  const { executions, calls } = setup({ list: ok(answer), counts: ok(answer) });
  const options = { flowId: "f", status: "failed", limit: 5, offset: 10, sortOrder: "asc", flowid: "typo" } as const;
  assert.equal(await executions.list(options), answer);
  assert.equal(await executions.counts(options as object), answer);
  assert.deepEqual(calls, [
    ["list", options],
    ["counts", options],
  ]);
});

test("list and counts send time bounds as ms since the Unix epoch, a Date as its ms, and no bound when none is given", async () => {
  const { executions, calls } = setup();
  await executions.list({ since: new Date(1_000), until: 2_000 });
  await executions.counts({ since: 3_000, until: new Date(4_000) });
  await executions.list();
  await executions.counts(null as unknown as object);
  assert.deepEqual(calls, [
    ["list", { since: 1_000, until: 2_000 }],
    ["counts", { since: 3_000, until: 4_000 }],
    ["list", {}],
    ["counts", {}],
  ]);
});

test("a time bound that is neither a finite number nor a Date is refused with VALIDATION_FAILED naming it, and the engine is not asked", async () => {
  const { executions, calls } = setup();
  const bad: Array<[string, unknown]> = [
    ["since", "2024-01-01"],
    ["until", Number.NaN],
    ["since", Number.POSITIVE_INFINITY],
    ["until", new Date("not a date")],
    ["since", null],
  ];
  for (const [name, value] of bad) {
    for (const call of [executions.list, executions.counts]) {
      await assert.rejects(call({ [name]: value }), coded(ErrorCode.VALIDATION_FAILED, new RegExp(`'${name}' must be a time`)));
    }
  }
  assert.deepEqual(calls, []);
});

test("get and delete send the execution id as it is; a run the engine does not have rejects with its NODE_NOT_FOUND", async () => {
  const { executions, calls } = setup();
  assert.equal(await executions.get("e1"), RECORD);
  assert.equal(await executions.delete("e1"), undefined);
  assert.deepEqual(calls, [
    ["get", "e1"],
    ["delete", "e1"],
  ]);
  const missing = setup({ get: refusal(ErrorCode.NODE_NOT_FOUND, "no run e9"), delete: refusal(ErrorCode.NODE_NOT_FOUND, "no run e9") });
  await assert.rejects(missing.executions.get("e9"), coded(ErrorCode.NODE_NOT_FOUND, /no run e9/));
  await assert.rejects(missing.executions.delete("e9"), coded(ErrorCode.NODE_NOT_FOUND, /no run e9/));
});

test("every call that takes an execution id refuses one that is not a string with VALIDATION_FAILED, asking the engine nothing and running nothing", async () => {
  const { executions, calls, runs } = setup();
  const id = (value: unknown) => value as string;
  const refused: Array<[Promise<unknown>, string]> = [
    [executions.get(id(5)), "number"],
    [executions.delete(id(null)), "null"],
    [executions.retry(id({})), "object"],
    [executions.replay(id(undefined)), "undefined"],
    [executions.resume(id(1)), "number"],
    [executions.differences("e1", id(2)), "number"],
    [executions.differences(id(3), "e1"), "number"],
    [executions.signal(id(7), "go"), "number"],
    [executions.approve(id(null), "n", { approved: true }), "null"],
    [executions.due({ executionId: id(9) }), "number"],
  ];
  for (const [call, type] of refused) {
    await assert.rejects(call, coded(ErrorCode.VALIDATION_FAILED, new RegExp(`Execution id must be a string, got ${type}$`)));
  }
  assert.deepEqual([calls, runs], [[], []]);
});

test("prune sends every field for the engine to judge (a misspelt one is its to refuse), and resolves with its answer", async () => {
  const { executions, calls } = setup({ prune: ok({ deleted: 3 }) });
  assert.deepEqual(await executions.prune({ olderThan: 1_000, keep: 5, olderthan: 1 } as object), { deleted: 3 });
  assert.deepEqual(await executions.prune({ keep: 2 }), { deleted: 3 });
  assert.deepEqual(calls, [
    ["prune", { olderThan: 1_000, keep: 5, olderthan: 1 }],
    ["prune", { keep: 2 }],
  ]);
});

test("retry runs the recorded flow with its recorded input and variables as a new run linked to it, leaving where it starts to the engine", async () => {
  const { executions, calls, runs } = setup();
  assert.equal(await executions.retry("e1"), DONE);
  assert.deepEqual(calls, [["get", "e1"]]);
  assert.deepEqual(runs, [[FLOW, { input: { n: 1 }, variables: { v: 1 }, retry: { of: "e1", from: undefined } }]]);
});

test("retry's options replace the recorded flow, input (an undefined one included) and variables, and say where to start", async () => {
  const { executions, runs } = setup();
  await executions.retry("e1", { flow: EDITED, input: undefined, variables: { v: 2 }, from: "start" });
  await executions.retry("e1", { input: { n: 2 } });
  assert.deepEqual(runs, [
    [EDITED, { input: undefined, variables: { v: 2 }, retry: { of: "e1", from: "start" } }],
    [FLOW, { input: { n: 2 }, variables: { v: 1 }, retry: { of: "e1", from: undefined } }],
  ]);
});

test("replay runs the recorded flow under a fresh id from the engine with the recorded input and variables, and adds the differences the engine finds", async () => {
  const differences = [{ nodeId: "a", recorded: 1, replayed: 2 }];
  const { executions, calls, runs } = setup({ differences: ok({ differences }) });
  assert.deepEqual(await executions.replay("e1"), { ...DONE, differences });
  assert.deepEqual(runs, [[FLOW, { executionId: "exec_replay", input: { n: 1 }, variables: { v: 1 }, replay: { of: "e1" } }]]);
  assert.deepEqual(calls, [
    ["get", "e1"],
    ["differences", { of: "e1", run: "exec_replay" }],
  ]);
  await executions.replay("e1", { flow: EDITED });
  assert.equal(runs[1]?.[0], EDITED, "an edited definition replays instead of the recorded one");
});

test("a replay that failed before running any node reports no differences without asking for them; one that failed partway asks", async () => {
  for (const failed of [{ success: false, executedNodes: [] }, { success: false }]) {
    const { executions, calls } = setup({}, failed);
    assert.deepEqual(await executions.replay("e1"), { ...failed, differences: [] });
    assert.deepEqual(calls, [["get", "e1"]]);
  }
  const partway = { success: false, executedNodes: ["a"] } as ExecutionResult;
  const { executions, calls } = setup({ differences: ok({ differences: [] }) }, partway);
  assert.deepEqual(await executions.replay("e1"), { ...partway, differences: [] });
  assert.deepEqual(calls.at(-1), ["differences", { of: "e1", run: "exec_replay" }]);
});

test("differences sends both ids and resolves with the engine's answer; a run it does not have rejects with NODE_NOT_FOUND", async () => {
  const answer = { differences: [{ nodeId: "a", recorded: 1, replayed: 2 }] };
  const { executions, calls } = setup({ differences: ok(answer) });
  assert.equal(await executions.differences("e1", "e2"), answer);
  assert.deepEqual(calls, [["differences", { of: "e1", run: "e2" }]]);
  const missing = setup({ differences: refusal(ErrorCode.NODE_NOT_FOUND) });
  await assert.rejects(missing.executions.differences("e1", "e9"), coded(ErrorCode.NODE_NOT_FOUND));
});

test("resume continues the run as the same run, with its recorded flow and the caller's decisions; an unknown id rejects with NODE_NOT_FOUND", async () => {
  const { executions, runs } = setup();
  assert.equal(await executions.resume("e1", { rerun: ["a"], skip: { b: 1 } }), DONE);
  await executions.resume("e1");
  assert.deepEqual(runs, [
    [FLOW, { executionId: "e1", resume: { rerun: ["a"], skip: { b: 1 } } }],
    [FLOW, { executionId: "e1", resume: { rerun: undefined, skip: undefined } }],
  ]);
  const missing = setup({ get: refusal(ErrorCode.NODE_NOT_FOUND) });
  await assert.rejects(missing.executions.resume("e9"), coded(ErrorCode.NODE_NOT_FOUND));
  assert.deepEqual(missing.runs, []);
});

test("signal sends the name and payload, then resumes the run here when the engine answers no result (a local engine's wake)", async () => {
  const { executions, calls, runs } = setup();
  assert.equal(await executions.signal("e1", "go", { x: 1 }), DONE);
  assert.deepEqual(calls, [
    ["signal", { executionId: "e1", name: "go", payload: { x: 1 } }],
    ["get", "e1"],
  ]);
  assert.deepEqual(runs, [[FLOW, { executionId: "e1", resume: { rerun: undefined, skip: undefined } }]]);
});

test("a wake a remote engine's server resumed resolves with the result it answered, in the package's shape, and runs nothing here", async () => {
  const answered = (): WireResult => ({
    success: false,
    error: { code: ErrorCode.EXECUTION_FAILED, message: "boom", timestamp: 1_000 },
    spans: "[]",
  });
  const { executions, calls, runs } = setup({ signal: ok(answered()), approve: ok(answered()) });
  for (const result of [await executions.signal("e1", "go"), await executions.approve("e1", "n", { approved: true })]) {
    assert.equal(result.success, false);
    assert.ok(result.error?.timestamp instanceof Date, "the error's time is a Date");
    assert.equal(result.error.timestamp.getTime(), 1_000);
    assert.equal("spans" in result, false, "a traced run's spans are not the caller's");
  }
  assert.deepEqual(
    calls.map(([call]) => call),
    ["signal", "approve"],
  );
  assert.deepEqual(runs, []);
});

test("a wake with resume: false tells the engine so, resolves with null once the engine kept it, and runs nothing", async () => {
  for (const answer of [null, { success: true }]) {
    const { executions, calls, runs } = setup({ signal: ok(answer), approve: ok(answer) });
    assert.equal(await executions.signal("e1", "go", undefined, { resume: false }), null);
    assert.equal(await executions.approve("e1", "n", { approved: false }, { resume: false }), null);
    assert.deepEqual(calls, [
      ["signal", { executionId: "e1", name: "go", resume: false }],
      ["approve", { approved: false, executionId: "e1", nodeId: "n", resume: false }],
    ]);
    assert.deepEqual(runs, []);
  }
});

test("a wake the engine refuses rejects with its code and runs nothing", async () => {
  const { executions, calls, runs } = setup({
    signal: refusal(ErrorCode.VALIDATION_FAILED, "not waiting"),
    approve: refusal(ErrorCode.NODE_NOT_FOUND, "no run"),
  });
  await assert.rejects(executions.signal("e1", "go"), coded(ErrorCode.VALIDATION_FAILED, /not waiting/));
  await assert.rejects(executions.approve("e9", "n", { approved: true }), coded(ErrorCode.NODE_NOT_FOUND, /no run/));
  assert.deepEqual(
    calls.map(([call]) => call),
    ["signal", "approve"],
  );
  assert.deepEqual(runs, []);
});

test("approve sends every field of the decision, a misspelt one included, with the call's own run and node ids, and resumes the run here", async () => {
  const { executions, calls, runs } = setup();
  const decision = { approved: true, by: "ann", comment: "ok", aproved: false, executionId: "other", nodeId: "other" };
  assert.equal(await executions.approve("e1", "n", decision), DONE);
  assert.deepEqual(calls, [
    ["approve", { approved: true, by: "ann", comment: "ok", aproved: false, executionId: "e1", nodeId: "n" }],
    ["get", "e1"],
  ]);
  assert.equal(runs.length, 1);
});

test("due asks for every parked run with an empty argument, or for one run by id, and resolves with the engine's answer", async () => {
  const woken: WokenRuns = { woken: ["e1"], next: 5_000 };
  const { executions, calls } = setup({ due: ok(woken) });
  assert.equal(await executions.due(), woken);
  assert.equal(await executions.due({ executionId: "e1" }), woken);
  assert.deepEqual(calls, [
    ["due", ""],
    ["due", { executionId: "e1" }],
  ]);
});
