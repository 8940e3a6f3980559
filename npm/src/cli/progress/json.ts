/**
 * Progress as JSON lines (`--json`), for programs following a run: one object per change of
 * percentage or running nodes, then one object with the outcome.
 */
import type { ExecutionResult, NodeProgressEvent } from "../../desktop.js";
import type { ProgressRenderer, RendererOptions, TextSink } from "./renderer.js";
import { tally, toView } from "./view.js";

export class JsonLinesRenderer implements ProgressRenderer {
  private readonly sink: TextSink;
  private readonly now: () => number;
  private startedAt = 0;
  private lastKey: string | undefined;

  constructor(options: RendererOptions) {
    this.sink = options.sink;
    this.now = options.now ?? Date.now;
  }

  private line(value: Record<string, unknown>): void {
    this.sink.write(`${JSON.stringify({ ...value, elapsed: Math.round(this.now() - this.startedAt) })}\n`);
  }

  start(): void {
    this.startedAt = this.now();
  }

  update(event: NodeProgressEvent): void {
    const view = toView(event);
    const key = `${view.percent}\u0000${view.running.join("\u0000")}`;
    if (key === this.lastKey) return;
    this.lastKey = key;
    const { done, failed, total } = tally(view);
    this.line({ type: "progress", executionId: event.executionId, progress: view.percent, running: view.running, done, failed, total });
  }

  cancelling(): void {
    this.line({ type: "cancelling" });
  }

  finish(result: ExecutionResult): void {
    const error = result.error ? { code: result.error.code, message: result.error.message, nodeId: result.error.nodeId } : null;
    this.line({ type: "end", success: result.success, duration: result.duration ?? null, error });
  }

  dispose(): void {}
}
