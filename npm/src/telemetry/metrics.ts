/**
 * The conductor's metrics, through the OpenTelemetry metrics API. Instruments are made once per
 * registered meter provider; with none registered (the API's no-op meter) nothing is recorded
 * and runs are not asked for their node timings.
 */
import type { OtelApi, OtelAttributes, OtelCounter, OtelHistogram, OtelMeter, OtelObservable } from "./api.js";

/** The instrumentation scope: what the metrics and spans say made them. */
export const SCOPE = "@atomiton/conductor";

/** Seconds: from sub-millisecond nodes to runs of hours. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** Every metric's name, as docs/observability.md lists them (Prometheus: dots become `_`, counters end in `_total`). */
export const METRIC = {
  runsStarted: "atomiton.runs.started",
  runsEnded: "atomiton.runs.ended",
  runsActive: "atomiton.runs.active",
  runDuration: "atomiton.run.duration",
  nodeDuration: "atomiton.node.duration",
  historyWrites: "atomiton.history.writes",
  queueWait: "atomiton.queue.wait",
  queueDepth: "atomiton.queue.depth",
  workerSlotsBusy: "atomiton.worker.slots.busy",
  triggerFires: "atomiton.trigger.fires",
  triggerLateness: "atomiton.trigger.lateness",
  triggerMisfires: "atomiton.trigger.misfires",
  llmTokens: "atomiton.llm.tokens",
} as const;

export type ConductorMetrics = {
  runsStarted: OtelCounter;
  runsEnded: OtelCounter;
  runsActive: OtelCounter;
  runDuration: OtelHistogram;
  nodeDuration: OtelHistogram;
  historyWrites: OtelCounter;
  queueWait: OtelHistogram;
  workerSlotsBusy: OtelCounter;
  triggerFires: OtelCounter;
  triggerLateness: OtelHistogram;
  triggerMisfires: OtelCounter;
  llmTokens: OtelCounter;
  /** The meter they came from (queue depth is observed through it). */
  meter: OtelMeter;
};

let made: { provider: object; metrics: ConductorMetrics | null } | undefined;

function isNoop(api: OtelApi, meter: OtelMeter): boolean {
  return Object.getPrototypeOf(meter) === Object.getPrototypeOf(api.createNoopMeter());
}

/**
 * A counter kept here and observed when metrics are collected: adding to it is a map update,
 * where the SDK's synchronous counter hashes the attributes on every call (a run adds to four
 * of them; the histograms, which need every value, stay synchronous).
 */
function tallied(observable: OtelObservable): OtelCounter {
  const totals = new Map<string, { attributes: OtelAttributes | undefined; value: number }>();
  observable.addCallback((result) => {
    for (const { attributes, value } of totals.values()) result.observe(value, attributes);
  });
  return {
    add(value, attributes) {
      const key = attributes ? Object.values(attributes).join("\u0000") : "";
      const total = totals.get(key);
      if (total) total.value += value;
      else totals.set(key, { attributes, value });
    },
  };
}

function instruments(meter: OtelMeter): ConductorMetrics {
  const seconds = { unit: "s", advice: { explicitBucketBoundaries: DURATION_BUCKETS } };
  return {
    meter,
    runsStarted: tallied(meter.createObservableCounter(METRIC.runsStarted, { description: "Runs started" })),
    runsEnded: tallied(meter.createObservableCounter(METRIC.runsEnded, { description: "Runs ended, by status" })),
    runsActive: tallied(meter.createObservableUpDownCounter(METRIC.runsActive, { description: "Runs in flight" })),
    runDuration: meter.createHistogram(METRIC.runDuration, { description: "Run duration, by flow and status", ...seconds }),
    nodeDuration: meter.createHistogram(METRIC.nodeDuration, { description: "Node duration, by node type and state", ...seconds }),
    historyWrites: tallied(
      meter.createObservableCounter(METRIC.historyWrites, { description: "Run records written to the execution history" }),
    ),
    queueWait: meter.createHistogram(METRIC.queueWait, { description: "Time a queued run waited for a worker", ...seconds }),
    workerSlotsBusy: tallied(
      meter.createObservableUpDownCounter(METRIC.workerSlotsBusy, { description: "Queue worker slots running a job" }),
    ),
    triggerFires: tallied(
      meter.createObservableCounter(METRIC.triggerFires, { description: "Trigger fires whose run this process started" }),
    ),
    triggerLateness: meter.createHistogram(METRIC.triggerLateness, {
      description: "How long after its time a fire's run started",
      ...seconds,
    }),
    triggerMisfires: tallied(
      meter.createObservableCounter(METRIC.triggerMisfires, { description: "Trigger fires not run, by their misfire policy's reason" }),
    ),
    llmTokens: tallied(
      meter.createObservableCounter(METRIC.llmTokens, {
        description: "Tokens language-model calls used, as their servers counted them, by node type and gen_ai.token.type (input, output)",
        unit: "{token}",
      }),
    ),
  };
}

/** The conductor's instruments for the meter provider registered now; `undefined` when it is the no-op one. */
export function conductorMetrics(api: OtelApi | undefined, version?: string): ConductorMetrics | undefined {
  if (!api) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (made?.provider !== provider) {
    const meter = api.metrics.getMeter(SCOPE, version);
    made = { provider, metrics: isNoop(api, meter) ? null : instruments(meter) };
  }
  return made.metrics ?? undefined;
}
