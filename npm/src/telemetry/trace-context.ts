/**
 * W3C Trace Context (`traceparent`, `tracestate`) written and read here, so a run's context
 * crosses HTTP requests, the protocol server and the queue whatever propagator the app set up.
 */
import type { OtelApi, OtelContext, OtelSpanContext } from "./api.js";

/** A span's context as it travels: the two W3C headers. */
export type TraceCarrier = { traceparent: string; tracestate?: string };

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const INVALID_TRACE = "0".repeat(32);
const INVALID_SPAN = "0".repeat(16);

/** The headers naming `span` as the parent of what receives them. */
export function carrierOf(span: OtelSpanContext): TraceCarrier {
  const flags = (span.traceFlags & 0xff).toString(16).padStart(2, "0");
  const carrier: TraceCarrier = { traceparent: `00-${span.traceId}-${span.spanId}-${flags}` };
  const state = span.traceState?.serialize();
  if (state) carrier.tracestate = state;
  return carrier;
}

/** The span context a `traceparent` names (version 00), or `undefined` when it is malformed. */
export function parseTraceparent(api: OtelApi, traceparent: unknown, tracestate?: unknown): OtelSpanContext | undefined {
  if (typeof traceparent !== "string") return undefined;
  const match = TRACEPARENT.exec(traceparent.trim().toLowerCase());
  if (!match || match[1] === INVALID_TRACE || match[2] === INVALID_SPAN) return undefined;
  const context: OtelSpanContext = { traceId: match[1]!, spanId: match[2]!, traceFlags: Number.parseInt(match[3]!, 16), isRemote: true };
  if (typeof tracestate === "string" && tracestate.length > 0 && tracestate.length <= 512 && api.createTraceState) {
    context.traceState = api.createTraceState(tracestate);
  }
  return context;
}

/** `base` (default: the active context) with `carrier`'s span as the parent of spans started in it; `undefined` when it names none. */
export function contextFrom(api: OtelApi, carrier: Partial<TraceCarrier> | undefined, base?: OtelContext): OtelContext | undefined {
  const span = parseTraceparent(api, carrier?.traceparent, carrier?.tracestate);
  return span ? api.trace.setSpanContext(base ?? api.context.active(), span) : undefined;
}
