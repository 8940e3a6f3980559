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
import { createProtocolServer } from "@atomiton/conductor/desktop";
import { WebSocket, WebSocketServer } from "ws";
import { join } from "node:path";
import { tempDir } from "../test-support/helpers.mjs";

/** A local server: `/limited` answers 429 once then 200; every request's trace headers are kept. */
async function startServer(t) {
  const seen = [];
  let limited = 0;
  const server = createServer((request, response) => {
    seen.push({ path: request.url, traceparent: request.headers.traceparent, tracestate: request.headers.tracestate });
    if (request.url === "/missing") {
      response.writeHead(404, { "Content-Type": "application/json" }).end('{"ok":false}');
      return;
    }
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

/** The sum of metric `name`'s data points whose attributes `match` (a histogram's: its count), as the SDK has them now. */
async function metricSum(name, match = () => true) {
  const { reader, metricExporter } = registerSdk();
  await reader.forceFlush();
  const scope = metricExporter
    .getMetrics()
    .at(-1)
    .scopeMetrics.find((s) => s.scope.name === "@atomiton/conductor");
  const metric = scope?.metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? [])
    .filter((p) => match(p.attributes))
    .reduce((total, p) => total + (typeof p.value === "number" ? p.value : p.value.count), 0);
}

/**
 * A copy of `@opentelemetry/api` whose providers are the API's own (the no-op ones until an SDK
 * is registered), counting what it is asked beyond looking them up: spans started, instruments
 * made, values recorded. The conductor's `telemetry.api`.
 */
function countingApi() {
  const asked = [];
  const counted = (target, label) =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property, object);
        if (typeof value !== "function") return value;
        return (...args) => {
          asked.push(`${label}.${String(property)}`);
          const made = value.apply(object, args);
          // An instrument the meter made: what is recorded on it is counted too.
          return typeof made === "object" && made !== null && label === "meter" ? counted(made, String(property)) : made;
        };
      },
    });
  const trace = Object.assign(Object.create(api.trace), {
    getTracer: (...args) => counted(api.trace.getTracer(...args), "tracer"),
  });
  // The meter keeps its prototype through the proxy, so the API's no-op meter is still seen as one.
  const metrics = Object.assign(Object.create(api.metrics), {
    getMeter: (...args) => counted(api.metrics.getMeter(...args), "meter"),
  });
  return { api: { ...api, trace, metrics }, asked };
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
      nodes: [
        { id: "deep", type: "transform", parameters: { operation: "map", transformFunction: "x => x" } },
        { id: "lookup", type: "http-request", parameters: { url: `${url}/missing` } },
      ],
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
let tracedRuns = 0;

