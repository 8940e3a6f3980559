/**
 * What comes back from an engine (the native addon, wasm, or a server over a transport): results,
 * events and call outcomes as they cross, before the conductor shapes them. What goes in is
 * `wire.generated.ts`, generated from the Rust types that read it.
 */
import type { ExecutionError } from "./errors.js";
import type { NodeLog, RunWarning } from "./execution.js";
import type { ProgressNode } from "./progress.js";

/** A result as the engine returns it: error timestamps are epoch milliseconds. */
export type WireError = Omit<ExecutionError, "timestamp"> & { timestamp?: number };
export type WireResult = {
  success: boolean;
  data?: unknown;
  error?: WireError;
  duration?: number;
  executedNodes?: string[];
  context?: Record<string, unknown>;
  trace?: unknown;
  warnings?: RunWarning[];
  logs?: NodeLog[];
  /** A traced run's nodes (`telemetry` in its options) as JSON text (see `WireNodeSpan`), for its spans; not part of the public result. */
  spans?: string;
};

/** Events as the engine emits them. */
export type WireEvent =
  | ({ type: "progress" } & Record<string, unknown>)
  | { type: "started" | "completed"; executionId: string; nodeId: string }
  | { type: "error"; executionId: string; nodeId: string; error: WireError }
  | { type: "paused"; executionId: string; nodeId: string; input: unknown }
  | { type: "nodeChanged"; executionId: string; node: ProgressNode; cachedProgress: number }
  | { type: "flowSaved"; id: string; flowId: string; name: string; savedAt: string; timestamp: number }
  | { type: "flowDeleted"; id: string };

export type { Encoded, Outcome } from "./answers.generated.js";
