/**
 * A traced run's node spans, made from the records the engine returns with its result: each
 * with the engine's start and end times, its attempts (a failed, retried attempt is a `retry`
 * event at the time it failed) and how it ended.
 */
import type { OtelApi, OtelAttributes, OtelContext, OtelSpan, OtelTracer } from "./api.js";
import { HTTP_REQUEST } from "./http.js";
import type { ConductorMetrics } from "./metrics.js";

/**
 * One node of a traced run as the engine writes it (`result.spans`, compact because every traced
 * run writes and parses it): `[index, parent, id, name, type, start, end, state, path?, group?,
 * attempts?, error?, retries?, httpStatus?, tokens?]`, `parent` -1 for the flow itself, times in
 * ms after the records' origin, `end` null while open, `path` null when it is the id, `error`
 * `[code, message]`, `retries` `[[attempt, at, code, message], ...]`, `httpStatus` the status of
 * an `http-request` node's last response (null when there is none and `tokens` follows),
 * `tokens` an `llm` node's `[input, output]` tokens as its server counted them.
 */
export type WireNodeSpan = [
  index: number,
  parent: number,
  id: string,
  name: string,
  type: string,
  start: number,
  end: number | null,
  state: string,
  path?: string | null,
  group?: 0 | 1,
  attempts?: number,
  error?: [code: string, message: string] | null,
  retries?: Array<[attempt: number, at: number, code: string, message: string]>,
  httpStatus?: number | null,
  tokens?: [input: number, output: number],
];

/**
 * A span the engine has JS open while the run goes (an `http-request` node about to send, and
 * each group it is in): `parent` its group's index (0: the run's own span), `start` the engine's
 * start time in ms since the epoch.
 */
export type OpenSpan = [index: number, parent: number, id: string, type: string, start: number];

/** The spans a request asks to open (JSON text from the engine); none when they cannot be read. */
export function openSpans(text: string | undefined): OpenSpan[] {
  if (typeof text !== "string") return [];
  try {
    const spans = JSON.parse(text) as OpenSpan[];
    return Array.isArray(spans) ? spans.filter((span) => Array.isArray(span) && span.length === 5) : [];
  } catch {
    return [];
  }
}

/** A traced run's node records and the time (ms since the epoch) their times count from. */
export type NodeSpanRecords = { origin: number; records: WireNodeSpan[] };

const NONE: NodeSpanRecords = { origin: 0, records: [] };

/** A result's `spans` (JSON text from the engine) read; none when it has none or they cannot be read. */
export function nodeSpanRecords(spans: string | undefined): NodeSpanRecords {
  if (typeof spans !== "string") return NONE;
  try {
    const [origin, records] = JSON.parse(spans) as [number, WireNodeSpan[]];
    return typeof origin === "number" && Array.isArray(records) ? { origin, records } : NONE;
  } catch {
    return NONE;
  }
}

/** The span names and attribute keys of a run's spans (docs/observability.md lists them). */
export const ATTR = {
  flowId: "atomiton.flow.id",
  flowName: "atomiton.flow.name",
  executionId: "atomiton.execution.id",
  runStatus: "atomiton.run.status",
  nodeId: "atomiton.node.id",
  nodePath: "atomiton.node.path",
  nodeName: "atomiton.node.name",
  nodeType: "atomiton.node.type",
  nodeState: "atomiton.node.state",
  nodeAttempts: "atomiton.node.attempts",
  attempt: "atomiton.node.attempt",
  errorType: "error.type",
  errorMessage: "atomiton.error.message",
  httpStatus: "http.response.status_code",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  tokenType: "gen_ai.token.type",
  misfire: "atomiton.trigger.misfire",
} as const;

/** A node span's name: low in cardinality, as OpenTelemetry asks (the node's id and name are attributes). */
export function nodeSpanName(type: string): string {
  return `node ${type}`;
}

/** States of a node that sent nothing: it did not run (its output was given, kept or not needed). */
const DID_NOT_RUN = new Set(["skipped", "pinned", "cached"]);

/**
 * A node span as it starts: live (asked for by an `http-request` node about to send) or from its
 * record (`state` then says how it ended). An `http-request` node that ran is a `CLIENT` span
 * (it called a server), every other node `INTERNAL`.
 */
