/**
 * Unit tests of the failed-login limiter on node:test's mocked clock: a key past its failures is
 * blocked until the oldest of them leaves the window, a success clears it, and keys are counted
 * apart.
 */
import * as assert from "node:assert/strict";
import { mock, test } from "node:test";
import { AttemptLimiter } from "./attempts.js";

test("past its failures a key is blocked until the oldest leaves the window; a success clears it", (t) => {
  mock.timers.enable({ apis: ["Date"], now: 0 });
  t.after(() => mock.timers.reset());
  const limiter = new AttemptLimiter({ max: 3, windowMs: 1000 });
  for (const at of [0, 100, 200]) {
    mock.timers.setTime(at);
    assert.equal(limiter.blockedFor("ada"), 0, `may try at ${at}`);
    limiter.fail("ada");
  }
  assert.equal(limiter.blockedFor("ada"), 800, "until the failure at 0 leaves (1000)");
  assert.equal(limiter.blockedFor("bo"), 0, "another key is counted apart");
  mock.timers.setTime(999);
  assert.equal(limiter.blockedFor("ada"), 1);
  mock.timers.setTime(1000);
  assert.equal(limiter.blockedFor("ada"), 0, "two failures left in the window");
  limiter.fail("ada");
  assert.equal(limiter.blockedFor("ada"), 100, "now until the failure at 100 leaves");
  limiter.succeed("ada");
  assert.equal(limiter.blockedFor("ada"), 0, "a success clears the key");
});

test("odd settings are read as the least that works: one failure, one millisecond", (t) => {
  mock.timers.enable({ apis: ["Date"], now: 0 });
  t.after(() => mock.timers.reset());
  const limiter = new AttemptLimiter({ max: 0, windowMs: -5 });
  limiter.fail("ada");
  assert.equal(limiter.blockedFor("ada"), 1);
  mock.timers.setTime(1);
  assert.equal(limiter.blockedFor("ada"), 0);
});
