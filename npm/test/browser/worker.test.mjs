// Worker mode in a real headless Chromium: `createConductor({ worker: true })` runs the wasm
// engine in a dedicated Web Worker. The shared fixtures and the in-page scenarios run unchanged
// on it (npm/test/browser/worker-page.html makes every conductor of the entry a worker-mode one);
// then what only worker mode shows: the page keeps handling events during a heavy run, JS
// executors run in the page, values cross exactly, a trap is handled, and storage round trips.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { inPage, useServedPage, whenModuleReady } from "../../test-support/browser-page.mjs";
import { assertFixtureResult, expectationFor, fixtures } from "../../test-support/helpers.mjs";
import * as scenarios from "../../test-support/browser-scenarios.mjs";
import * as worker from "../../test-support/browser-worker-scenarios.mjs";

const options = { skip: chromiumMissing, timeout: 120_000 };

const session = useServedPage("/test/browser/worker-page.html", whenModuleReady);

test("the engine runs in a module worker started from the package's own worker script", options, () => {
  const urls = session.page.workers().map((w) => w.url());
  assert.ok(
    urls.some((url) => url === `${session.server.url}/dist/engines/worker/main.js`),
    urls.join("\n"),
  );
});

for (const fixture of fixtures()) {
  test(`Chromium worker mode, fixture ${fixture.file}: ${fixture.description}`, options, async () => {
    const run = async (mod, { flow, options: runOptions }) => {
      const result = await mod.conductor.node.run(flow, runOptions);
      // The trace stays in the page: its nodes' states come along.
      return { ...result, states: Object.fromEntries((result.trace?.nodes ?? []).map((n) => [n.nodeId, n.state])) };
    };
    const result = await inPage(session.page, run, {
      flow: fixture.flow,
      options: fixture.options ?? {},
    });
    assertFixtureResult(result, expectationFor(fixture, "wasm"));
  });
}

test("worker mode: the page keeps handling events while a heavy transform runs (20,000 costly items)", options, async (t) => {
  const r = await inPage(session.page, worker.ticksDuringHeavyRun, { items: 20_000, inPage: false });
  assert.equal(r.success, true, r.error);
  assert.deepEqual([r.count, r.first], [20_000, 4000]);
  // Counted, not timed: a page blocked for the whole run counts 0 or 1.
  assert.ok(r.ticks >= 5, `the page's timer fired ${r.ticks} times during the run`);
  const page = await inPage(session.page, worker.ticksDuringHeavyRun, { items: 5_000, inPage: true });
  t.diagnostic(`timer ticks during the run: worker mode ${r.ticks} (20,000 items), in-page ${page.ticks} (5,000 items)`);
});

test("worker mode: progress events are valid, carry their executionId and end at 100", options, async () => {
  scenarios.checkProgressEvents(await inPage(session.page, scenarios.progressEvents));
});

test(
  "node.store: the default module follows snapshots; the editor module is read when asked and tells subscribers every change",
  options,
  async () => {
    scenarios.checkStore(await inPage(session.page, scenarios.store));
  },
);

test("worker mode: node.cancel and an AbortSignal stop a run; the page's executor sees its signal abort", options, async () => {
  scenarios.checkCancellation(await inPage(session.page, scenarios.cancellation));
});

test("worker mode: custom executors run, with built-ins as the fallback", options, async () => {
  scenarios.checkCustomExecutors(await inPage(session.page, scenarios.customExecutors));
});

test("worker mode: executors run in the page and pass each other the very same objects", options, async () => {
  worker.checkExecutorsInPage(await inPage(session.page, worker.executorsInPage));
});

test("worker mode: values cross the page↔worker boundary exactly as they cross into the in-page engine", options, async () => {
  const makers = Object.fromEntries(Object.entries(worker.valueMakers).map(([name, make]) => [name, make.toString()]));
  const found = await inPage(session.page, worker.valuesAcross, makers);
  assert.equal(Object.keys(found).length, 2 * Object.keys(makers).length);
  for (const [name, differences] of Object.entries(found)) assert.deepEqual(differences, [], name);
});

test("worker mode: a native-only node fails validation with IMPLEMENTATION_NOT_FOUND", options, async () => {
  scenarios.checkNativeOnlyNodes(await inPage(session.page, scenarios.nativeOnlyNodes));
});

test("worker mode: debug.simulatePanic gives the in-page INTERNAL_ERROR, and the conductor runs the next flow", options, async () => {
  worker.checkWorkerPanic(await inPage(session.page, worker.workerPanic));
});

test("worker mode: storage round trips through the origin's IndexedDB, or memory", options, async () => {
  worker.checkWorkerStorage(await inPage(session.page, worker.workerStorage));
});

test("worker mode: a worker script that cannot be loaded fails the conductor's calls clearly", options, async () => {
  const r = await inPage(session.page, async () => {
    const c = window.browserModule.createConductor({ storage: { type: "memory" }, worker: { url: "/no/such/worker.js" } });
    const ready = await c.ready.then(
      () => "ready",
      (error) => error.message,
    );
    // As when the in-page engine's module cannot be loaded: the call rejects with the reason.
    const run = await c.node.run({ id: "t", type: "transform", parameters: { data: [1] } }).then(
      () => "ran",
      (error) => error.message,
    );
    return { ready, run };
  });
  assert.match(r.ready, /the engine's worker failed/);
  assert.match(r.run, /the engine's worker failed/);
});

test("engineWorker, the form bundlers build, served as plain modules starts the same script", options, async () => {
  const started = [];
  const record = (worker) => started.push(worker.url());
  session.page.on("worker", record);
  const result = await inPage(session.page, async () => {
    const { engineWorker } = await import("/dist/engines/worker/engine-worker.js");
    const c = window.browserModule.createConductor({ storage: { type: "memory" }, worker: engineWorker });
    const run = await c.node.run({
      id: "t",
      type: "transform",
      parameters: { operation: "map", transformFunction: "x => x * 3", data: [1, 2] },
    });
    return run.data.result;
  });
  session.page.off("worker", record);
  assert.deepEqual(result, [3, 6]);
  assert.deepEqual(started, [`${session.server.url}/dist/engines/worker/main.js`]);
});

test("the worker-mode page raised no uncaught errors", options, () => {
  assert.deepEqual(session.pageErrors, []);
});

test("worker mode: debugging in the default module (pins, runTo, breakpoints, step, resume, cancel)", options, async () => {
  scenarios.checkDebugging(await inPage(session.page, scenarios.debugging));
});
