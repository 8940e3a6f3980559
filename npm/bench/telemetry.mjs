// What tracing and metrics cost (README "Observability", budgets of the telemetry issue):
//   1. No SDK registered: a conductor with `telemetry: { enabled: false }` (nothing at all) and one
//      as apps get it (the API found, no SDK), turn about, on the 10-node chain and the 100-node
//      chain. Their ratio should be 1 within noise.
//   2. The SDK registered with a no-op exporter (spans batched to nowhere, metrics read by a
//      reader that never exports): the same pair, and the added time per node.
// Usage: node --expose-gc npm/bench/telemetry.mjs [--rounds 21] [--only traces|metrics]
import * as api from "@opentelemetry/api";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { createConductor } from "@atomiton/conductor";
import { chainFlow, paired, report } from "./lib.mjs";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 21;
const RUNS = 100;
const flows = [
  ["10-node chain", chainFlow(10, "transform", (i) => (i === 0 ? { data: [1] } : {}))],
  ["100-node chain", chainFlow(100, "transform", (i) => (i === 0 ? { data: [1] } : {}))],
];
const off = createConductor({ storage: { type: "memory" }, history: false, telemetry: { enabled: false } });
const on = createConductor({ storage: { type: "memory" }, history: false });

async function pair(label) {
  for (const [name, flow] of flows) {
    const nodes = flow.nodes.length;
    const batch = (conductor) => async () => {
      for (let i = 0; i < RUNS; i++) await conductor.node.run(flow);
    };
    for (let i = 0; i < 3; i++) {
      await batch(off)();
      await batch(on)();
    }
    globalThis.gc?.();
    const { a, b, ratio } = await paired(rounds, batch(on), batch(off));
    report(`${label}, ${name}: telemetry on (µs per run)`, (a / RUNS) * 1000, "µs");
    report(`${label}, ${name}: telemetry off (µs per run)`, (b / RUNS) * 1000, "µs");
    report(`${label}, ${name}: on/off, median of round ratios`, ratio, "×");
    report(`${label}, ${name}: added per node (µs)`, ((a - b) / RUNS / nodes) * 1000, "µs", label.startsWith("SDK") ? 5 : undefined);
  }
}

await pair("no SDK");

// `--only traces` / `--only metrics`: register just that half of the SDK (to see which costs what).
const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1] : undefined;
const noop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
if (only !== "metrics")
  api.trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noop })] }));
const reader = new PeriodicExportingMetricReader({
  exporter: { export: (_m, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} },
  exportIntervalMillis: 3_600_000,
});
if (only !== "traces") api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
await pair("SDK, no-op exporter");
process.exit(0);
