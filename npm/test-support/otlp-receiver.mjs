// An OTLP/HTTP receiver on 127.0.0.1 for tests: keeps every span posted to /v1/traces and every
// metric data point posted to /v1/metrics (OTLP JSON, as @opentelemetry/exporter-trace-otlp-http
// and exporter-metrics-otlp-http send by default), each with its resource's attributes.
import { createServer } from "node:http";
import { once } from "node:events";

/**
 * Starts the receiver; `spans` and `metrics` grow as exports arrive, `until(predicate)` and
 * `untilMetrics(predicate)` wait for some.
 */
export async function startOtlpReceiver(t) {
  const spans = [];
  /**
   * Every data point received: `{name, attributes, value, resource, batch}` (a histogram's value
   * is its count; `batch` counts the exports, so the points of one collection share it).
   */
  const metrics = [];
  let batch = 0;
  const waiters = new Set();
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (request.url === "/v1/traces") {
        const payload = JSON.parse(body);
        for (const resource of payload.resourceSpans ?? []) {
          const resourceAttributes = attributesOf(resource.resource?.attributes);
          const service = resourceAttributes["service.name"];
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? [])
              spans.push({ ...span, service, resource: resourceAttributes, attributes: attributesOf(span.attributes) });
          }
        }
      } else if (request.url === "/v1/metrics") {
        const payload = JSON.parse(body);
        batch++;
        for (const resource of payload.resourceMetrics ?? []) {
          const resourceAttributes = attributesOf(resource.resource?.attributes);
          for (const scope of resource.scopeMetrics ?? []) {
            for (const metric of scope.metrics ?? []) {
              const data = metric.sum ?? metric.gauge ?? metric.histogram;
              for (const point of data?.dataPoints ?? []) {
                const value = metric.histogram ? Number(point.count) : Number(point.asInt ?? point.asDouble ?? 0);
                metrics.push({ name: metric.name, attributes: attributesOf(point.attributes), value, resource: resourceAttributes, batch });
              }
            }
          }
        }
      }
      for (const waiter of waiters) waiter();
      response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const waitFor = (list, predicate, what, describe) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 60 s; received: ${describe()}`)), 60_000);
      const check = () => {
        if (!predicate(list)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(list);
      };
      waiters.add(check);
      check();
    });
  const until = (predicate, what) => waitFor(spans, predicate, what, () => spans.map((s) => s.name).join(", "));
  const untilMetrics = (predicate, what) => waitFor(metrics, predicate, what, () => [...new Set(metrics.map((m) => m.name))].join(", "));
  return { url: `http://127.0.0.1:${server.address().port}`, spans, metrics, until, untilMetrics };
}

/** The sum of metric `name`'s points in the latest export that has it (cumulative temporality: the total so far). */
export function latestSum(metrics, name) {
  const points = metrics.filter((m) => m.name === name);
  const last = points.at(-1)?.batch;
  return points.filter((m) => m.batch === last).reduce((sum, m) => sum + m.value, 0);
}

/** OTLP's `[{key, value: {stringValue | intValue | ...}}]` as a plain object. */
function attributesOf(list = []) {
  const out = {};
  for (const { key, value } of list) out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  return out;
}
