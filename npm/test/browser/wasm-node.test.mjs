// The wasm build in Node, through `@atomiton/conductor/browser`: the shared fixtures, the export
// surface, events, cancellation, custom executors, native-only nodes and panic recovery. The same
// scenarios run in headless Chromium (chromium.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as browser from "@atomiton/conductor/browser";
import * as native from "@atomiton/conductor";
import { assertFixtureResult, conductorShape, expectationFor, fixtures } from "../../test-support/helpers.mjs";
import * as scenarios from "../../test-support/browser-scenarios.mjs";

const conductor = browser.createConductor({ storage: { type: "memory" } });

for (const fixture of fixtures()) {
  test(`wasm fixture ${fixture.file}: ${fixture.description}`, async () => {
    const result = await conductor.node.run(fixture.flow, fixture.options ?? {});
    assertFixtureResult(result, expectationFor(fixture, "wasm"));
  });
}

test("the export surface of /browser (the TypeScript engine's values) and its conductor object", async () => {
  scenarios.checkSurface(await scenarios.surface(browser, conductorShape), "node");
});

test("execution history: off in the base module, on with history: true (records, retry from the failed node)", async () => {
  scenarios.checkHistory(await scenarios.history(browser));
});

test("the singleton is created at import and its engine is wasm", async () => {
  await browser.conductor.ready;
  const result = await browser.conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(browser.conductor.getEnvironment().type, "browser");
  assert.equal((await browser.conductor.health()).message, "Browser conductor operational (local engine)");
});

test("progress events are valid, carry their executionId, show each node executing and end at 100", async () => {
  scenarios.checkProgressEvents(await scenarios.progressEvents(browser));
});

test("node.store: the default module follows snapshots; the editor module is read when asked and tells subscribers every change", async () => {
  scenarios.checkStore(await scenarios.store(browser));
});

test("node.cancel and an AbortSignal stop a run: the JS executor sees abort, nothing more starts", async () => {
  scenarios.checkCancellation(await scenarios.cancellation(browser));
});

test("custom executors run, with built-ins as the fallback, exactly as on the native engine", async () => {
  const wasm = await scenarios.customExecutors(browser);
  scenarios.checkCustomExecutors(wasm);
  assert.deepEqual(wasm, await scenarios.customExecutors(native), "wasm and native give the same results");
});

test("a native-only node fails validation with IMPLEMENTATION_NOT_FOUND naming the node", async () => {
  scenarios.checkNativeOnlyNodes(await scenarios.nativeOnlyNodes(browser));
});

test("debug.simulatePanic gives INTERNAL_ERROR, and the same conductor runs the next flow", async () => {
  scenarios.checkPanicRecovery(await scenarios.panicRecovery(browser));
});

test("the bundled templates: the same answers as native, and native-only ones refused by name", async () => {
  const nativeConductor = native.createConductor({ storage: { type: "memory" } });
  const { templates } = await conductor.flow.listTemplates();
  assert.deepEqual(templates, (await nativeConductor.flow.listTemplates()).templates);
  let runnable = 0;
  for (const { id } of templates) {
    const { definition } = await conductor.flow.getTemplate(id);
    assert.deepEqual(definition, (await nativeConductor.flow.getTemplate(id)).definition, id);
    const validation = await conductor.node.validate(definition);
    const result = await conductor.node.run(definition, { slowMo: 0 });
    if (validation.valid) {
      runnable++;
      assert.equal(result.success, true, `${id}: ${result.error?.message}`);
    } else {
      assert.equal(result.error.code, "IMPLEMENTATION_NOT_FOUND", id);
      assert.ok(
        validation.issues.every(
          (issue) => issue.code === "IMPLEMENTATION_NOT_FOUND" && /^Node '[^']+' \([a-z-]+\) needs /.test(issue.message),
        ),
        id,
      );
    }
  }
  assert.ok(runnable >= 1, "at least one template runs in the browser (the demo page uses it)");
});

test("debugging in the browser's default module (pins, runTo, breakpoints, step, resume, cancel)", async () => {
  scenarios.checkDebugging(await scenarios.debugging(browser));
});

test("results collected after shutdown() never reach the freed engine (their unread traces are not dropped there)", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc");
  const thrown = [];
  const record = (error) => thrown.push(String(error));
  process.on("uncaughtException", record);
  try {
    const c = browser.createConductor({ storage: { type: "memory" } });
    // Results dropped with their traces unread: each one's trace is dropped when it is collected.
    for (let i = 0; i < 200; i++) await c.node.run({ id: "t", type: "transform", parameters: { data: [i] } });
    await c.shutdown();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    process.off("uncaughtException", record);
  }
  assert.deepEqual(thrown, []);
});
