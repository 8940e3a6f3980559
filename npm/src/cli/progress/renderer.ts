/** The interface both progress displays implement, and what they write to. */
import type { ExecutionResult, NodeProgressEvent } from "../../desktop.js";

/** Where a display writes (stderr, or a buffer in tests). */
export type TextSink = { write(chunk: string): unknown; columns?: number };

export type RendererOptions = {
  sink: TextSink;
  /** A clock in ms (tests pass their own). */
  now?: () => number;
};

export interface ProgressRenderer {
  /** The run is starting. */
  start(): void;
  /** A progress snapshot arrived. */
  update(event: NodeProgressEvent): void;
  /** Ctrl-C was pressed: the run is being cancelled. */
  cancelling(): void;
  /** The run ended: show its final state and outcome, restore the terminal. */
  finish(result: ExecutionResult): void;
  /** Restore the terminal at once (a second Ctrl-C, an unexpected exit). Safe to call twice. */
  dispose(): void;
}

/** A display that shows nothing (`--quiet`). */
export const silentRenderer: ProgressRenderer = {
  start() {},
  update() {},
  cancelling() {},
  finish() {},
  dispose() {},
};
