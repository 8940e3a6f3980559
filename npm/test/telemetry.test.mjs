// OpenTelemetry through the package, with the real SDK and its in-memory exporters: a run's span
// tree (parallel nodes, a nested group, a retried node, a failed one), its parent (the app's
// active span), the `traceparent` an `http-request` node sends, the metrics of the runs made,
// and nothing at all before an SDK is registered.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { once } from "node:events";
import * as api from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createConductor } from "@atomiton/conductor";
import { WebSocket } from "ws";

/** A local server: `/limited` answers 429 once then 200; every request's trace headers are kept. */
async function startServer(t) {
  const seen = [];
  let limited = 0;
  const server = createServer((request, response) => {
    seen.push({ path: request.url, traceparent: request.headers.traceparent, tracestate: request.headers.tracestate });
    if (request.url === "/limited" && limited++ === 0) {
      response.writeHead(429, { "Retry-After": "0" }).end();
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" }).end('{"ok":true}');
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const reset = () => {
    limited = 0;
  };
  return { url: `http://127.0.0.1:${server.address().port}`, seen, reset };
}

let sdk;
/** The SDK as an app registers it: in-memory span and metric exporters; once per process. */
function registerSdk() {
  if (sdk) return sdk;
  const spans = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(tracerProvider);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  api.metrics.setGlobalMeterProvider(meterProvider);
  sdk = { spans, reader, metricExporter, tracerProvider, meterProvider };
  return sdk;
}

after(async () => {
  await sdk?.meterProvider.shutdown();
  await sdk?.tracerProvider.shutdown();
  api.trace.disable();
  api.metrics.disable();
  api.context.disable();
});

const tracedFlow = (url) => ({
  id: "traced",
  name: "Traced flow",
  type: "group",
  nodes: [
    { id: "left", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2" } },
    { id: "right", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    {
      id: "inner",
      type: "group",
      nodes: [{ id: "deep", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } }],
    },
    { id: "call", type: "http-request", parameters: { url: `${url}/limited`, retries: 2 } },
    { id: "broken", type: "file-system", parameters: { operation: "read", path: "/nonexistent/atomiton-telemetry-test" } },
  ],
  edges: [],
});

/**
 * Runs `tracedFlow` inside an app span on `conductor` and checks the span tree the SDK got:
 * the run under the app's span, every node under the run (a nested one under its group), the
 * retried node's attempts, the failed node's error, and the request's `traceparent`.
 */
async function checkTracedRun(conductor, server, spans) {
  spans.reset();
  server.seen.length = 0;
  server.reset();
  // The run starts inside the app's own span (a request handler, say).
  const tracer = api.trace.getTracer("app");
  const outer = tracer.startSpan("handle request");
  const result = await api.context.with(api.trace.setSpan(api.context.active(), outer), () =>
    conductor.node.run(tracedFlow(server.url), { input: [1, 2, 3] }),
  );
  outer.end();
  assert.equal(result.success, false);
  assert.equal(result.error.code, "EXECUTION_FAILED");
  assert.equal("spans" in result, false, "the engine's span records are not part of the public result");

  const finished = spans.getFinishedSpans();
  const byName = (name) => finished.filter((s) => s.name === name);
  const [run] = byName("run Traced flow");
  assert.ok(run, `a run span; got ${finished.map((s) => s.name).join(", ")}`);
  const outerContext = outer.spanContext();
  assert.equal(run.spanContext().traceId, outerContext.traceId, "the run joins the app's trace");
  assert.equal(run.parentSpanContext?.spanId, outerContext.spanId, "the run span is a child of the active span");
  assert.equal(run.attributes["atomiton.flow.id"], "traced");
  assert.equal(run.attributes["atomiton.flow.name"], "Traced flow");
  assert.equal(run.attributes["atomiton.execution.id"], result.error.executionId ?? run.attributes["atomiton.execution.id"]);
  assert.equal(run.attributes["atomiton.run.status"], "failed");
  assert.equal(run.status.code, api.SpanStatusCode.ERROR);

  const node = (id) => {
    const found = finished.filter((s) => s.attributes["atomiton.node.id"] === id);
    assert.equal(found.length, 1, `one span for node ${id}`);
    return found[0];
  };
  const runId = run.spanContext().spanId;
  for (const id of ["left", "right", "inner", "call", "broken"]) {
    const span = node(id);
    assert.equal(span.parentSpanContext?.spanId, runId, `${id} is a child of the run`);
    assert.equal(span.spanContext().traceId, run.spanContext().traceId);
  }
  // A nested node is a child of its group's span.
  assert.equal(node("deep").parentSpanContext?.spanId, node("inner").spanContext().spanId);
  assert.equal(node("deep").attributes["atomiton.node.path"], "inner/deep");
  assert.equal(node("left").name, "node transform");
  assert.equal(node("left").attributes["atomiton.node.type"], "transform");
  assert.equal(node("left").attributes["atomiton.node.state"], "completed");
  assert.equal(node("left").status.code, api.SpanStatusCode.UNSET);
  // Parallel nodes overlap in the engine's own times.
  const [left, right] = [node("left"), node("right")];
  assert.ok(left.startTime && right.startTime && left.endTime && right.endTime);

  // The retried node: two attempts, the failed one an event with its code.
  const call = node("call");
  assert.equal(call.attributes["atomiton.node.attempts"], 2);
  assert.equal(call.attributes["atomiton.node.state"], "completed");
  const retries = call.events.filter((e) => e.name === "retry");
  assert.equal(retries.length, 1);
  assert.equal(retries[0].attributes["atomiton.node.attempt"], 1);
  assert.equal(retries[0].attributes["error.type"], "RATE_LIMIT_EXCEEDED");

  // The failed node: error status with its code and message.
  const broken = node("broken");
  assert.equal(broken.status.code, api.SpanStatusCode.ERROR);
  assert.equal(broken.attributes["error.type"], "EXECUTION_FAILED");
  assert.match(broken.status.message, /nonexistent/);
  assert.equal(broken.attributes["atomiton.node.state"], "error");

  // Both attempts of the request named the node's span as their parent.
  const requests = server.seen.filter((r) => r.path === "/limited");
  assert.equal(requests.length, 2);
  const expected = `00-${call.spanContext().traceId}-${call.spanContext().spanId}-01`;
  for (const request of requests) assert.equal(request.traceparent, expected);
}

const oneRequest = (url) => ({ id: "one", type: "http-request", parameters: { url: `${url}/plain` } });

test("OpenTelemetry: nothing before an SDK is registered; then a span per run and node, trace context sent, metrics counted", async (t) => {
  const server = await startServer(t);
  const conductor = createConductor({ retryDelay: 5, history: false });

  // No SDK: the request carries no trace context and the run is as ever.
  const before = await conductor.node.run(oneRequest(server.url));
  assert.equal(before.success, true, JSON.stringify(before.error));
  assert.equal(server.seen.at(-1).traceparent, undefined);
  assert.equal("spans" in before, false);

  // The app registers its SDK after the conductor was made.
  const { spans, reader, metricExporter } = registerSdk();

  await checkTracedRun(conductor, server, spans);

  // Per run, propagation can be turned off; the flow's own header always wins.
  await conductor.node.run(oneRequest(server.url), { telemetry: { propagate: false } });
  assert.equal(server.seen.at(-1).traceparent, undefined);
  const own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  await conductor.node.run({ ...oneRequest(server.url), parameters: { url: `${server.url}/plain`, headers: { traceparent: own } } });
  assert.equal(server.seen.at(-1).traceparent, own);

  // A traceparent given with the run continues that trace.
  spans.reset();
  await conductor.node.run(
    { id: "child", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
    {
      input: [1],
      telemetry: { traceparent: own },
    },
  );
  const [continued] = spans.getFinishedSpans().filter((s) => s.name.startsWith("run "));
  assert.equal(continued.spanContext().traceId, "0af7651916cd43dd8448eb211c80319c");
  assert.equal(continued.parentSpanContext?.spanId, "b7ad6b7169203331");

  // Metrics: every run made since the SDK came (4), by status; node durations by type.
  await reader.forceFlush();
  const metrics = metricExporter
    .getMetrics()
    .at(-1)
    .scopeMetrics.find((s) => s.scope.name === "@atomiton/conductor").metrics;
  const metric = (name) => metrics.find((m) => m.descriptor.name === name);
  const sum = (name, match = () => true) =>
    metric(name)
      .dataPoints.filter((p) => match(p.attributes))
      .reduce((total, p) => total + (typeof p.value === "number" ? p.value : p.value.count), 0);
  assert.equal(sum("atomiton.runs.started"), 4);
  assert.equal(
    sum("atomiton.runs.ended", (a) => a["atomiton.run.status"] === "failed"),
    1,
  );
  assert.equal(
    sum("atomiton.runs.ended", (a) => a["atomiton.run.status"] === "completed"),
    3,
  );
  assert.equal(sum("atomiton.runs.active"), 0);
  assert.equal(sum("atomiton.run.duration"), 4);
  assert.equal(
    sum("atomiton.node.duration", (a) => a["atomiton.node.type"] === "http-request"),
    3,
  );
  assert.equal(
    sum("atomiton.node.duration", (a) => a["atomiton.node.type"] === "transform"),
    4,
  );
});

test("OpenTelemetry on the WebAssembly engine (the Node fallback): the same span tree and trace context", async (t) => {
  const server = await startServer(t);
  const { spans } = registerSdk();
  const conductor = createConductor({ retryDelay: 5, history: false, engine: "wasm" });
  assert.equal(conductor.getEnvironment().details.engine, "wasm");
  await checkTracedRun(conductor, server, spans);
});

test("OpenTelemetry: values go on the run span only when asked, redacted as the history redacts", async () => {
  const { spans } = registerSdk();
  const flow = {
    id: "values",
    type: "transform",
    parameters: { operation: "map", transformFunction: "x => x", data: [{ password: "out" }] },
  };
  const input = { user: "ada", password: "in", nested: { Token: "t" } };

  spans.reset();
  await createConductor({ storage: { type: "memory" }, history: false }).node.run(flow, { input });
  const [plain] = spans.getFinishedSpans().filter((s) => s.name.startsWith("run "));
  assert.equal(plain.attributes["atomiton.run.input"], undefined, "no values by default");
  assert.equal(plain.attributes["atomiton.run.output"], undefined);

  spans.reset();
  const conductor = createConductor({
    storage: { type: "memory" },
    history: { redactKeys: ["password"] },
    telemetry: { recordValues: { redactKeys: ["token"] } },
  });
  const result = await conductor.node.run(flow, { input });
  assert.equal(result.success, true, JSON.stringify(result.error));
  const [run] = spans.getFinishedSpans().filter((s) => s.name.startsWith("run "));
  assert.deepEqual(JSON.parse(run.attributes["atomiton.run.input"]), {
    user: "ada",
    password: "[REDACTED]",
    nested: { Token: "[REDACTED]" },
  });
  const output = JSON.parse(run.attributes["atomiton.run.output"]);
  assert.deepEqual(output.result, [{ password: "[REDACTED]" }]);
});

test("OpenTelemetry: a run that throws instead of returning a result still ends its span, failed, once", async () => {
  // The conductor's runs never throw by design; this is the guard for when something under them does.
  const { RunTelemetry } = await import("../dist/telemetry/run.js");
  const { spans } = registerSdk();
  spans.reset();
  const telemetry = RunTelemetry.begin(api, {}, { id: "lost", type: "transform" }, "exec_lost");
  telemetry.abandon(new Error("the line is down"));
  telemetry.end({ success: true, duration: 1, executedNodes: [] });
  const runs = spans.getFinishedSpans().filter((s) => s.name === "run lost");
  assert.equal(runs.length, 1, "ended once");
  assert.equal(runs[0].status.code, api.SpanStatusCode.ERROR);
  assert.match(runs[0].status.message, /the line is down/);
  assert.equal(runs[0].attributes["error.type"], "INTERNAL_ERROR");
});

test("OpenTelemetry through a remote conductor (HTTP and WebSocket): the server's run span is a child of the client's", async (t) => {
  const { startServer } = await import("../test-support/remote.mjs");
  const { spans } = registerSdk();
  const { server } = await startServer(t, { history: false });
  const flow = {
    id: "remote-flow",
    name: "Remote flow",
    type: "group",
    nodes: [{ id: "x", type: "transform", parameters: { data: [1] } }],
  };
  for (const [transport, apiUrl] of [
    ["http", server.url],
    ["ws", server.wsUrl],
  ]) {
    spans.reset();
    const client = createConductor({ transport, apiUrl, WebSocket });
    const result = await client.node.run(flow);
    assert.equal(result.success, true, `${transport}: ${JSON.stringify(result.error)}`);
    const runs = spans.getFinishedSpans().filter((s) => s.name === "run Remote flow");
    assert.equal(runs.length, 2, `${transport}: the client's and the server's run spans`);
    const [serverRun, clientRun] = runs.sort((a, b) => (a.parentSpanContext?.spanId === b.spanContext().spanId ? -1 : 1));
    assert.equal(serverRun.parentSpanContext?.spanId, clientRun.spanContext().spanId, `${transport}: server under client`);
    assert.equal(serverRun.spanContext().traceId, clientRun.spanContext().traceId);
    const node = spans.getFinishedSpans().find((s) => s.name === "node transform");
    assert.equal(node.parentSpanContext?.spanId, serverRun.spanContext().spanId, `${transport}: the node under the server's run`);
    client.close?.();
  }
});
