/**
 * Unit tests of the trigger timer, with a driver the test scripts: it starts the runs `due`
 * hands it and reports each end, asks again for `next`, keeps asking after a failed `due`, never
 * asks once stopped or closed, `close` waits for runs to report, and a run in flight is not
 * started twice. The engine's side (which
 * fires are due, each once) is tested by the core's and the package's tests. Time is Node's mock
 * clock: nothing here waits for real time.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { DueFires, FireToStart } from "../types/answers.generated.js";
import { TriggerTimer, type TriggerDriver } from "./trigger-timer.js";

const fire = (scheduledAt: number): FireToStart => ({
  flowId: "f",
  nodeId: "n",
  scheduledAt,
  recorded: true,
  executionId: `run-${scheduledAt}`,
  trigger: { type: "schedule", flowId: "f", nodeId: "n", scheduledAt: "", firedAt: "" },
});

/** A driver whose `due` answers `answers` in turn (an `Error`: it fails), and what it saw. */
function driver(answers: Array<DueFires | Error>, succeeds = true) {
  const seen = { due: 0, started: [] as number[], ended: [] as Array<[number, boolean]> };
  let finish: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const it: TriggerDriver = {
    async due() {
      const answer = answers[Math.min(seen.due++, answers.length - 1)] as DueFires | Error;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async start(f) {
      seen.started.push(f.scheduledAt);
      await gate;
      return succeeds;
    },
    async ended(f, success) {
      seen.ended.push([f.scheduledAt, success]);
    },
  };
  return { it, seen, finish };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test("starts what due hands it, reports each end, and asks again when next comes", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
  const { it, seen, finish } = driver([
    { missed: [], start: [fire(1), fire(2)], next: 1_005_000 },
    { missed: [], start: [fire(3)], next: null },
  ]);
  const timer = new TriggerTimer(it);
  await timer.start();
  assert.deepEqual([seen.due, seen.started], [1, [1, 2]]);
  finish();
  await settle();
  assert.deepEqual(seen.ended, [
    [1, true],
    [2, true],
  ]);
  t.mock.timers.tick(4_999);
  await settle();
  assert.equal(seen.due, 1, "not before next");
  t.mock.timers.tick(1);
  await settle();
  assert.equal(seen.due, 2);
  assert.deepEqual(seen.started, [1, 2, 3]);
  // No next: it still looks once a minute, for what another process activated.
  t.mock.timers.tick(60_000);
  await settle();
  assert.equal(seen.due, 3);
  await timer.close();
});

test("a failed due is asked again later; a failed run is reported as failed", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const { it, seen, finish } = driver([new Error("store away"), { missed: [], start: [fire(7)], next: null }], false);
  const timer = new TriggerTimer(it);
  await timer.start();
  assert.equal(seen.due, 1);
  t.mock.timers.tick(5_000);
  await settle();
  assert.equal(seen.due, 2, "asked again after the store failed");
  finish();
  await settle();
  assert.deepEqual(seen.ended, [[7, false]]);
  await timer.close();
});

test("stopped or closed, it asks nothing; close waits for started runs to report", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const { it, seen, finish } = driver([{ missed: [], start: [fire(1)], next: 10 }]);
  const timer = new TriggerTimer(it);
  await timer.check();
  assert.equal(seen.due, 0, "not started: check asks nothing");
  await timer.start();
  timer.stop();
  t.mock.timers.tick(120_000);
  await settle();
  assert.equal(seen.due, 1, "stopped: no more asks");
  let closed = false;
  const closing = timer.close().then(() => {
    closed = true;
  });
  await settle();
  assert.equal(closed, false, "the started run has not reported yet");
  finish();
  await closing;
  assert.deepEqual(seen.ended, [[1, true]]);
  await timer.start();
  assert.equal(seen.due, 1, "closed: start does nothing");
});

test("a next the engine's clock has not reached yet is asked again a little later, not at once", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 10_000 });
  const { it, seen } = driver([{ missed: [], start: [], next: 9_990 }]);
  const timer = new TriggerTimer(it);
  await timer.start();
  t.mock.timers.tick(1);
  await settle();
  assert.equal(seen.due, 1, "not again at once");
  t.mock.timers.tick(249);
  await settle();
  assert.equal(seen.due, 2);
  await timer.close();
});

test("a fire handed back to run again while its run goes on here starts nothing; once ended, it may", async (t) => {
  t.mock.timers.enable({ apis: ["setTimeout", "Date"], now: 0 });
  const again = { missed: [], start: [fire(1)], next: null };
  const { it, seen, finish } = driver([again, again, again]);
  const timer = new TriggerTimer(it);
  await timer.start();
  await timer.check();
  assert.deepEqual([seen.due, seen.started], [2, [1]], "the engine's second hand-back starts nothing");
  finish();
  await settle();
  assert.deepEqual(seen.ended, [[1, true]]);
  await timer.check();
  assert.deepEqual(seen.started, [1, 1], "ended: a new hand-back runs");
  await settle();
  await timer.close();
});
