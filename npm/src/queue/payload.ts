/**
 * What travels through the queue, as the engine's own value codec writes it (so a `Uint8Array`,
 * a `Date`, `NaN` or `-0` arrives as it left; BullMQ itself would pass everything through
 * `JSON.stringify`): a job's data, its result, and the events of its run.
 */
import type { WireRunOptions } from "../conductor/engine.js";
import type { WireEvent, WireResult } from "../types/wire.js";
import type { NodeDefinition } from "../types/definition.js";
import { decodeValue, encodeValue } from "../values/codec.js";

/**
 * A run's job id: its execution id behind a fixed prefix, so that no execution id can name one
 * of the queue's own keys (`meta`, `events`, the saved flows...), which share the job keys' space.
 */
export function jobIdOf(executionId: string): string {
  return `run.${executionId}`;
}

/** The execution id of a run's job id; `undefined` for a job that is not a run. */
export function executionIdOf(jobId: string): string | undefined {
  return jobId.startsWith("run.") ? jobId.slice(4) : undefined;
}

/** A job's data: the flow and the run's options, as codec text. */
export type RunJobData = { flow: string; options: string };

/** The run options a worker takes from a producer: what the flow is given, not how the producer runs. */
export type QueuedRunOptions = Omit<WireRunOptions, "customTypes" | "breakpoints">;

export function runJobData(flow: NodeDefinition, options: WireRunOptions): RunJobData {
  // Custom node types are the worker's own (its --executors module); breakpoints are refused
  // before a run is queued. Permissions travel: the worker's engine enforces them.
  const { customTypes: _types, breakpoints: _breakpoints, ...queued } = options;
  return { flow: encodeValue(flow), options: encodeValue(queued, { omitUndefined: true }) };
}

/** A job's data read back; throws when it is not a run this package queued. */
export function readRunJob(jobId: string | undefined, data: unknown): { flow: NodeDefinition; options: QueuedRunOptions } {
  const job = data as Partial<RunJobData> | null;
  if (typeof job?.flow !== "string" || typeof job.options !== "string") throw new Error("The job is not a queued run (no flow or options)");
  const flow = decodeValue(job.flow) as NodeDefinition;
  const options = decodeValue(job.options) as QueuedRunOptions;
  if (typeof options?.executionId !== "string") throw new Error("The queued run has no execution id");
  // The job's id is the run's: a job naming another run's id cannot take over that run's events or cancellation.
  if (jobId !== jobIdOf(options.executionId)) throw new Error(`The job ${jobId} does not carry the run ${options.executionId}`);
  // Whatever the job says, a worker's run never pauses (no one could resume it).
  const { breakpoints: _breakpoints, ...rest } = options as QueuedRunOptions & { breakpoints?: unknown };
  return { flow, options: rest };
}

/** A result as a job's return value. */
export function resultText(result: WireResult): string {
  // The fields by name: `trace` is not sent (workers run without it; the run's record holds the
  // same story), and reading it would build it.
  const { success, data, error, duration, executedNodes, context } = result;
  return encodeValue({ success, data, error, duration, executedNodes, context }, { omitUndefined: true });
}

/** A job's return value as a result; `undefined` when it is not one. */
export function readResult(value: unknown): WireResult | undefined {
  try {
    // BullMQ hands the return value back parsed from its JSON, or as the JSON text itself.
    let text = value;
    if (typeof text === "string" && text.startsWith('"')) text = JSON.parse(text) as unknown;
    if (typeof text !== "string") return undefined;
    const result = decodeValue(text) as WireResult | null;
    return typeof result === "object" && result !== null && typeof result.success === "boolean" ? result : undefined;
  } catch {
    return undefined; // not a result this package wrote (anyone who can reach Redis can write one)
  }
}

/** A batch of a run's events as a job's progress. */
export function eventsProgress(events: WireEvent[]): { events: string } {
  return { events: encodeValue(events, { omitUndefined: true }) };
}

/** A job's progress as events (none when it is not a batch of them). */
export function readEvents(progress: unknown): WireEvent[] {
  const text = (progress as { events?: unknown } | null)?.events;
  if (typeof text !== "string") return [];
  try {
    const events = decodeValue(text);
    return Array.isArray(events) ? (events as WireEvent[]) : [];
  } catch {
    return [];
  }
}
