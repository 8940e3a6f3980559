/**
 * OpenTelemetry for the commands that are apps (`atomiton serve`, `atomiton worker`): traces and
 * metrics exported over OTLP/HTTP when the standard `OTEL_*` variables ask for it, the resource
 * from `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES`, and a Prometheus text endpoint
 * (`--metrics-port`). The package depends on none of the SDK's packages (only on
 * `@opentelemetry/api`, an optional peer dependency): a command asked to export loads them from
 * where the package is installed, and says which to install when some are missing.
 */
import { createServer, type Server } from "node:http";
import nodeRequire from "../runtime/node-require.cjs";
import { bearerOf } from "../server/http-handler.js";
import { UsageError } from "./exit-codes.js";

/** What the command gives its conductor or worker (`telemetry.api`), and how to stop exporting. */
export type Observability = {
  api: unknown;
  /** Where Prometheus scrapes, when `--metrics-port` was given. */
  metricsUrl?: string;
  /** Flushes what is left to export and closes the metrics endpoint. */
  shutdown(): Promise<void>;
};

// The SDK's classes, typed by the packages the app installed, not by this one.
// biome-ignore lint/suspicious/noExplicitAny: optional packages loaded by name at run time
type Loaded = Record<string, any>;

/** The packages each thing a command can be asked for needs (docs/observability.md lists them). */
const PACKAGES = {
  base: ["@opentelemetry/api", "@opentelemetry/resources"],
  traces: ["@opentelemetry/sdk-trace", "@opentelemetry/exporter-trace-otlp-http", "@opentelemetry/context-async-hooks"],
  metrics: ["@opentelemetry/sdk-metrics"],
  otlpMetrics: ["@opentelemetry/exporter-metrics-otlp-http"],
  prometheus: ["@opentelemetry/exporter-prometheus"],
} as const;

/**
 * Every package in `ids`, loaded; when some are not installed, a usage error naming them all
 * (and the one `npm install` that adds them) for `why`, the things asked for.
 */
function loadAll(ids: string[], why: string[], command: string): Map<string, Loaded> {
  const loaded = new Map<string, Loaded>();
  const missing: string[] = [];
  for (const id of ids) {
    const module = nodeRequire.requireOptional(id) as Loaded | undefined;
    if (module) loaded.set(id, module);
    else missing.push(id);
  }
  if (missing.length > 0) {
    const packages = missing.length === 1 ? `the package ${missing[0]}` : `the packages ${missing.join(", ")}`;
    throw new UsageError(`${why.join(" and ")} needs ${packages} (npm install ${missing.join(" ")})`, command);
  }
  return loaded;
}

/** Whether `variable` (a comma-separated exporter list) names `otlp`; `fallback` when it is unset. */
function namesOtlp(variable: string | undefined, fallback: boolean): boolean {
  if (variable === undefined || variable.trim() === "") return fallback;
  return variable.split(",").some((name) => name.trim() === "otlp");
}

/** Whether the environment asks for traces over OTLP (the variables the OpenTelemetry SDKs read). */
function wantsTraces(env: NodeJS.ProcessEnv): boolean {
  return namesOtlp(env.OTEL_TRACES_EXPORTER, Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT));
}

/** Whether the environment asks for metrics over OTLP: `OTEL_METRICS_EXPORTER=otlp` (Prometheus is `--metrics-port`). */
function wantsOtlpMetrics(env: NodeJS.ProcessEnv): boolean {
  return namesOtlp(env.OTEL_METRICS_EXPORTER, false);
}

/** The longest key or value `OTEL_RESOURCE_ATTRIBUTES` may hold (the specification's limit). */
const MAX_RESOURCE_TEXT = 255;

/**
 * `OTEL_RESOURCE_ATTRIBUTES` (`key=value,key=value`, `,` and `=` percent-encoded in keys and
 * values) as attributes. As the specification says, a value with any malformed entry is
 * discarded whole (with a warning), as the SDK's own detector does.
 */
export function resourceAttributesFrom(text: string | undefined): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (!text) return attributes;
  try {
    for (const entry of text.split(",")) {
      if (entry.trim() === "") continue;
      const parts = entry.split("=");
      if (parts.length !== 2) throw new Error(`"${entry}" is not key=value`);
      const key = decodeURIComponent(parts[0]!.trim());
      const value = decodeURIComponent(parts[1]!.trim());
      if (key === "") throw new Error(`"${entry}" has no key`);
      if (key.length > MAX_RESOURCE_TEXT || value.length > MAX_RESOURCE_TEXT) throw new Error(`"${entry}" is longer than 255 characters`);
      attributes[key] = value;
    }
  } catch (error) {
    process.emitWarning(`OTEL_RESOURCE_ATTRIBUTES is ignored: ${error instanceof Error ? error.message : String(error)}`, {
      code: "ATOMITON_OTEL_RESOURCE",
    });
    return {};
  }
  return attributes;
}

