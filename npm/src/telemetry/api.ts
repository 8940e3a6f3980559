/**
 * The OpenTelemetry API as this package uses it. The package depends on no OpenTelemetry code:
 * it uses `@opentelemetry/api` when the app has it (an optional peer dependency), found by the
 * Node entry or given in `ConductorConfig.telemetry.api`. With no SDK registered the API hands
 * out no-op tracers and meters, and the package then asks the engine for nothing.
 *
 * The types below are the parts of the API used here, written out so this package's type
 * declarations do not need `@opentelemetry/api` installed.
 */

/** An OpenTelemetry `Context` (immutable). */
export type OtelContext = { getValue(key: symbol): unknown; setValue(key: symbol, value: unknown): OtelContext };

export type OtelSpanContext = {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
  traceState?: { serialize(): string };
};

export type OtelAttributes = Record<string, string | number | boolean | undefined>;

export type OtelSpan = {
  spanContext(): OtelSpanContext;
  setAttribute(key: string, value: string | number | boolean): OtelSpan;
  setAttributes(attributes: OtelAttributes): OtelSpan;
  addEvent(name: string, attributes?: OtelAttributes, time?: number): OtelSpan;
  setStatus(status: { code: number; message?: string }): OtelSpan;
  end(endTime?: number): void;
  isRecording(): boolean;
};

export type OtelSpanOptions = { kind?: number; attributes?: OtelAttributes; startTime?: number };

export type OtelTracer = { startSpan(name: string, options?: OtelSpanOptions, context?: OtelContext): OtelSpan };

export type OtelCounter = { add(value: number, attributes?: OtelAttributes): void };
export type OtelHistogram = { record(value: number, attributes?: OtelAttributes): void };
export type OtelObservableResult = { observe(value: number, attributes?: OtelAttributes): void };
export type OtelObservable = { addCallback(callback: (result: OtelObservableResult) => void | Promise<void>): void };
type InstrumentOptions = { description?: string; unit?: string; advice?: { explicitBucketBoundaries?: number[] } };

export type OtelMeter = {
  createCounter(name: string, options?: InstrumentOptions): OtelCounter;
  createUpDownCounter(name: string, options?: InstrumentOptions): OtelCounter;
  createHistogram(name: string, options?: InstrumentOptions): OtelHistogram;
  createObservableGauge(name: string, options?: InstrumentOptions): OtelObservable;
  createObservableCounter(name: string, options?: InstrumentOptions): OtelObservable;
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): OtelObservable;
};

/** `import * as api from "@opentelemetry/api"`: what this package reads of it. */
export type OtelApi = {
  trace: {
    getTracer(name: string, version?: string): OtelTracer;
    getSpan(context: OtelContext): OtelSpan | undefined;
    getTracerProvider(): object;
    setSpan(context: OtelContext, span: OtelSpan): OtelContext;
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext;
  };
  context: { active(): OtelContext; with<T>(context: OtelContext, fn: () => T): T };
  metrics: { getMeter(name: string, version?: string): OtelMeter; getMeterProvider(): object };
  /** The API's stand-in provider: its delegate, while no SDK is registered, is the API's no-op one. */
  ProxyTracerProvider?: new () => { getDelegate(): object };
  createNoopMeter(): OtelMeter;
  createTraceState?(text?: string): { serialize(): string };
  SpanKind: { INTERNAL: number; PRODUCER: number; CONSUMER: number; SERVER: number; CLIENT: number };
  SpanStatusCode: { UNSET: number; OK: number; ERROR: number };
};

/** Whether `value` looks like the OpenTelemetry API (a module namespace or a copy of one). */
export function isOtelApi(value: unknown): value is OtelApi {
  const api = value as Partial<OtelApi> | null;
  return (
    typeof api?.trace?.getTracer === "function" &&
    typeof api.context?.active === "function" &&
    typeof api.metrics?.getMeter === "function" &&
    typeof api.createNoopMeter === "function"
  );
}

let defaultSource: (() => unknown) | undefined;
let found: OtelApi | null | undefined;

/** Where the API comes from when the config gives none (the Node entry: `require("@opentelemetry/api")` if installed). */
export function setDefaultOtelSource(source: () => unknown): void {
  defaultSource = source;
  found = undefined;
}

/** The API `given` (the config's `telemetry.api`), else the default source's; `undefined` when there is none. */
export function otelApi(given?: unknown): OtelApi | undefined {
  if (given !== undefined) return isOtelApi(given) ? given : undefined;
  if (found === undefined) {
    const loaded = defaultSource?.();
    found = isOtelApi(loaded) ? loaded : null;
  }
  return found ?? undefined;
}
