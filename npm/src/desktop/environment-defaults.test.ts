/** Unit tests of the environment's defaults for `concurrency` and `timeout`, under what the config says. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ConductorError } from "../types/errors.js";
import { withEnvironmentDefaults } from "./environment-defaults.js";

test("the environment fills what the config leaves unset, never what it sets", () => {
  const env = { CONDUCTOR_CONCURRENCY: " 4 ", CONDUCTOR_TIMEOUT: "0" };
  assert.deepEqual(withEnvironmentDefaults({}, env), { concurrency: 4, timeout: 0 });
  assert.deepEqual(withEnvironmentDefaults({ concurrency: 2 }, env), { concurrency: 2, timeout: 0 });
  assert.deepEqual(withEnvironmentDefaults({ timeout: 5 }, { CONDUCTOR_TIMEOUT: "nonsense" }), { timeout: 5 }, "not even read");
  assert.deepEqual(withEnvironmentDefaults({}, { CONDUCTOR_CONCURRENCY: "" }), {});
});

test("a malformed value is refused, naming the variable and what it must be", () => {
  for (const [env, message] of [
    [{ CONDUCTOR_CONCURRENCY: "0" }, "CONDUCTOR_CONCURRENCY must be a whole number of at least 1, not '0'"],
    [{ CONDUCTOR_CONCURRENCY: "2.5" }, "CONDUCTOR_CONCURRENCY must be a whole number of at least 1, not '2.5'"],
    [{ CONDUCTOR_TIMEOUT: "-1" }, "CONDUCTOR_TIMEOUT must be a whole number of at least 0 (milliseconds), not '-1'"],
    [{ CONDUCTOR_TIMEOUT: "30s" }, "CONDUCTOR_TIMEOUT must be a whole number of at least 0 (milliseconds), not '30s'"],
  ] as const)
    assert.throws(
      () => withEnvironmentDefaults({}, env),
      (error: unknown) => error instanceof ConductorError && error.code === "VALIDATION_FAILED" && error.message === message,
      message,
    );
});
