// The browser tests' pages, served from npm/ with npm/demo/serve.mjs: npm/test/browser/page.html
// exposes `@atomiton/conductor/browser` as `window.conductorModule`; the demo is npm/demo/.
import { after, before } from "node:test";
import { serveStatic } from "../demo/serve.mjs";
import { chromiumMissing, launchChromium } from "./chromium.mjs";

/** Waits until the test page has imported the module and its engine is ready. */
export async function whenModuleReady(page) {
  await page.waitForFunction(() => window.conductorModule !== undefined);
  await page.evaluate(() => window.conductorModule.conductor.ready);
}

/**
 * Runs a scenario (`async (mod, arg) => data`, see browser-scenarios.mjs) in the page, with the
 * page's module as `mod`; `arg` and the answer cross as Playwright serialises them (JSON, plus
 * `Date`, `undefined` and the like). The scenario travels as source text, so it must use
 * nothing outside its own body.
 */
export function inPage(page, scenario, arg) {
  return page.evaluate(([source, value]) => (0, eval)(`(${source})`)(window.conductorModule, value), [scenario.toString(), arg]);
}

/**
 * One browser and one static server (npm/ on 127.0.0.1) for a test file: `before` opens `path`
 * in a fresh Chromium profile and runs `ready(page)`, `after` closes both. Records every request
 * the page makes and every uncaught page error. Does nothing where Chromium is missing (the
 * tests then skip with `chromiumMissing`).
 */
export function useServedPage(path, ready = async () => {}) {
  const session = { server: undefined, browser: undefined, page: undefined, requests: [], pageErrors: [] };
  before(async () => {
    if (chromiumMissing) return;
    session.server = await serveStatic();
    session.browser = await launchChromium();
    session.page = await session.browser.context.newPage();
    session.page.on("request", (request) => session.requests.push(request.url()));
    session.page.on("pageerror", (error) => session.pageErrors.push(error.message));
    await session.page.goto(`${session.server.url}${path}`);
    await ready(session.page);
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}
