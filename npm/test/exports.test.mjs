// The export surface the TypeScript engine's package had (entry points and the conductor object),
// through the package's own name.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as root from "@atomiton/conductor";
import * as desktop from "@atomiton/conductor/desktop";
import * as types from "@atomiton/conductor/types";
import { conductorShape } from "../test-support/helpers.mjs";

test("the root and /desktop export the same native createConductor and helpers", () => {
  assert.equal(typeof root.createConductor, "function");
  assert.equal(root.createConductor, desktop.createConductor);
  for (const name of [
    "getNodeDefinition",
    "getAllNodeDefinitions",
    "getNodeDefinitionsGroupedByCategory",
    "createNodeDefinition",
    "isValidProgressEvent",
    "parseFlow",
    "toYaml",
  ]) {
    assert.equal(typeof desktop[name], "function", name);
  }
});

test("/types exports every value of the TypeScript engine's entry", () => {
  for (const name of [
    "createExecutionError",
    "isExecutionError",
    "toExecutionError",
    "getErrorRecoveryStrategy",
    "createExecutionId",
    "toExecutionId",
    "createNodeId",
    "toNodeId",
    "isExecutionId",
    "isNodeId",
    "executionIdToString",
    "nodeIdToString",
    "toNodeIds",
    "nodeIdsToStrings",
  ]) {
    assert.equal(typeof types[name], "function", name);
  }
  assert.equal(typeof types.ErrorCode, "object");
  assert.equal(
    Object.keys(types.ErrorCode).length,
    30,
    "the TypeScript engine's 22, PERMISSION_DENIED, AUTHENTICATION_FAILED, FILE_NOT_FOUND, FILE_EXISTS, WAITING, DECISION_REQUIRED, CREDENTIAL_NOT_FOUND and CREDENTIALS_LOCKED",
  );
  for (const [key, value] of Object.entries(types.ErrorCode)) assert.equal(key, value);
});

test("the conductor object has every namespace and method, on* returning unsubscribe", () => {
  const conductor = root.createConductor({ storage: { type: "memory" } });
  for (const [namespace, methods] of Object.entries(conductorShape)) {
    for (const method of methods) assert.equal(typeof conductor[namespace][method], "function", `${namespace}.${method}`);
  }
  assert.equal(typeof conductor.execute, "function");
  assert.equal(typeof conductor.health, "function");
  assert.equal(typeof conductor.getEnvironment, "function");
  assert.equal(conductor.inDesktop, true);
  assert.equal(conductor.inBrowser, false);
  assert.equal(conductor.flow.onProgress, conductor.node.onProgress, "flow.on* are node.on*");
  for (const subscribe of [
    conductor.node.onProgress,
    conductor.node.onComplete,
    conductor.node.onError,
    conductor.storage.onFlowSaved,
    conductor.auth.onAuthExpired,
    conductor.events.onProgress,
    conductor.events.onStarted,
    conductor.events.onCompleted,
    conductor.events.onError,
  ]) {
    const unsubscribe = subscribe(() => {});
    assert.equal(typeof unsubscribe, "function");
    unsubscribe();
  }
  const environment = conductor.getEnvironment();
  assert.equal(environment.type, "desktop");
  assert.equal(environment.capabilities.fileSystem, true);
});

test("error helpers behave as the TypeScript engine's did", () => {
  const { ErrorCode, createExecutionError, isExecutionError, toExecutionError, getErrorRecoveryStrategy } = types;
  const error = createExecutionError(ErrorCode.TIMEOUT, "late", { nodeId: "n" });
  assert.ok(error.timestamp instanceof Date);
  assert.equal(isExecutionError(error), true);
  assert.equal(isExecutionError({ code: "NOPE", message: "", timestamp: 1 }), false);
  assert.equal(toExecutionError(error), error);
  const fromError = toExecutionError(new Error("boom"), ErrorCode.EXECUTION_FAILED, "n", "e");
  assert.deepEqual([fromError.code, fromError.message, fromError.nodeId, fromError.executionId], ["EXECUTION_FAILED", "boom", "n", "e"]);
  assert.equal(toExecutionError("text").message, "text");
  const unknown = toExecutionError(42);
  assert.deepEqual([unknown.code, unknown.message, unknown.context.originalError], ["UNKNOWN_ERROR", "An unknown error occurred", "42"]);
  assert.deepEqual(getErrorRecoveryStrategy(ErrorCode.TIMEOUT), {
    retryable: true,
    retryDelayMs: 1000,
    maxRetries: 3,
    suggestions: [
      "The operation timed out. This might be due to network issues or high load.",
      "Consider increasing the timeout value or retrying the operation.",
    ],
  });
  assert.equal(getErrorRecoveryStrategy(ErrorCode.CANCELLED).retryable, true);
  assert.equal(getErrorRecoveryStrategy(ErrorCode.EXECUTION_FAILED).retryable, false);
});

test("the generated recovery table is the engine's", async () => {
  const { createRequire } = await import("node:module");
  const { readdirSync } = await import("node:fs");
  const dir = new URL("../native/", import.meta.url);
  const file = readdirSync(dir).find((f) => f.endsWith(".node"));
  const addon = createRequire(import.meta.url)(new URL(file, dir).pathname);
  const engine = JSON.parse(addon.recoveryTable()).value;
  for (const code of Object.values(types.ErrorCode)) assert.deepEqual(types.getErrorRecoveryStrategy(code), engine[code], code);
});

test("branded id helpers", () => {
  const id = types.createExecutionId();
  assert.match(id, /^exec_[0-9a-f-]{36}$/);
  assert.equal(types.createExecutionId("given"), "given");
  assert.match(types.createNodeId(), /^node_/);
  assert.throws(() => types.toExecutionId(""), /Invalid execution ID: must be a non-empty string/);
  assert.throws(() => types.toNodeId(""), /Invalid node ID: must be a non-empty string/);
  assert.equal(types.isExecutionId("x"), true);
  assert.equal(types.isNodeId(""), false);
  assert.deepEqual(types.nodeIdsToStrings(types.toNodeIds(["a", "b"])), ["a", "b"]);
});
