// OpenTelemetry in a real headless Chromium: the page registers the OpenTelemetry web-compatible
// SDK (bundled here with esbuild, as an app's bundler would) and gives the API to its conductor.
// The default module traces a run as one span; the editor module adds a span per node under it,
// in the page and in worker mode (the worker's engine reports, the page makes the spans).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { inPage, useServedPage, whenModuleReady } from "../../test-support/browser-page.mjs";

const options = { skip: chromiumMissing, timeout: 60_000 };
const session = useServedPage("/test/browser/page.html", whenModuleReady);

before(async () => {
  // npm/.scratch is served with the rest of npm/ and never committed.
  mkdirSync(fileURLToPath(new URL("../../.scratch/", import.meta.url)), { recursive: true });
  await build({
    stdin: {
      contents: `export * as api from "@opentelemetry/api";
export { InMemorySpanExporter, SimpleSpanProcessor, StackContextManager, TracerProvider } from "@opentelemetry/sdk-trace";`,
      resolveDir: fileURLToPath(new URL("../..", import.meta.url)),
      loader: "js",
    },
    bundle: true,
    format: "esm",
    platform: "browser",
    outfile: fileURLToPath(new URL("../../.scratch/otel-browser.js", import.meta.url)),
    logLevel: "error",
  });
});

/** In the page: registers the SDK once, runs `flow` on a conductor made with `config`, returns the spans it made. */
async function tracedRun(mod, { config, flow }) {
  const otel = await import("/.scratch/otel-browser.js");
  if (!window.otelSpans) {
    window.otelSpans = new otel.InMemorySpanExporter();
    otel.api.context.setGlobalContextManager(new otel.StackContextManager().enable());
    otel.api.trace.setGlobalTracerProvider(
      new otel.TracerProvider({ spanProcessors: [new otel.SimpleSpanProcessor({ exporter: window.otelSpans })] }),
    );
  }
  window.otelSpans.reset();
  const conductor = mod.createConductor({ storage: { type: "memory" }, ...config, telemetry: { api: otel.api } });
  await conductor.ready;
  const outer = otel.api.trace.getTracer("page").startSpan("click");
  const result = await otel.api.context.with(otel.api.trace.setSpan(otel.api.context.active(), outer), () => conductor.node.run(flow));
  outer.end();
  return {
    success: result.success,
    outer: outer.spanContext().spanId,
    spans: window.otelSpans.getFinishedSpans().map((s) => ({
      name: s.name,
      traceId: s.spanContext().traceId,
      spanId: s.spanContext().spanId,
      parent: s.parentSpanContext?.spanId,
      attributes: s.attributes,
    })),
  };
}

const flow = {
  id: "page-flow",
  name: "Page flow",
  type: "group",
  nodes: ["a", "b"].map((id) => ({ id, type: "transform", parameters: id === "a" ? { data: [1, 2] } : {} })),
  edges: [{ id: "e", source: "a", target: "b" }],
};

function check(r, { nodes }) {
  assert.equal(r.success, true);
  const run = r.spans.find((s) => s.name === "run Page flow");
  assert.ok(run, JSON.stringify(r.spans.map((s) => s.name)));
  assert.equal(run.parent, r.outer, "the run is a child of the page's active span");
  assert.equal(run.attributes["atomiton.run.status"], "completed");
  const nodeSpans = r.spans.filter((s) => s.name === "node transform");
  assert.equal(nodeSpans.length, nodes ? 2 : 0);
  for (const span of nodeSpans) {
    assert.equal(span.parent, run.spanId);
    assert.equal(span.traceId, run.traceId);
  }
  if (nodes) assert.deepEqual(nodeSpans.map((s) => s.attributes["atomiton.node.id"]).sort(), ["a", "b"]);
}

test("Chromium: the default module traces a run as one span, a child of the page's active span", options, async () => {
  check(await inPage(session.page, tracedRun, { config: {}, flow }), { nodes: false });
});

test("Chromium: the editor module adds a span per node", options, async () => {
  check(await inPage(session.page, tracedRun, { config: { history: true }, flow }), { nodes: true });
});

test("Chromium worker mode: the page makes the spans from the worker engine's records", options, async () => {
  check(await inPage(session.page, tracedRun, { config: { history: true, worker: true }, flow }), { nodes: true });
});
