/**
 * A run's options on their way to the engine. Their wire type is generated from the Rust struct
 * that reads them (`WireRunOptions` in `types/wire.generated.ts`). This module lists which of them
 * pass on as the caller gave them (to a remote server, from a protocol client), checked against
 * that type when the package compiles: a run option added in Rust fails the build here, and in
 * `run()` (`run.ts`), until it is listed.
 */
import { type WireRunOptions as EngineRunOptions, wireRunOptions } from "../types/wire.generated.js";

/** Run options as an engine adapter takes them: the id, the custom types and whether events are wanted are always set. */
export type WireRunOptions = EngineRunOptions & Required<Pick<EngineRunOptions, "executionId" | "customTypes" | "events">>;

/** Options a caller's `contextOverrides` give the engine as they are. */
export const PASSED_RUN_OPTIONS = [
  "variables",
  "input",
  "parentContext",
  "slowMo",
  "debug",
  "permissions",
  "caller",
  "history",
  "pinned",
  "runTo",
  "breakpoints",
  "cache",
  "resume",
  "replay",
] as const;

/** Options the conductor sets itself (from the overrides, its config and the flow). */
type SetByConductor = "executionId" | "timeout" | "customTypes" | "events" | "stateEvents" | "retry" | "telemetry";

// Every engine option is either passed on or set by the conductor (a compile-time check).
type Unlisted = Exclude<keyof EngineRunOptions, SetByConductor | (typeof PASSED_RUN_OPTIONS)[number]>;
const everyOptionListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyOptionListed;

type Passed = Pick<EngineRunOptions, (typeof PASSED_RUN_OPTIONS)[number]>;

/** What the conductor sets in every run's options itself. */
export type ConductorSet = Pick<WireRunOptions, "executionId" | "customTypes" | "events"> & Partial<Pick<EngineRunOptions, SetByConductor>>;

/** A run's options for an engine: what the conductor `set`, else what the caller `given`. */
export function runOptions(given: Partial<EngineRunOptions>, set: ConductorSet): WireRunOptions {
  return wireRunOptions(given, set) as WireRunOptions;
}

/** The options `options` (already on the wire) passes on unchanged, without those it leaves undefined. */
export function passedRunOptions(options: EngineRunOptions): Passed {
  const given = options as Record<string, unknown>;
  const passed: Record<string, unknown> = {};
  for (const key of PASSED_RUN_OPTIONS) if (given[key] !== undefined) passed[key] = given[key];
  return passed as Passed;
}

/** The keys a protocol client may set in a run's context: the node, the passed options, and the id, timeout and retry. */
export const CLIENT_CONTEXT_KEYS = [
  "nodeId",
  "executionId",
  ...PASSED_RUN_OPTIONS.filter((key) => key !== "permissions" && key !== "caller"),
  "timeout",
  "retry",
  "telemetry",
] as const;
