// OpenTelemetry across processes, all real: `atomiton serve` continues a caller's `traceparent`,
// exports its spans over OTLP/HTTP to a receiver here and serves Prometheus metrics (scraped and
// parsed as Prometheus would; behind the server's authentication when it has some); in queue
// mode (real Redis, a real `atomiton worker`) the producer's span, the worker's run span and its
// node spans are one trace across the two processes. Bounds catch a hang, never a slow machine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as api from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createQueueConductor } from "@atomiton/conductor";
import { tempDir } from "../test-support/helpers.mjs";
import { latestSum, startOtlpReceiver } from "../test-support/otlp-receiver.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { post } from "../test-support/server.mjs";
import { parsePrometheus, sampleSum } from "../test-support/prometheus.mjs";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** The CLI in a child process exporting to `otlp` (`more`: other variables); `printed(re)` waits for a line matching `re`. */
function startCli(t, args, otlp, service, more = {}) {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: service, OTEL_BSP_SCHEDULE_DELAY: "50", ...more };
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  t.after(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on("close", (code) => resolve(code)));
  const printed = (pattern) =>
    new Promise((resolve, reject) => {
      const check = () => (pattern.test(stdout) ? resolve(stdout) : setTimeout(check, 10));
      exited.then((code) => reject(new Error(`exited ${code} before printing ${pattern}:\n${stdout}\n${stderr}`)));
      check();
    });
  return { child, printed, exited };
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN = "00f067aa0ba902b7";
const double = (data) => ({
  id: "double",
  name: "Double",
  type: "group",
  nodes: [{ id: "x2", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data } }],
});
const failing = { id: "failing", type: "file-system", parameters: { operation: "read", path: "/nonexistent/atomiton-metrics-test" } };

/** OTLP's span kinds (its enum: the API's kind plus one). */
const OTLP_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 };

/** Nanoseconds since the epoch: an OTLP JSON time, or an SDK span's `[seconds, nanoseconds]`. */
const nanos = (time) => (Array.isArray(time) ? BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]) : BigInt(time));

/** Every `atomiton_` sample of a scrape carries `service_name` = `service`. */
function assertServiceLabel(families, service) {
  const samples = families.flatMap((f) => f.samples).filter((sample) => sample.name.startsWith("atomiton_"));
  assert.ok(samples.length > 0, "atomiton_ samples");
  for (const sample of samples) assert.equal(sample.labels.service_name, service, `${sample.name} ${JSON.stringify(sample.labels)}`);
}

