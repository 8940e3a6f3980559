// Production builds of apps that import @atomiton/conductor/browser as a consumer does, each with
// its bundler's default configuration (npm/test-support/bundler-apps/: Vite 8 and Vite 7 with none
// at all, `webpack --mode production`, esbuild's CLI with --bundle --format=esm, Rollup with the
// node-resolve plugin). Each app is staged outside the repository against the built package and
// built once; its page, served from 127.0.0.1 in headless Chromium, runs a flow in the page, on
// the history module, and in worker mode where the app opted in. A bundled app's `worker: true`
// cannot find the worker script and must say how to opt in.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveStatic } from "../../demo/serve.mjs";
import { buildApp, stageApp } from "../../test-support/bundled-apps.mjs";
import { inPage, whenModuleReady } from "../../test-support/browser-page.mjs";
import { chromiumMissing, launchChromium } from "../../test-support/chromium.mjs";

const APPS = [
  { app: "vite", bundler: "Vite 8", served: "dist", worker: true },
  { app: "vite-7", bundler: "Vite 7 (Rollup inside, worker format iife)", served: "dist", worker: true },
  { app: "vite-7-in-page", bundler: "Vite 7, an app without worker mode", served: "dist", worker: false },
  { app: "webpack", bundler: "webpack 5", served: ".", worker: true },
  { app: "esbuild", bundler: "esbuild", served: ".", worker: true },
  { app: "rollup", bundler: "Rollup", served: ".", worker: true },
];

const root = mkdtempSync(join(tmpdir(), "atomiton-bundlers-"));
/** app name -> its staged, built directory */
const built = new Map();
let browser;

before(async () => {
  if (!chromiumMissing) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

/** Stands for the app's own worker option (`window.workerOption`) in `runFlow`'s configs. */
const APP_WORKER = "the app's";

/**
 * In the page: the same transform flow on a fresh conductor per config (storage in memory), with
 * `history`'s runs listed; `{ failed }` where creating or running it threw.
 */
async function runFlow(mod, { configs, appWorker }) {
  const flow = { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } };
  const results = {};
  for (const [name, given] of Object.entries(configs)) {
    const config = given.worker === appWorker ? { ...given, worker: window.workerOption } : given;
    try {
      const c = mod.createConductor({ storage: { type: "memory" }, ...config });
      const r = await c.node.run(flow);
      const runs = config.history ? (await c.executions.list()).executions.map((run) => run.status) : undefined;
      results[name] = { result: r.success ? r.data.result : r.error.message, runs };
    } catch (error) {
      results[name] = { failed: error.message };
    }
  }
  return results;
}

const run = (page, configs) => inPage(page, runFlow, { configs, appWorker: APP_WORKER });

for (const { app, bundler, served, worker } of APPS) {
  test(`${bundler}: the production build of ${app}/ succeeds`, () => {
    const dir = stageApp(app, root);
    const { status, output } = buildApp(dir);
    assert.equal(status, 0, output);
    built.set(app, dir);
  });

  if (!worker) {
    test(`${bundler}: the build holds one script, with no worker in it`, () => {
      assert.ok(built.has(app), "built");
      const scripts = readdirSync(join(built.get(app), "dist", "assets")).filter((file) => file.endsWith(".js"));
      assert.equal(scripts.length, 1, scripts.join(", "));
    });
  }

  test(`${bundler}: the built page runs a flow in the page and on the history module${worker ? ", and in worker mode" : ""}; worker: true names engineWorker`, {
    skip: chromiumMissing,
    timeout: 120_000,
  }, async () => {
    assert.ok(built.has(app), "built");
    const server = await serveStatic({ root: join(built.get(app), served) });
    const page = await browser.context.newPage();
    const pageErrors = [];
    const requests = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("request", (request) => requests.push(request.url()));
    try {
      await page.goto(`${server.url}/index.html`);
      await whenModuleReady(page);
      const doubled = { result: [2, 4, 6], runs: undefined };
      const inPageRuns = await run(page, { inPage: {}, history: { history: true } });
      assert.deepEqual(inPageRuns.inPage, doubled);
      assert.deepEqual(inPageRuns.history, { ...doubled, runs: ["success"] }, "the history module's .wasm");
      if (worker) {
        // The editor module through `cache`: a worker's runs cannot be listed.
        const workerRuns = await run(page, { worker: { worker: APP_WORKER }, editor: { worker: APP_WORKER, cache: true } });
        assert.deepEqual(workerRuns.worker, doubled);
        assert.deepEqual(workerRuns.editor, doubled, "the history module's .wasm in the worker");
        const workers = page.workers().map((w) => w.url());
        assert.equal(workers.length, 2, workers.join("\n"));
        for (const url of workers) assert.ok(url.startsWith(`${server.url}/`), url);
      }
      const { unbundled } = await run(page, { unbundled: { worker: true } });
      assert.match(
        unbundled.failed,
        /the engine's worker failed: .*worker: engineWorker from @atomiton\/conductor\/browser\/engine-worker/,
      );
      assert.ok(
        requests.every((url) => url.startsWith(`${server.url}/`) || url.startsWith("data:")),
        requests.join("\n"),
      );
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
}
