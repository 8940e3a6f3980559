/**
 * One run seen by OpenTelemetry: its span (started in the caller's context, or in the context a
 * protocol client or a queue producer sent), its nodes' spans from the engine's records, and
 * the run metrics. Made only when an SDK is registered: with the API's no-op tracer and meter
 * the run is not asked for anything and nothing is recorded.
 */
import type { WireResult } from "../types/wire.js";
import type { NodeDefinition } from "../types/definition.js";
import { ErrorCode } from "../types/errors.js";
import type { OtelApi, OtelContext, OtelSpan, OtelTracer } from "./api.js";
import { conductorMetrics, SCOPE, type ConductorMetrics } from "./metrics.js";
import { httpRequestAttributes } from "./http.js";
import { ATTR, endNodeSpans, lastEnd, type NodeDescriber, nodeSpanRecords, type OpenSpan, startNodeSpan } from "./node-spans.js";
import { carrierOf, contextFrom, type TraceCarrier } from "./trace-context.js";
import { valueAttribute } from "./values.js";

import type { TelemetryConfig } from "../types/options.generated.js";

export type { TelemetryConfig } from "../types/options.generated.js";

/** How one run is traced: where its span's parent comes from and what else it says. */
export type RunTelemetryOptions = {
  /** A parent sent from elsewhere (a protocol client's or a queue producer's span); default: the active context. */
  parent?: Partial<TraceCarrier>;
  /** Per run: `false` stops `http-request` nodes sending trace context. */
  propagate?: boolean;
  /** The run's input, recorded on the span when the config asks for values. */
  input?: unknown;
  /** Extra attributes of the run's span (the queue's job id...). */
  attributes?: Record<string, string | number | boolean>;
  /** Keys whose values are redacted when values are recorded (the history's `redactKeys`). */
  redactKeys?: string[];
  /**
   * Whether this process writes the run's record to an execution history (counted in
   * `atomiton.history.writes`): not where the run was handed on, whose receiver writes it.
   */
  recordsHistory?: boolean;
  /**
   * How the run's span stands to other processes (OpenTelemetry's span kind): `"server"` a run
   * served for a protocol client, `"client"` one handed to a protocol server, `"producer"` one
   * queued for a worker, `"consumer"` a queued one a worker took. Default: internal.
   */
  kind?: "server" | "client" | "producer" | "consumer";
  /**
   * The run runs in another process (a protocol server's, a queue worker's): its span ends, and
   * its duration is measured, when the answer arrives here, not after the engine's run time.
   */
  handedOn?: boolean;
};

/** The tracer for the tracer provider last seen, and the API's no-op provider to tell an SDK from none. */
let tracers: { api: OtelApi; delegate: object; noop: object | undefined; tracer: OtelTracer | undefined } | undefined;

/**
 * The conductor's tracer, made once per registered tracer provider; `undefined` while the API's
 * provider has no SDK behind it (then a run makes no span at all, not even a no-op one).
 */
function tracerOf(api: OtelApi): OtelTracer | undefined {
  const provider = api.trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = provider.getDelegate?.() ?? provider;
  if (tracers?.api === api && tracers.delegate === delegate) return tracers.tracer;
  const noop = tracers?.api === api ? tracers.noop : api.ProxyTracerProvider && new api.ProxyTracerProvider().getDelegate();
  tracers = { api, delegate, noop, tracer: delegate === noop ? undefined : api.trace.getTracer(SCOPE) };
  return tracers.tracer;
}

/**
 * Marks a run's `contextOverrides` as a call served for another process (the protocol's channel
 * handlers: the protocol server, an Electron main process): its span is a `SERVER` span. A symbol,
 * so no caller's options can carry it.
 */
export const SERVED_RUN: unique symbol = Symbol("atomiton.servedRun");

/** `overrides` marked as a served call's. */
export function asServedRun<T extends object>(overrides: T): T {
  return Object.assign(overrides, { [SERVED_RUN]: true });
}

/** Whether `overrides` are a served call's (see `SERVED_RUN`). */
export function servedRun(overrides: object): boolean {
  return (overrides as { [SERVED_RUN]?: unknown })[SERVED_RUN] === true;
}