test("serve: continues the caller's traceparent, exports over OTLP, and its Prometheus counters match the runs made", async (t) => {
  const otlp = await startOtlpReceiver(t);
  // Metrics over OTLP too, and resource attributes from the standard variable (a `,` in a value percent-encoded).
  const serve = startCli(t, ["serve", "--port", "0", "--metrics-port", "0"], otlp, "serve-test", {
    OTEL_METRICS_EXPORTER: "otlp",
    OTEL_METRIC_EXPORT_INTERVAL: "100",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=ci,team=flows%2Cdata,service.name=overridden",
  });
  const stdout = await serve.printed(/Ctrl-C stops it\./);
  const server = { url: /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] };
  const metricsUrl = /Prometheus metrics: (http:\S+)/.exec(stdout)?.[1];
  assert.ok(server.url && metricsUrl, stdout);

  const traceparent = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
  const ran = await post(server, "node", "execute", { node: double([1, 2]) }, undefined, { traceparent });
  assert.equal(ran.status, 200, JSON.stringify(ran.body));
  assert.deepEqual(ran.body.data.result, [2, 4]);
  assert.equal((await post(server, "node", "execute", { node: double([3]) })).status, 200);
  const failed = await post(server, "node", "execute", { node: failing });
  assert.equal(failed.body.success, false);

  // Prometheus: three runs started, two completed, one failed; node durations by type.
  const text = await (await fetch(metricsUrl)).text();
  const families = parsePrometheus(text);
  assert.equal(sampleSum(families, "atomiton_runs_started_total"), 3);
  assert.equal(sampleSum(families, "atomiton_runs_ended_total", { atomiton_run_status: "completed" }), 2);
  assert.equal(sampleSum(families, "atomiton_runs_ended_total", { atomiton_run_status: "failed" }), 1);
  assert.equal(sampleSum(families, "atomiton_run_duration_count", { atomiton_flow_id: "double" }), 2);
  assert.equal(sampleSum(families, "atomiton_node_duration_count", { atomiton_node_type: "transform" }), 2);
  assert.equal(sampleSum(families, "atomiton_node_duration_count", { atomiton_node_type: "file-system", atomiton_node_state: "error" }), 1);
  // Every series names its service (OTEL_SERVICE_NAME over the attributes' service.name).
  assertServiceLabel(families, "serve-test");
  // The server's runs are recorded in its history: one write each.
  assert.equal(sampleSum(families, "atomiton_history_writes_total"), 3);

  // The same counts over OTLP, on the resource the variables describe.
  // An export collected after the three runs ended (one may come while the last is in flight).
  const exported = await otlp.untilMetrics((all) => latestSum(all, "atomiton.runs.ended") === 3, "three runs ended, over OTLP");
  assert.equal(latestSum(exported, "atomiton.runs.started"), 3);
  assert.equal(latestSum(exported, "atomiton.history.writes"), 3);
  const started = exported.findLast((m) => m.name === "atomiton.runs.started");
  assert.equal(started.resource["service.name"], "serve-test");
  assert.equal(started.resource["deployment.environment.name"], "ci");

  // The run started with a traceparent is a child of the caller's span, its node a child of it.
  const spans = await otlp.until((all) => all.some((s) => s.traceId === TRACE_ID && s.name === "node transform"), "continued trace");
  const run = spans.find((s) => s.traceId === TRACE_ID && s.name === "run Double");
  assert.ok(run, "the run span in the caller's trace");
  assert.equal(run.parentSpanId, CALLER_SPAN);
  assert.equal(run.service, "serve-test");
  assert.equal(run.kind, OTLP_KIND.SERVER, "a run served for a caller is a server span");
  assert.equal(run.resource["deployment.environment.name"], "ci", "OTEL_RESOURCE_ATTRIBUTES on the resource");
  assert.equal(run.resource.team, "flows,data");
  assert.equal(run.resource["telemetry.sdk.language"], "nodejs", "on the SDK's default resource");
  const node = spans.find((s) => s.traceId === TRACE_ID && s.name === "node transform");
  assert.equal(node.parentSpanId, run.spanId);
  assert.equal(node.attributes["atomiton.node.id"], "x2");
  assert.equal(node.attributes["atomiton.node.path"], undefined, "a top-level node's path is its id");
  assert.equal(node.attributes["atomiton.node.attempt"], 1);
  assert.equal(node.kind, OTLP_KIND.INTERNAL);

  serve.child.kill("SIGTERM");
  assert.equal(await serve.exited, 0);
});

