/** Unit tests of which engine a Node conductor runs on: the config, else the environment, else "auto". */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ConductorError } from "../types/errors.js";
import { ENGINE_VARIABLE, engineChoice } from "./choice.js";

test("the config wins, then the environment (trimmed), then auto", () => {
  assert.equal(engineChoice(undefined, {}), "auto");
  assert.equal(engineChoice(undefined, { [ENGINE_VARIABLE]: " wasm " }), "wasm");
  assert.equal(engineChoice(undefined, { [ENGINE_VARIABLE]: "" }), "auto", "an empty variable is unset");
  assert.equal(engineChoice("native", { [ENGINE_VARIABLE]: "wasm" }), "native");
});

test("anything else is refused, naming where it came from", () => {
  const refusal = (engine: unknown, env: Record<string, string>) => {
    try {
      engineChoice(engine, env);
    } catch (error) {
      assert.ok(error instanceof ConductorError);
      assert.equal(error.code, "VALIDATION_FAILED");
      return error.message;
    }
    assert.fail("accepted");
  };
  assert.equal(refusal("Native", {}), 'engine must be "auto", "native" or "wasm", not "Native"');
  assert.equal(refusal(undefined, { [ENGINE_VARIABLE]: "fast" }), `${ENGINE_VARIABLE} must be "auto", "native" or "wasm", not "fast"`);
  assert.match(refusal(3, { [ENGINE_VARIABLE]: "wasm" }), /^engine must be .*not 3$/, "a wrong config is not covered by the environment");
});