/** OpenTelemetry's span kind for each of `RunTelemetryOptions.kind`. */
const KINDS: Record<NonNullable<RunTelemetryOptions["kind"]>, (api: OtelApi) => number> = {
  server: (api) => api.SpanKind.SERVER,
  client: (api) => api.SpanKind.CLIENT,
  producer: (api) => api.SpanKind.PRODUCER,
  consumer: (api) => api.SpanKind.CONSUMER,
};

/** Runs being traced in this JS realm, by execution id: where an `http-request` node's request for its span goes. */
const tracedRuns = new Map<string, RunTelemetry>();

/** The trace headers of node `node` of run `run`, opening its span (see `RunTelemetry.nodeCarrier`); `null` when the run is not traced here. */
export function answerSpanRequest(run: string, node: number, nodeId: string, type: string, spans?: OpenSpan[]): TraceCarrier | null {
  return tracedRuns.get(run)?.nodeCarrier(node, nodeId, type, spans) ?? null;
}

export class RunTelemetry {
  /** Whether `end` ran: the first end counts, later ones do nothing. */
  private ended = false;
  /** Node spans opened while the run went (by node index). */
  private readonly live = new Map<number, OtelSpan>();
  private readonly context: OtelContext;
  private readonly startedAt = Date.now();
  private readonly flowAttributes: Record<string, string>;
  private readonly flow: NodeDefinition;

  private constructor(
    private readonly api: OtelApi,
    private readonly config: TelemetryConfig,
    private readonly tracer: OtelTracer | undefined,
    private readonly span: OtelSpan | undefined,
    private readonly metrics: ConductorMetrics | undefined,
    private readonly executionId: string,
    private readonly propagate: boolean,
    flow: NodeDefinition,
    flowId: string,
    parent: OtelContext,
    private readonly options: RunTelemetryOptions,
  ) {
    this.context = span ? api.trace.setSpan(parent, span) : parent;
    this.flowAttributes = { [ATTR.flowId]: flowId };
    this.flow = flow;
  }

  /** A run's telemetry, or `undefined` when there is nothing to record it with. */
  static begin(
    api: OtelApi | undefined,
    config: TelemetryConfig | undefined,
    flow: NodeDefinition,
    executionId: string,
    options: RunTelemetryOptions = {},
  ): RunTelemetry | undefined {
    if (!api || config?.enabled === false) return undefined;
    const flowId = typeof flow?.id === "string" ? flow.id : "";
    const flowName = typeof flow?.name === "string" && flow.name ? flow.name : flowId;
    const tracer = tracerOf(api);
    const metrics = conductorMetrics(api);
    // No SDK registered (the common case): nothing at all is made.
    if (!tracer && !metrics) return undefined;
    const parent = contextFrom(api, options.parent) ?? api.context.active();
    const attributes = { [ATTR.flowId]: flowId, [ATTR.flowName]: flowName, [ATTR.executionId]: executionId, ...options.attributes };
    const kind = options.kind ? KINDS[options.kind](api) : api.SpanKind.INTERNAL;
    const span = tracer?.startSpan(`run ${flowName}`, { kind, attributes }, parent);
    const recording = span?.isRecording() ?? false;
    // An unsampled span is never exported: nothing to end, nothing to build.
    if (!recording && !metrics) return undefined;
    const propagate = (options.propagate ?? config?.propagate ?? true) !== false;
    const telemetry = new RunTelemetry(
      api,
      config ?? {},
      recording ? tracer : undefined,
      recording ? span : undefined,
      metrics,
      executionId,
      propagate,
      flow,
      flowId,
      recording ? parent : api.context.active(),
      options,
    );
    if (recording && span && config?.recordValues && options.input !== undefined) {
      span.setAttribute("atomiton.run.input", valueAttribute(options.input, telemetry.redactKeys()));
    }
    metrics?.runsStarted.add(1, telemetry.flowAttributes);
    metrics?.runsActive.add(1);
    tracedRuns.set(executionId, telemetry);
    return telemetry;
  }

  /** What the engine is told (`telemetry` in the run's options): record node spans, and whether to propagate. */
  wireOption(): { propagate: boolean } {
    return { propagate: this.propagate && this.tracer !== undefined };
  }

