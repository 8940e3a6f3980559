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
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { createQueueConductor } from "@atomiton/conductor";
import { tempDir } from "../test-support/helpers.mjs";
import { startOtlpReceiver } from "../test-support/otlp-receiver.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { post } from "../test-support/server.mjs";
import { parsePrometheus, sampleSum } from "../test-support/prometheus.mjs";

const CLI = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

/** The CLI in a child process exporting to `otlp`; `printed(re)` waits for a line matching `re`. */
function startCli(t, args, otlp, service) {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_SERVICE_NAME: service, OTEL_BSP_SCHEDULE_DELAY: "50" };
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

test("serve: continues the caller's traceparent, exports over OTLP, and its Prometheus counters match the runs made", async (t) => {
  const otlp = await startOtlpReceiver(t);
  const serve = startCli(t, ["serve", "--port", "0", "--metrics-port", "0"], otlp, "serve-test");
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

  // The run started with a traceparent is a child of the caller's span, its node a child of it.
  const spans = await otlp.until((all) => all.some((s) => s.traceId === TRACE_ID && s.name === "node transform"), "continued trace");
  const run = spans.find((s) => s.traceId === TRACE_ID && s.name === "run Double");
  assert.ok(run, "the run span in the caller's trace");
  assert.equal(run.parentSpanId, CALLER_SPAN);
  assert.equal(run.service, "serve-test");
  const node = spans.find((s) => s.traceId === TRACE_ID && s.name === "node transform");
  assert.equal(node.parentSpanId, run.spanId);
  assert.equal(node.attributes["atomiton.node.id"], "x2");
  assert.equal(node.attributes["atomiton.node.path"], undefined, "a top-level node's path is its id");

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

  // The producer: this process, with the SDK's in-memory exporter.
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  api.trace.setGlobalTracerProvider(provider);
  t.after(async () => {
    await provider.shutdown();
    api.trace.disable();
    api.context.disable();
  });
  const conductor = createQueueConductor({ connection: redis.url, queue });
  t.after(() => conductor.close());
  const result = await conductor.node.run(double([5]));
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.data.result, [10]);

  const [producer] = exporter.getFinishedSpans().filter((s) => s.name === "run Double");
  assert.ok(producer, "the producer's span");
  const traceId = producer.spanContext().traceId;
  const spans = await otlp.until((all) => all.some((s) => s.traceId === traceId && s.name === "node transform"), "the worker's spans");
  const run = spans.find((s) => s.traceId === traceId && s.name === "run Double");
  assert.ok(run, "the worker's run span, in the producer's trace");
  assert.equal(run.service, "worker-test");
  assert.equal(run.parentSpanId, producer.spanContext().spanId);
  assert.equal(run.attributes["messaging.destination.name"], queue);
  const node = spans.find((s) => s.traceId === traceId && s.name === "node transform");
  assert.equal(node.parentSpanId, run.spanId);

  // The worker's metrics: the run, its wait in the queue, the slots (none busy now), the queue's depth.
  const families = parsePrometheus(await (await fetch(metricsUrl)).text());
  assert.equal(sampleSum(families, "atomiton_runs_ended_total", { atomiton_run_status: "completed" }), 1);
  assert.equal(sampleSum(families, "atomiton_queue_wait_count"), 1);
  assert.equal(sampleSum(families, "atomiton_worker_slots_busy"), 0);
  assert.equal(sampleSum(families, "atomiton_queue_depth", { state: "waiting" }), 0);
  // Every series the Grafana dashboard in the repository queries is one the worker exposes.
  const dashboard = readFileSync(new URL("../../docs/grafana/atomiton-conductor.json", import.meta.url), "utf8");
  // Metric names: what is left of each query without its label lists and matchers.
  const queries = JSON.parse(dashboard).panels.flatMap((panel) => panel.targets.map((target) => target.expr));
  const bare = queries.map((expr) => expr.replace(/\b(by|without)\s*\([^)]*\)/g, "").replace(/\{[^}]*\}/g, ""));
  const queried = new Set(bare.flatMap((expr) => expr.match(/atomiton_[a-z_]+/g) ?? []));
  const exposed = new Set(families.flatMap((f) => f.samples.map((sample) => sample.name)));
  for (const name of queried) assert.ok(exposed.has(name), `the dashboard queries ${name}, which is not exposed`);
  assert.ok(queried.size >= 9);
  worker.child.kill("SIGTERM");
  assert.equal(await worker.exited, 0);
});
