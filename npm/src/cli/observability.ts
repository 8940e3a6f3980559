/**
 * OpenTelemetry for the commands that are apps (`atomiton serve`, `atomiton worker`): traces
 * exported over OTLP/HTTP when the standard `OTEL_*` variables ask for it, and a Prometheus text
 * endpoint (`--metrics-port`). The SDK packages are optional peer dependencies of the package:
 * a command asked to export without them installed says which to install.
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

function load(id: string, why: string): Loaded {
  const module = nodeRequire.requireOptional(id) as Loaded | undefined;
  if (!module) throw new UsageError(`${why} needs the package ${id} (npm install ${id})`, "observability");
  return module;
}

/** Whether the environment asks for traces over OTLP (the variables the OpenTelemetry SDKs read). */
function wantsTraces(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED === "true") return false;
  const exporter = env.OTEL_TRACES_EXPORTER;
  if (exporter !== undefined) return exporter.split(",").some((name) => name.trim() === "otlp");
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Sets up the SDK for command `command`: traces when the environment asks, Prometheus metrics
 * at `metrics.port` (only callers `authorizes` lets in, when given). `undefined`: nothing asked.
 */
export async function setupObservability(
  command: string,
  metrics: { port?: number; host?: string; authorizes?: (token: string | undefined) => boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<Observability | undefined> {
  const traces = wantsTraces(env);
  if (!traces && metrics.port === undefined) return undefined;
  const api = load("@opentelemetry/api", "OpenTelemetry");
  const { resourceFromAttributes } = load("@opentelemetry/resources", "OpenTelemetry");
  const resource = resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME || `atomiton-${command}` });
  const stops: Array<() => Promise<unknown>> = [];
  if (traces) {
    const sdk = load("@opentelemetry/sdk-trace", "Exporting traces (OTEL_* variables)");
    const { OTLPTraceExporter } = load("@opentelemetry/exporter-trace-otlp-http", "Exporting traces (OTEL_* variables)");
    const { AsyncLocalStorageContextManager } = load("@opentelemetry/context-async-hooks", "Exporting traces (OTEL_* variables)");
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
  if (metrics.port !== undefined) {
    const { MeterProvider } = load("@opentelemetry/sdk-metrics", "--metrics-port");
    const { PrometheusExporter } = load("@opentelemetry/exporter-prometheus", "--metrics-port");
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const provider = new MeterProvider({ resource, readers: [exporter] });
    api.metrics.setGlobalMeterProvider(provider);
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