  /** The run's span context as W3C headers (for a run handed on to a server); `undefined` when the run has no span. */
  carrier(): TraceCarrier | undefined {
    return this.span ? carrierOf(this.span.spanContext()) : undefined;
  }

  /**
   * Opens node `node`'s span (a request of it is about to leave) and names it; one span per node,
   * whatever its attempts. `spans` (from the engine) are the groups it is in and itself,
   * outermost first, with the engine's start times: each opens under its group's span, so the
   * request's parent sits where the run's records put the node. Without them, the node's span
   * opens now under the run's.
   */
  nodeCarrier(node: number, nodeId: string, type: string, spans?: OpenSpan[]): TraceCarrier | null {
    if (!this.tracer || !this.propagate) return null;
    const lineage: OpenSpan[] = spans && spans.length > 0 ? spans : [[node, 0, nodeId, type, Date.now()]];
    let span: OtelSpan | undefined;
    for (const [index, parentIndex, id, spanType, start] of lineage) {
      span = this.live.get(index);
      if (span) continue;
      const group = parentIndex > 0 ? this.live.get(parentIndex) : undefined;
      const parent = group ? this.api.trace.setSpan(this.context, group) : this.context;
      span = startNodeSpan(this.api, this.tracer, parent, id, spanType, start);
      this.live.set(index, span);
    }
    return span ? carrierOf(span.spanContext()) : null;
  }

  /** The run ended with `result`: its node spans, its own span's end and status, its metrics. */
  end(result: WireResult): void {
    if (this.ended) return;
    this.ended = true;
    tracedRuns.delete(this.executionId);
    const spans = nodeSpanRecords(result.spans);
    const describe: NodeDescriber = (id, path) => httpRequestAttributes(this.flow, id, path, this.options.input, this.redactKeys());
    endNodeSpans(this.api, this.tracer, this.context, spans, this.live, this.metrics, describe);
    // A run handed on ended for this process when its answer arrived (after the other side's
    // run, the queue's wait and the way back); a run here when the engine says it did.
    const handedOn = this.options.handedOn === true;
    const receivedAt = Date.now();
    const status = result.success ? "completed" : result.error?.code === "CANCELLED" ? "cancelled" : "failed";
    if (this.span) {
      this.span.setAttribute(ATTR.runStatus, status);
      if (!result.success) {
        this.span.setAttribute(ATTR.errorType, result.error?.code ?? "UNKNOWN");
        this.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: result.error?.message });
      }
      if (this.config.recordValues && result.success && result.data !== undefined) {
        this.span.setAttribute("atomiton.run.output", valueAttribute(result.data, this.redactKeys()));
      }
      if (handedOn) {
        // Now, on the clock the span started by.
        this.span.end();
      } else {
        // The engine's clock: the run ends when its last node did, or its duration after it began.
        this.span.end(Math.max(this.startedAt + (result.duration ?? 0), lastEnd(spans) ?? 0));
      }
    }
    if (this.metrics) {
      const attributes = { ...this.flowAttributes, [ATTR.runStatus]: status };
      this.metrics.runsEnded.add(1, attributes);
      const duration = handedOn ? receivedAt - this.startedAt : (result.duration ?? receivedAt - this.startedAt);
      this.metrics.runDuration.record(Math.max(0, duration) / 1000, attributes);
      this.metrics.runsActive.add(-1);
      if (this.options.recordsHistory) this.metrics.historyWrites.add(1);
    }
  }

  /**
   * Ends a run that threw instead of returning a result (nothing ends twice): its span fails
   * with the thrown error, and it is no longer counted in flight.
   */
  abandon(thrown: unknown): void {
    if (this.ended) return;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    this.end({
      success: false,
      error: { code: ErrorCode.INTERNAL_ERROR, message },
      duration: Date.now() - this.startedAt,
      executedNodes: [],
    });
  }

  private redactKeys(): string[] {
    const values = this.config.recordValues;
    const own = typeof values === "object" && values ? (values.redactKeys ?? []) : [];
    return [...own, ...(this.options.redactKeys ?? [])];
  }

  /** Runs `fn` with the run's span active (so spans the app starts inside it are its children). */
  within<T>(fn: () => T): T {
    return this.api.context.with(this.context, fn);
  }
}
