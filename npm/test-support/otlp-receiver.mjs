// An OTLP/HTTP trace receiver on 127.0.0.1 for tests: keeps every span posted to /v1/traces
// (OTLP JSON, as @opentelemetry/exporter-trace-otlp-http sends by default).
import { createServer } from "node:http";
import { once } from "node:events";

/** Starts the receiver; `spans` grows as exports arrive, `until(predicate)` waits for some. */
export async function startOtlpReceiver(t) {
  const spans = [];
  const waiters = new Set();
  const server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (request.url === "/v1/traces") {
        const payload = JSON.parse(body);
        for (const resource of payload.resourceSpans ?? []) {
          const service = resource.resource?.attributes?.find((a) => a.key === "service.name")?.value?.stringValue;
          for (const scope of resource.scopeSpans ?? []) {
            for (const span of scope.spans ?? []) spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
          }
        }
        for (const waiter of waiters) waiter();
      }
      response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  t.after(() => server.close());
  const until = (predicate, what) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within 60 s; received: ${spans.map((s) => s.name).join(", ")}`)), 60_000);
      const check = () => {
        if (!predicate(spans)) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(spans);
      };
      waiters.add(check);
      check();
    });
  return { url: `http://127.0.0.1:${server.address().port}`, spans, until };
}

/** OTLP's `[{key, value: {stringValue | intValue | ...}}]` as a plain object. */
function attributesOf(list = []) {
  const out = {};
  for (const { key, value } of list) out[key] = value.stringValue ?? value.boolValue ?? value.doubleValue ?? Number(value.intValue);
  return out;
}
