#!/usr/bin/env node
// How responsive a page stays while heavy flows run on the browser build, in headless Chromium:
// the wasm engine in a Web Worker (`createConductor({ worker: true })`) and, for comparison, in
// the page. A program, not a test: it prints medians and never fails. Goal for worker mode: no
// main-thread task over 50 ms.
//
//   node npm/bench/browser-responsiveness.mjs [rounds]     (after scripts/build-npm.sh; needs /usr/bin/chromium)
//
// For each heavy flow and mode, per round: the longest main-thread task the page's
// PerformanceObserver reports ('longtask': tasks over 50 ms; 0 when there was none), the
// longest gap between two ticks of a `setTimeout(0)` chain (what a user's input would wait),
// the ticks counted and the run's time. Medians over the rounds.
//   - 200k-object transform: `item => ({ ...item, processed: true })` over 200,000 objects passed
//     as the run's input, the 200,000-object result returned to the page;
//   - 20k costly transform: `x => "ab".repeat(2000).split("").reverse().join("").length` over
//     20,000 numbers.
import { serveStatic } from "../demo/serve.mjs";
import { chromiumMissing, launchChromium } from "../test-support/chromium.mjs";
import { median, report } from "./lib.mjs";

const ROUNDS = Number(process.argv[2] ?? 3);

const flows = {
  "200k-object transform": { items: 200_000, objects: true, expression: "item => ({ ...item, processed: true })" },
  "20k costly transform": { items: 20_000, objects: false, expression: 'x => "ab".repeat(2000).split("").reverse().join("").length' },
};

/** In the page: one run of `spec` on a conductor of `mode`, watched. */
async function watchedRun({ mode, spec }) {
  const mod = window.browserModule;
  window.benchConductors ??= {};
  const c = (window.benchConductors[mode] ??= mod.createConductor({
    storage: { type: "memory" },
    trace: false,
    worker: mode === "worker",
  }));
  await c.ready;
  const data = Array.from({ length: spec.items }, (_, i) => (spec.objects ? { id: i, name: `item ${i}`, value: i * 2 } : i));
  const flow = { id: "heavy", type: "transform", parameters: { operation: "map", transformFunction: spec.expression } };
  // Let the page settle (building the input is not part of the run).
  await new Promise((resolve) => setTimeout(resolve, 50));
  let longest = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longest = Math.max(longest, entry.duration);
  });
  observer.observe({ type: "longtask" });
  let ticks = 0;
  let gap = 0;
  let last = performance.now();
  let running = true;
  const tick = () => {
    const at = performance.now();
    gap = Math.max(gap, at - last);
    last = at;
    ticks += 1;
    if (running) setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const start = performance.now();
  const result = await c.node.run(flow, { input: { data } });
  const ms = performance.now() - start;
  // One more tick: the gap that ends with the run's own delivery counts too.
  await new Promise((resolve) => setTimeout(resolve, 0));
  running = false;
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const entry of observer.takeRecords()) longest = Math.max(longest, entry.duration);
  observer.disconnect();
  return { ok: result.success && result.data.result.length === spec.items, error: result.error?.message, longest, gap, ticks, ms };
}

async function main() {
  if (chromiumMissing) {
    console.log(`browser-responsiveness: skipped, ${chromiumMissing}`);
    return;
  }
  const server = await serveStatic();
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/test/browser/worker-page.html`);
    await page.waitForFunction(() => window.browserModule !== undefined);
    console.log(`Main-thread responsiveness in headless Chromium, medians of ${ROUNDS} rounds (goal in worker mode: no task over 50 ms)`);
    for (const [name, spec] of Object.entries(flows)) {
      for (const mode of ["worker", "page"]) {
        const samples = [];
        for (let round = 0; round < ROUNDS; round++) samples.push(await page.evaluate(watchedRun, { mode, spec }));
        const failed = samples.find((sample) => !sample.ok);
        if (failed) {
          console.log(`${name}, ${mode}: the run failed (${failed.error ?? "wrong result length"})`);
          continue;
        }
        const label = `${name}, ${mode === "worker" ? "worker mode" : "in-page"}`;
        report(`${label}: longest long task`, median(samples.map((s) => s.longest)), "ms", mode === "worker" ? 50 : undefined);
        report(`${label}: longest gap between timer ticks`, median(samples.map((s) => s.gap)), "ms");
        report(`${label}: timer ticks during the run`, median(samples.map((s) => s.ticks)), "ticks");
        report(`${label}: run time`, median(samples.map((s) => s.ms)), "ms");
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  // A benchmark never fails: it says what went wrong.
  console.log(`browser-responsiveness: could not run: ${error?.stack ?? error}`);
});