async function checkTracedRun(conductor, server, spans) {
  spans.reset();
  server.seen.length = 0;
  server.reset();
  const executionId = `exec_traced_${++tracedRuns}`;
  // The run starts inside the app's own span (a request handler, say).
  const tracer = api.trace.getTracer("app");
  const outer = tracer.startSpan("handle request");
  const result = await api.context.with(api.trace.setSpan(api.context.active(), outer), () =>
    conductor.node.run(tracedFlow(server.url), { input: [1, 2, 3], executionId }),
  );
  outer.end();
  assert.equal(result.success, false);
  assert.equal(result.error.code, "FILE_NOT_FOUND");
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
  assert.equal(run.attributes["atomiton.execution.id"], executionId);
  assert.equal(run.kind, api.SpanKind.INTERNAL, "a run in this process is an internal span");
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
  // Every node span names the attempt that ended it; the count only when there were more.
  for (const id of ["left", "right", "inner", "deep", "broken"]) {
    assert.equal(node(id).attributes["atomiton.node.attempt"], 1, `${id}: its first attempt ended it`);
    assert.equal(node(id).attributes["atomiton.node.attempts"], undefined, `${id}: one attempt, no count`);
    assert.equal(node(id).kind, api.SpanKind.INTERNAL, `${id}: an internal span`);
  }
  // Parallel nodes overlap in the engine's own times.
  const [left, right] = [node("left"), node("right")];
  assert.ok(left.startTime && right.startTime && left.endTime && right.endTime);

  // The retried node: two attempts, the failed one an event with its code.
  const call = node("call");
  assert.equal(call.attributes["atomiton.node.attempts"], 2);
  assert.equal(call.attributes["atomiton.node.attempt"], 2, "the second attempt ended it");
  // An HTTP client span, after the conventions: what it asked of which server.
  assert.equal(call.kind, api.SpanKind.CLIENT);
  assert.equal(call.attributes["http.request.method"], "GET");
  assert.equal(call.attributes["url.full"], `${server.url}/limited`);
  assert.equal(call.attributes["server.address"], "127.0.0.1");
  assert.equal(call.attributes["server.port"], Number(new URL(server.url).port));
  assert.equal(call.attributes["atomiton.node.state"], "completed");
  const retries = call.events.filter((e) => e.name === "retry");
  assert.equal(retries.length, 1);
  assert.equal(retries[0].attributes["atomiton.node.attempt"], 1);
  assert.equal(retries[0].attributes["error.type"], "RATE_LIMIT_EXCEEDED");

  // The failed node: error status with its code and message.
  const broken = node("broken");
  assert.equal(broken.status.code, api.SpanStatusCode.ERROR);
  assert.equal(broken.attributes["error.type"], "FILE_NOT_FOUND");
  assert.match(broken.status.message, /nonexistent/);
  assert.equal(broken.attributes["atomiton.node.state"], "error");

  assert.equal(call.attributes["http.response.status_code"], 200, "the last attempt's answer");
  assert.equal(call.status.code, api.SpanStatusCode.UNSET);

  // A request inside a group: its span, opened while the run went (the request names it), is a
  // child of its group's span and starts when the engine started the node, not when JS heard.
  const lookup = node("lookup");
  const inner = node("inner");
  assert.equal(lookup.parentSpanContext?.spanId, inner.spanContext().spanId, "lookup is a child of its group");
  assert.equal(inner.parentSpanContext?.spanId, runId);
  const ms = ([seconds, nanos]) => seconds * 1000 + nanos / 1e6;
  assert.ok(ms(lookup.startTime) >= ms(inner.startTime), "the node starts within its group");
  assert.ok(ms(lookup.endTime) <= ms(inner.endTime) + 0.001, "and ends within it");
  assert.equal(lookup.attributes["atomiton.node.path"], "inner/lookup");
  const [missing] = server.seen.filter((r) => r.path === "/missing");
  assert.equal(missing.traceparent, `00-${lookup.spanContext().traceId}-${lookup.spanContext().spanId}-01`);
  // A 404: the node completed (the flow sees `ok: false`), the client span failed, as the HTTP conventions say.
  assert.equal(lookup.attributes["atomiton.node.state"], "completed");
  assert.equal(lookup.attributes["http.response.status_code"], 404);
  assert.equal(lookup.attributes["error.type"], "404");
  assert.equal(lookup.status.code, api.SpanStatusCode.ERROR);
  assert.equal(lookup.kind, api.SpanKind.CLIENT);

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
  // A conductor given a counting copy of the API: what it asks of the API shows.
  const counting = countingApi();
  const watched = createConductor({ history: false, telemetry: { api: counting.api } });
  // A remote conductor: what its engine is asked to record travels in the run's context
  // (`telemetry`) to the protocol server, where it shows.
  const contexts = [];
  const served = createConductor({ storage: { type: "memory" }, history: false });
  const protocol = await createProtocolServer(
    {
      node: {
        ...served.node,
        run: (node, overrides) => {
          contexts.push(overrides);
          return served.node.run(node, overrides);
        },
      },
      flow: served.flow,
      storage: served.storage,
      system: served.system,
      events: served.events,
    },
    { WebSocketServer },
  );
  t.after(() => protocol.close());
  const relay = createConductor({ transport: "http", apiUrl: protocol.url });

  // No SDK: nothing is asked of the API, no trace context goes to the engine or out with requests.
  for (const each of [conductor, watched, relay]) {
    const before = await each.node.run(oneRequest(server.url));
    assert.equal(before.success, true, JSON.stringify(before.error));
    assert.equal(server.seen.at(-1).traceparent, undefined);
  }
  assert.deepEqual(counting.asked, [], "no span started, no instrument made, nothing recorded");
  assert.equal(contexts.length, 1);
  assert.equal(contexts[0].telemetry, undefined, "the engine is not asked to record the run");

  // The app registers its SDK after the conductors were made.
  const { spans } = registerSdk();

  // The same calls now: a span and instruments through the counting API, the run's span sent on.
  await watched.node.run(oneRequest(server.url));
  assert.ok(counting.asked.includes("tracer.startSpan"), counting.asked.join(", "));
  assert.ok(
    counting.asked.some((call) => call.startsWith("meter.create")),
    counting.asked.join(", "),
  );
  assert.match(server.seen.at(-1).traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  await relay.node.run(oneRequest(server.url));
  assert.match(contexts[1].telemetry?.traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

  const counts = async () => ({
    started: await metricSum("atomiton.runs.started"),
    failed: await metricSum("atomiton.runs.ended", (a) => a["atomiton.run.status"] === "failed"),
    completed: await metricSum("atomiton.runs.ended", (a) => a["atomiton.run.status"] === "completed"),
    active: await metricSum("atomiton.runs.active"),
    durations: await metricSum("atomiton.run.duration"),
    requests: await metricSum("atomiton.node.duration", (a) => a["atomiton.node.type"] === "http-request"),
    transforms: await metricSum("atomiton.node.duration", (a) => a["atomiton.node.type"] === "transform"),
  });
  const before = await counts();

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

  // ... with its tracestate, which goes on to the requests the run sends.
  spans.reset();
  await conductor.node.run(oneRequest(server.url), { telemetry: { traceparent: own, tracestate: "vendor=abc,other=x1" } });
  const [request] = spans.getFinishedSpans().filter((s) => s.name === "node http-request");
  assert.equal(server.seen.at(-1).traceparent, `00-0af7651916cd43dd8448eb211c80319c-${request.spanContext().spanId}-01`);
  assert.equal(server.seen.at(-1).tracestate, "vendor=abc,other=x1");

  // Metrics: the runs made since (5), by status; node durations by type.
  const after = await counts();
  const made = Object.fromEntries(Object.keys(after).map((key) => [key, after[key] - before[key]]));
  assert.deepEqual(made, { started: 5, failed: 1, completed: 4, active: 0, durations: 5, requests: 5, transforms: 4 });
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

test("OpenTelemetry: a database node's spans, events and attributes hold its credential's name, never a field's value", async (t) => {
  const { spans } = registerSdk();
  const SECRET = "otel-secret-77d1-password";
  const directory = tempDir(t, "telemetry-credentials");
  const conductor = createConductor({ storage: { directory }, telemetry: { recordValues: true } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("shop", { type: "sqlite", path: join(directory, "shop.db"), password: SECRET });
  spans.reset();
  const flow = (query) => ({
    id: "traced",
    type: "group",
    nodes: [{ id: "db", type: "database", parameters: { credential: "shop", query } }],
    edges: [],
  });
  assert.equal((await conductor.node.run(flow("SELECT 1 AS one"))).success, true);
  assert.equal((await conductor.node.run(flow("SELECT * FROM missing"))).success, false);
  const finished = spans.getFinishedSpans();
  const nodes = finished.filter((s) => s.name === "node database");
  assert.equal(nodes.length, 2, "a span per database node");
  const seen = JSON.stringify(finished.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
  assert.match(seen, /no such table: missing/, "the failure is on the span");
  assert.ok(!seen.includes(SECRET), "a span holds the secret");
});

test("OpenTelemetry: an llm node's spans hold its credential's name and its tokens, never its key, even when the server quotes it", async (t) => {
  const { spans } = registerSdk();
  const KEY = "sk-otel-secret-41c7";
  // A stand-in for a model server: it answers, or, asked for the model "quote", refuses
  // quoting the Authorization header it was sent (as a misbehaving proxy might).
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const asked = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      res.setHeader("content-type", "application/json");
      if (asked.model === "quote") {
        res.statusCode = 400;
        res.end(JSON.stringify({ error: { message: `bad request with ${req.headers.authorization}` } }));
        return;
      }
      res.end(
        JSON.stringify({
          model: asked.model,
          choices: [{ message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
          usage: { prompt_tokens: 11, completion_tokens: 2, total_tokens: 13 },
        }),
      );
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const directory = tempDir(t, "telemetry-llm");
  const conductor = createConductor({ storage: { directory }, telemetry: { recordValues: true } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("model", {
    type: "openai",
    baseUrl: `http://127.0.0.1:${server.address().port}/v1`,
    model: "m",
    apiKey: KEY,
  });
  spans.reset();
  const tokens = (type) => metricSum("atomiton.llm.tokens", (a) => a["gen_ai.token.type"] === type && a["atomiton.node.type"] === "llm");
  const before = [await tokens("input"), await tokens("output")];
  const flow = (model) => ({
    id: "traced",
    type: "group",
    nodes: [{ id: "ask", type: "llm", parameters: { credential: "model", model, prompt: "Say hi", stream: false } }],
    edges: [],
  });
  assert.equal((await conductor.node.run(flow("m"))).success, true);
  const asked = spans.getFinishedSpans().find((s) => s.name === "node llm");
  assert.deepEqual([asked.attributes["gen_ai.usage.input_tokens"], asked.attributes["gen_ai.usage.output_tokens"]], [11, 2]);
  assert.deepEqual([(await tokens("input")) - before[0], (await tokens("output")) - before[1]], [11, 2], "counted in the metric");
  const refused = await conductor.node.run(flow("quote"));
  assert.equal(refused.error.code, "EXECUTION_FAILED");
  assert.match(refused.error.message, /bad request with Bearer \*\*\*/, "the server's words, the key replaced");
  const finished = spans.getFinishedSpans();
  const seen = JSON.stringify(finished.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
  assert.match(seen, /bad request with Bearer/, "the failure is on the span");
  assert.ok(!seen.includes(KEY), "a span holds the key");
  const record = await conductor.executions.get(refused.error.executionId);
  assert.ok(!JSON.stringify(record).includes(KEY), "the run record holds the key");
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
  // The server keeps a history (in memory): it writes each run's record, the client none.
  const { server } = await startServer(t);
  const writes = await metricSum("atomiton.history.writes");
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
    assert.equal(clientRun.kind, api.SpanKind.CLIENT, `${transport}: the client's run calls a server`);
    assert.equal(serverRun.kind, api.SpanKind.SERVER, `${transport}: the server's run serves a call`);
    const node = spans.getFinishedSpans().find((s) => s.name === "node transform");
    assert.equal(node.parentSpanContext?.spanId, serverRun.spanContext().spanId, `${transport}: the node under the server's run`);
    client.close?.();
  }
  assert.equal((await metricSum("atomiton.history.writes")) - writes, 2, "one record per run, counted where it was written");
});

test("OpenTelemetry: atomiton.history.writes counts the records this process writes, one per run", async () => {
  registerSdk();
  const flow = { id: "recorded", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data: [1] } };
  const writes = () => metricSum("atomiton.history.writes");
  const made = async (conductor, runs, overrides) => {
    const before = await writes();
    for (let i = 0; i < runs; i++) assert.equal((await conductor.node.run(flow, overrides)).success, true);
    return (await writes()) - before;
  };
  const recording = createConductor({ storage: { type: "memory" } });
  assert.equal(await made(recording, 3), 3, "history on (the default): one write per run");
  assert.equal((await recording.executions.list()).total, 3, "as many records as counted");
  assert.equal(await made(recording, 2, { history: false }), 0, "a run that asks not to be recorded");
  assert.equal(await made(createConductor({ storage: { type: "memory" }, history: false }), 2), 0, "history off");
  assert.equal(await made(createConductor({ storage: { type: "memory" }, history: { enabled: false } }), 2), 0, "history disabled");
});

test("OpenTelemetry: an http-request node's span is a CLIENT span naming its request, when the flow alone tells it", async (t) => {
  const server = await startServer(t);
  const { spans } = registerSdk();
  const conductor = createConductor({ storage: { type: "memory" }, history: { redactKeys: ["token"] } });
  const port = new URL(server.url).port;
  const requestSpan = async (flow, overrides) => {
    spans.reset();
    const result = await conductor.node.run(flow, overrides);
    assert.equal(result.success, true, JSON.stringify(result.error));
    const found = spans.getFinishedSpans().filter((s) => s.name === "node http-request");
    assert.equal(found.length, 1);
    assert.equal(found[0].kind, api.SpanKind.CLIENT);
    return found[0];
  };

  // Credentials and secret query values (the conventions' and the history's redacted keys) are not shown.
  const secret = `http://ada:pw@127.0.0.1:${port}/plain?sig=abc&page=2&Token=t1`;
  const named = await requestSpan({ id: "one", type: "http-request", parameters: { url: secret, method: "POST" } });
  assert.equal(named.attributes["http.request.method"], "POST");
  assert.equal(named.attributes["url.full"], `http://REDACTED:REDACTED@127.0.0.1:${port}/plain?sig=REDACTED&page=2&Token=REDACTED`);
  assert.equal(server.seen.at(-1).path, "/plain?sig=abc&page=2&Token=t1", "the request itself as the flow says");

  // The run's input overrides the parameters: what was sent is not known here, so nothing is said.
  const overridden = await requestSpan(
    { id: "two", type: "http-request", parameters: { url: "http://127.0.0.1:9/never" } },
    { input: { url: `${server.url}/plain?from=input` } },
  );
  assert.equal(server.seen.at(-1).path, "/plain?from=input");
  assert.equal(overridden.attributes["url.full"], undefined);
  assert.equal(overridden.attributes["http.request.method"], undefined);

  // Nor for a node fed by another (an upstream output's fields override the parameters).
  const fed = await requestSpan({
    id: "fed",
    type: "group",
    nodes: [
      { id: "first", type: "transform", parameters: { operation: "map", transformFunction: "x => x", data: [1] } },
      { id: "call", type: "http-request", parameters: { url: `${server.url}/plain?fed` } },
    ],
    edges: [{ id: "e", source: "first", target: "call" }],
  });
  assert.equal(fed.attributes["url.full"], undefined);
  assert.equal(fed.attributes["atomiton.node.attempt"], 1);
});

test("native: a trigger's fires are counted by flow and node, with how late each run started; a webhook's deliveries too", async (t) => {
  registerSdk();
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const directory = mkdtempSync(join(tmpdir(), "trigger-metrics-"));
  const conductor = createConductor({ storage: { directory }, telemetry: { api } });
  t.after(async () => {
    await conductor.shutdown();
    rmSync(directory, { recursive: true, force: true });
  });
  await conductor.storage.saveFlow({
    id: "metered",
    type: "group",
    nodes: [{ id: "tick", type: "schedule", parameters: { every: "1s" } }],
    edges: [],
  });
  await conductor.triggers.activate("metered");
  const ofTick = (attributes) => attributes["atomiton.flow.id"] === "metered" && attributes["atomiton.node.id"] === "tick";
  const deadline = Date.now() + 120_000;
  // Nothing is exported before the first instrument records.
  const fires = () => metricSum("atomiton.trigger.fires", ofTick).catch(() => 0);
  while ((await fires()) < 2) {
    assert.ok(Date.now() < deadline, "two fires counted");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.ok((await metricSum("atomiton.trigger.lateness", ofTick)) >= 2, "each fire's lateness recorded");
  await conductor.triggers.deactivate("metered");

  // A webhook delivery that starts a run is a fire too; a refused one is not.
  await conductor.storage.saveFlow({
    id: "metered-hook",
    type: "group",
    nodes: [{ id: "hook", type: "webhook", parameters: { path: "metered", auth: "none" } }],
    edges: [],
  });
  await conductor.triggers.activate("metered-hook");
  const server = await createProtocolServer(conductor, {});
  t.after(() => server.close());
  const ofHook = (attributes) => attributes["atomiton.flow.id"] === "metered-hook" && attributes["atomiton.node.id"] === "hook";
  assert.equal((await fetch(`${server.url}/hooks/metered`, { method: "GET" })).status, 405);
  for (let i = 0; i < 2; i++) assert.equal((await fetch(`${server.url}/hooks/metered`, { method: "POST", body: "{}" })).status, 202);
  const hookFires = () => metricSum("atomiton.trigger.fires", ofHook).catch(() => 0);
  while ((await hookFires()) < 2) {
    assert.ok(Date.now() < deadline, "two deliveries counted");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(await hookFires(), 2, "the refused request is not a fire");
  await conductor.triggers.deactivate("metered-hook");
});