test("serve: with authentication on, the metrics endpoint wants a token the server accepts", async (t) => {
  const dir = tempDir(t, "metrics-auth");
  const config = join(dir, "server.json");
  const key = "k".repeat(43);
  const { createHash } = await import("node:crypto");
  writeFileSync(
    config,
    JSON.stringify({ auth: { apiKeys: [{ id: "scraper", keyHash: createHash("sha256").update(key).digest("hex") }] } }),
  );
  const otlp = await startOtlpReceiver(t);
  const serve = startCli(t, ["serve", "--port", "0", "--metrics-port", "0", "--config", config], otlp, "serve-auth");
  const stdout = await serve.printed(/Ctrl-C stops it\./);
  const metricsUrl = /Prometheus metrics: (http:\S+)/.exec(stdout)?.[1];
  assert.equal((await fetch(metricsUrl)).status, 401);
  assert.equal((await fetch(metricsUrl, { headers: { Authorization: "Bearer wrong" } })).status, 401);
  const scraped = await fetch(metricsUrl, { headers: { Authorization: `Bearer ${key}` } });
  assert.equal(scraped.status, 200);
  assert.match(await scraped.text(), /^# (HELP|TYPE) /m);
});

test("queue mode: the producer's span, the worker's run span and its node spans are one trace across processes", async (t) => {
  const redis = await startRedis();
  t.after(() => redis.stop());
  const otlp = await startOtlpReceiver(t);
  const queue = `otel-${process.pid}`;
  const worker = startCli(t, ["worker", "--redis", redis.url, "--queue", queue, "--metrics-port", "0"], otlp, "worker-test");
  const printed = await worker.printed(/Prometheus metrics: \S+/);
  const metricsUrl = /Prometheus metrics: (http:\S+)/.exec(printed)?.[1];

  // The producer: this process, with the SDK's in-memory exporters.
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(provider);
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  api.metrics.setGlobalMeterProvider(meterProvider);
  t.after(async () => {
    await provider.shutdown();
    await meterProvider.shutdown();
    api.trace.disable();
    api.metrics.disable();
    api.context.disable();
  });
  const conductor = createQueueConductor({ connection: redis.url, queue });
  t.after(() => conductor.close());
  const result = await conductor.node.run(double([5]));
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.data.result, [10]);

  const [producer] = exporter.getFinishedSpans().filter((s) => s.name === "run Double");
  assert.ok(producer, "the producer's span");
  assert.equal(producer.kind, api.SpanKind.PRODUCER);
  assert.equal(producer.attributes["messaging.system"], "bullmq");
  assert.equal(producer.attributes["messaging.destination.name"], queue);
  assert.equal(producer.attributes["messaging.operation.type"], "send");
  const traceId = producer.spanContext().traceId;
  const spans = await otlp.until((all) => all.some((s) => s.traceId === traceId && s.name === "node transform"), "the worker's spans");
  const run = spans.find((s) => s.traceId === traceId && s.name === "run Double");
  assert.ok(run, "the worker's run span, in the producer's trace");
  assert.equal(run.service, "worker-test");
  assert.equal(run.parentSpanId, producer.spanContext().spanId);
  assert.equal(run.attributes["messaging.destination.name"], queue);
  assert.equal(run.attributes["messaging.operation.type"], "process");
  assert.equal(run.kind, OTLP_KIND.CONSUMER);
  const node = spans.find((s) => s.traceId === traceId && s.name === "node transform");
  assert.equal(node.parentSpanId, run.spanId);
  // The producer's span covers the worker's: it began before the job was queued and ended when
  // the result came back (the queue's wait and the way back included).
  assert.ok(nanos(producer.startTime) < nanos(run.startTimeUnixNano), "the producer's span starts before the worker's");
  assert.ok(nanos(producer.endTime) >= nanos(run.endTimeUnixNano), "the producer's span ends at or after the worker's");

  // The producer's metrics: the run it queued and saw end; no history write (the worker wrote the record).
  await reader.forceFlush();
  const producerMetrics = metricExporter
    .getMetrics()
    .at(-1)
    .scopeMetrics.find((scope) => scope.scope.name === "@atomiton/conductor").metrics;
  const producerSum = (name) =>
    (producerMetrics.find((m) => m.descriptor.name === name)?.dataPoints ?? []).reduce(
      (total, point) => total + (typeof point.value === "number" ? point.value : point.value.count),
      0,
    );
  assert.equal(producerSum("atomiton.runs.started"), 1);
  assert.equal(producerSum("atomiton.run.duration"), 1);
  assert.equal(producerSum("atomiton.history.writes"), 0, "the producer writes no record");

  // The worker's metrics: the run, its wait in the queue, the slots (none busy now), the queue's depth.
  const families = parsePrometheus(await (await fetch(metricsUrl)).text());
  assert.equal(sampleSum(families, "atomiton_runs_ended_total", { atomiton_run_status: "completed" }), 1);
  assert.equal(sampleSum(families, "atomiton_queue_wait_count"), 1);
  assert.equal(sampleSum(families, "atomiton_worker_slots_busy"), 0);
  assert.equal(sampleSum(families, "atomiton_queue_depth", { state: "waiting" }), 0);
  assert.equal(sampleSum(families, "atomiton_history_writes_total"), 1, "the worker wrote the run's record");
  assertServiceLabel(families, "worker-test");
  // Every series the Grafana dashboard in the repository queries is one the worker exposes.
  const dashboard = readFileSync(new URL("../../docs/grafana/atomiton-conductor.json", import.meta.url), "utf8");
  // Metric names: what is left of each query without its label lists and matchers. (The panels of
  // the row read from PostgreSQL, and the row itself, have no PromQL.)
  const queries = JSON.parse(dashboard)
    .panels.filter((panel) => panel.datasource?.type === "prometheus")
    .flatMap((panel) => panel.targets.map((target) => target.expr));
  const bare = queries.map((expr) => expr.replace(/\b(by|without)\s*\([^)]*\)/g, "").replace(/\{[^}]*\}/g, ""));
  const queried = new Set(bare.flatMap((expr) => expr.match(/atomiton_[a-z_]+/g) ?? []));
  const exposed = new Set(families.flatMap((f) => f.samples.map((sample) => sample.name)));
  for (const name of queried) assert.ok(exposed.has(name), `the dashboard queries ${name}, which is not exposed`);
  // ... each for the services picked (a queue's producers and workers both count runs), by the label the worker's series carry.
  for (const expr of queries) {
    const selectors = expr.replace(/\b(by|without)\s*\([^)]*\)/g, "").match(/atomiton_[a-z_]+(\{[^}]*\})?/g) ?? [];
    for (const selector of selectors) assert.match(selector, /\{service_name=~"\$service"/, expr);
  }
  assert.ok(JSON.parse(dashboard).templating.list.some((variable) => variable.name === "service"));
  assert.ok(queried.size >= 9);
  worker.child.kill("SIGTERM");
  assert.equal(await worker.exited, 0);
});