/** A positive number of milliseconds from `variable`, else `fallback`. */
function millis(variable: string | undefined, fallback: number): number {
  const value = Number(variable);
  return variable && Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Sets up the SDK for command `command`: traces and metrics over OTLP when the environment asks,
 * Prometheus metrics at `metrics.port` (only callers `authorizes` lets in, when given).
 * `undefined`: nothing asked.
 */
export async function setupObservability(
  command: string,
  metrics: { port?: number; host?: string; authorizes?: (token: string | undefined) => boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Observability | undefined> {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const traces = wantsTraces(env);
  const otlpMetrics = wantsOtlpMetrics(env);
  const prometheus = metrics.port !== undefined;
  if (!traces && !otlpMetrics && !prometheus) return undefined;
  const ids: string[] = [...PACKAGES.base];
  const why: string[] = [];
  if (traces) {
    ids.push(...PACKAGES.traces);
    why.push("Exporting traces (OTEL_* variables)");
  }
  if (otlpMetrics || prometheus) ids.push(...PACKAGES.metrics);
  if (otlpMetrics) {
    ids.push(...PACKAGES.otlpMetrics);
    why.push("Exporting metrics (OTEL_METRICS_EXPORTER)");
  }
  if (prometheus) {
    ids.push(...PACKAGES.prometheus);
    why.push("--metrics-port");
  }
  const loaded = loadAll(ids, why, command);
  const load = (id: string): Loaded => loaded.get(id)!;
  const api = load("@opentelemetry/api");

  // The resource: OTEL_RESOURCE_ATTRIBUTES, with OTEL_SERVICE_NAME over its service.name, and
  // `atomiton-<command>` when neither names one; on the SDK's default (telemetry.sdk.*).
  const resources = load("@opentelemetry/resources");
  const given = resourceAttributesFrom(env.OTEL_RESOURCE_ATTRIBUTES);
  const serviceName = env.OTEL_SERVICE_NAME || given["service.name"] || `atomiton-${command}`;
  const own = resources.resourceFromAttributes({ ...given, "service.name": serviceName });
  const resource = typeof resources.defaultResource === "function" ? resources.defaultResource().merge(own) : own;

  const stops: Array<() => Promise<unknown>> = [];
  if (traces) {
    const sdk = load("@opentelemetry/sdk-trace");
    const { OTLPTraceExporter } = load("@opentelemetry/exporter-trace-otlp-http");
    const { AsyncLocalStorageContextManager } = load("@opentelemetry/context-async-hooks");
    // The exporter reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself; the batch
    // delay is the standard variable's, when set.
    const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
    const batching = env.OTEL_BSP_SCHEDULE_DELAY && Number.isFinite(delay) && delay >= 0 ? { scheduledDelayMillis: delay } : {};
    const processor = new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...batching });
    const provider = new sdk.TracerProvider({ resource, spanProcessors: [processor] });
    api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    api.trace.setGlobalTracerProvider(provider);
    stops.push(() => provider.shutdown());
  }
  let metricsUrl: string | undefined;
  if (otlpMetrics || prometheus) {
    const { MeterProvider, PeriodicExportingMetricReader } = load("@opentelemetry/sdk-metrics");
    const readers: Loaded[] = [];
    if (otlpMetrics) {
      // The exporter reads OTEL_EXPORTER_OTLP_* itself (endpoint, headers, temporality); the
      // interval and timeout are the standard variables' (60 s and 30 s by default).
      const { OTLPMetricExporter } = load("@opentelemetry/exporter-metrics-otlp-http");
      const interval = millis(env.OTEL_METRIC_EXPORT_INTERVAL, 60_000);
      const timeout = Math.min(millis(env.OTEL_METRIC_EXPORT_TIMEOUT, 30_000), interval);
      readers.push(
        new PeriodicExportingMetricReader({
          exporter: new OTLPMetricExporter(),
          exportIntervalMillis: interval,
          exportTimeoutMillis: timeout,
        }),
      );
    }
    let exporter: Loaded | undefined;
    if (prometheus) {
      const { PrometheusExporter } = load("@opentelemetry/exporter-prometheus");
      // Every series carries the resource's service.name as `service_name`: a producer's and a
      // worker's counts are told apart by it (the Grafana dashboard groups and filters by it).
      const prometheusExporter: Loaded = new PrometheusExporter({
        preventServerStart: true,
        withResourceConstantLabels: /^service\.name$/,
      });
      readers.push(prometheusExporter);
      exporter = prometheusExporter;
    }
    const provider = new MeterProvider({ resource, readers });
    api.metrics.setGlobalMeterProvider(provider);
    if (exporter) {
      const server = metricsServer(exporter, metrics.authorizes);
      const host = metrics.host ?? "127.0.0.1";
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(metrics.port, host, () => resolve());
      });
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : metrics.port;
      metricsUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}/metrics`;
      stops.push(() => new Promise((resolve) => server.close(() => resolve(undefined))));
    }
    // Shutting the provider down exports what the periodic reader has not sent yet.
    stops.push(() => provider.shutdown());
  }
  return {
    api,
    metricsUrl,
    async shutdown() {
      for (const stop of stops) await stop().catch(() => undefined);
    },
  };
}

/** `GET /metrics` in the Prometheus text format; behind the caller check when there is one. */
function metricsServer(exporter: Loaded, authorizes?: (token: string | undefined) => boolean): Server {
  return createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("Not found: GET /metrics\n");
      return;
    }
    if (authorizes && !authorizes(bearerOf(request.headers.authorization))) {
      response.writeHead(401, { "Content-Type": "text/plain", "WWW-Authenticate": "Bearer" }).end("Unauthorized\n");
      return;
    }
    exporter.getMetricsRequestHandler(request, response);
  });
}
