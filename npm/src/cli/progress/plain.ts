/**
 * Progress as plain lines, for pipes and CI logs: one line whenever the percentage or the set of
 * running nodes changes, then one final line.
 */
import type { ExecutionResult, NodeProgressEvent } from "../../desktop.js";
import { formatElapsed, formatPercent, formatStream, outcomeText } from "./format.js";
import type { ProgressRenderer, RendererOptions, TextSink } from "./renderer.js";
import { activity, toView } from "./view.js";

export class PlainRenderer implements ProgressRenderer {
  private readonly sink: TextSink;
  private readonly now: () => number;
  private startedAt = 0;
  private lastKey: string | undefined;
  private lastStreamLine = Number.NEGATIVE_INFINITY;

  constructor(options: RendererOptions) {
    this.sink = options.sink;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.startedAt = this.now();
  }

  update(event: NodeProgressEvent): void {
    const view = toView(event);
    const text = activity(view);
    const elapsed = this.now() - this.startedAt;
    const key = `${view.percent}\u0000${text}`;
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.sink.write(`${formatPercent(view.percent)} ${text} (${formatElapsed(elapsed)})\n`);
    }
    // A stream under way: its rows, at most one line a second (logs stay short).
    if (view.stream && elapsed - this.lastStreamLine >= 1000) {
      this.lastStreamLine = elapsed;
      this.sink.write(`        ${formatStream(view.stream, elapsed)}\n`);
    }
  }

  cancelling(): void {
    this.sink.write(`cancelling (${formatElapsed(this.now() - this.startedAt)})\n`);
  }

  finish(result: ExecutionResult): void {
    this.sink.write(`${result.success ? "✔" : "✖"} ${outcomeText(result)}\n`);
  }

  dispose(): void {}
}