export function startNodeSpan(
  api: OtelApi,
  tracer: OtelTracer,
  parent: OtelContext,
  id: string,
  type: string,
  startTime: number,
  more?: OtelAttributes,
  state?: string,
): OtelSpan {
  const attributes: OtelAttributes = more ?? {};
  attributes[ATTR.nodeId] = id;
  attributes[ATTR.nodeType] = type;
  const client = type === HTTP_REQUEST && (state === undefined || !DID_NOT_RUN.has(state));
  return tracer.startSpan(
    nodeSpanName(type),
    { kind: client ? api.SpanKind.CLIENT : api.SpanKind.INTERNAL, attributes, startTime },
    parent,
  );
}

/** What an `http-request` node's span says of its request beyond its record (see `http.ts`); `undefined`: nothing. */
export type NodeDescriber = (id: string, path: string | null | undefined) => OtelAttributes | undefined;

/**
 * Ends the spans of a run's nodes (starting those not started live) under `root`, the run's
 * span context: a node in a group is a child of its group's span; the flow itself (index 0,
 * when a group) is the run's own span. Records node durations in `metrics`.
 */
export function endNodeSpans(
  api: OtelApi,
  tracer: OtelTracer | undefined,
  root: OtelContext,
  { origin, records }: NodeSpanRecords,
  live: Map<number, OtelSpan>,
  metrics: ConductorMetrics | undefined,
  describe?: NodeDescriber,
): void {
  const contexts = new Map<number, OtelContext>();
  for (const [index, parentIndex, id, name, type, start, end, state, path, group, attempts, error, retries, status, tokens] of records) {
    const httpStatus = status ?? undefined;
    if (metrics && group !== 1 && end !== null) {
      metrics.nodeDuration.record(Math.max(0, end - start) / 1000, { [ATTR.nodeType]: type, [ATTR.nodeState]: state });
    }
    if (metrics && tokens) {
      metrics.llmTokens.add(tokens[0], { [ATTR.nodeType]: type, [ATTR.tokenType]: "input" });
      metrics.llmTokens.add(tokens[1], { [ATTR.nodeType]: type, [ATTR.tokenType]: "output" });
    }
    if (!tracer) continue;
    if (index === 0 && group === 1) {
      contexts.set(0, root);
      continue;
    }
    const parent = contexts.get(parentIndex) ?? root;
    const ended: OtelAttributes = { [ATTR.nodeName]: name, [ATTR.nodeState]: state };
    // A top-level node's path is its id: only nested nodes carry one (fewer attributes, less SDK work per span).
    if (path) ended[ATTR.nodePath] = path;
    // The attempt that ended the node (the engine leaves out 1, the common case); the count only when retried.
    const attempt = attempts ?? 1;
    ended[ATTR.attempt] = attempt;
    if (attempt > 1) ended[ATTR.nodeAttempts] = attempt;
    if (describe && type === HTTP_REQUEST && !DID_NOT_RUN.has(state)) Object.assign(ended, describe(id, path));
    const opened = live.get(index);
    let span: OtelSpan;
    if (opened) {
      live.delete(index);
      span = opened.setAttributes(ended);
    } else {
      span = startNodeSpan(api, tracer, parent, id, type, origin + start, ended, state);
    }
    for (const [attempt, at, code, message] of retries ?? []) {
      span.addEvent("retry", { [ATTR.attempt]: attempt, [ATTR.errorType]: code, [ATTR.errorMessage]: message }, origin + at);
    }
    if (httpStatus !== undefined) span.setAttribute(ATTR.httpStatus, httpStatus);
    // OpenTelemetry's generative-AI conventions name a model call's token counts.
    if (tokens) span.setAttributes({ [ATTR.inputTokens]: tokens[0], [ATTR.outputTokens]: tokens[1] });
    if (error) {
      span.setAttribute(ATTR.errorType, error[0]);
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: error[1] });
    } else if (httpStatus !== undefined && httpStatus >= 400) {
      // A client span whose server answered 4xx/5xx failed (OpenTelemetry's HTTP conventions), whatever the flow made of it.
      span.setAttribute(ATTR.errorType, String(httpStatus));
      span.setStatus({ code: api.SpanStatusCode.ERROR });
    }
    if (group === 1) contexts.set(index, api.trace.setSpan(root, span));
    span.end(end === null ? Date.now() : origin + end);
  }
  // A live span whose node left no record (the run ended before it could say): ended now.
  for (const span of live.values()) span.end();
  live.clear();
}

/** The latest end among the records (ms since the epoch); `undefined` when none ended. */
export function lastEnd({ origin, records }: NodeSpanRecords): number | undefined {
  let last: number | undefined;
  for (const record of records) if (record[6] !== null && (last === undefined || record[6] > last)) last = record[6];
  return last === undefined ? undefined : origin + last;
}
