/**
 * Progress for a terminal: one status block redrawn in place (ANSI escapes, no dependencies) with
 * a bar, the percentage, the elapsed time, the running nodes and, for small flows, every node's
 * state. The cursor is hidden while drawing and always shown again at the end.
 */
import type { ExecutionResult, NodeProgressEvent, NodeRunState } from "../../desktop.js";
import { fit, formatElapsed, formatStream, outcomeText } from "./format.js";
import type { ProgressRenderer, RendererOptions, TextSink } from "./renderer.js";
import { activity, toView, type ProgressView } from "./view.js";

export const HIDE_CURSOR = "\u001b[?25l";
export const SHOW_CURSOR = "\u001b[?25h";
const CLEAR_BELOW = "\u001b[J";
const up = (lines: number) => `\u001b[${lines}A\r`;

/** Flows with at most this many nodes get one line per node. */
export const NODE_LINES_LIMIT = 12;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const GLYPHS: Record<NodeRunState, string> = {
  pending: "○",
  executing: "◐",
  completed: "✔",
  error: "✖",
  skipped: "⊘",
  pinned: "◆",
  cached: "↺",
};
const STYLES: Record<NodeRunState, string> = {
  pending: "2",
  executing: "36",
  completed: "32",
  error: "31",
  skipped: "2",
  pinned: "35",
  cached: "34",
};

export type TtyRendererOptions = RendererOptions & {
  /** The flow's name, shown on the first line. */
  title: string;
  /** ANSI colours (default true; the CLI turns them off for NO_COLOR). */
  color?: boolean;
  /** Redraw period in ms for the spinner and the clock; 0 = only on snapshots (tests). */
  interval?: number;
};

export class TtyRenderer implements ProgressRenderer {
  private readonly sink: TextSink;
  private readonly now: () => number;
  private readonly title: string;
  private readonly color: boolean;
  private readonly interval: number;
  private startedAt = 0;
  private view: ProgressView = { percent: 0, running: [], nodes: [], message: "Starting" };
  private drawnLines = 0;
  private cursorHidden = false;
  private isCancelling = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: TtyRendererOptions) {
    this.sink = options.sink;
    this.now = options.now ?? Date.now;
    this.title = options.title;
    this.color = options.color ?? true;
    this.interval = options.interval ?? 100;
  }

  start(): void {
    this.startedAt = this.now();
    this.sink.write(HIDE_CURSOR);
    this.cursorHidden = true;
    this.draw();
    if (this.interval > 0) {
      this.timer = setInterval(() => this.draw(), this.interval);
      this.timer.unref();
    }
  }

  update(event: NodeProgressEvent): void {
    this.view = toView(event);
    this.draw();
  }

  cancelling(): void {
    this.isCancelling = true;
    this.draw();
  }

  finish(result: ExecutionResult): void {
    this.stopTimer();
    this.draw(result);
    const glyph = result.success ? this.paint("32", "✔") : this.paint("31", "✖");
    this.sink.write(`${glyph} ${outcomeText(result)}\n`);
    this.dispose();
  }

  dispose(): void {
    this.stopTimer();
    if (this.cursorHidden) {
      this.cursorHidden = false;
      this.sink.write(SHOW_CURSOR);
    }
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private paint(style: string, text: string): string {
    return this.color && text !== "" ? `\u001b[${style}m${text}\u001b[0m` : text;
  }

  /** Redraws the block over the previous one. */
  private draw(result?: ExecutionResult): void {
    const lines = this.lines(result);
    const moveUp = this.drawnLines > 0 ? up(this.drawnLines) : "";
    this.sink.write(`${moveUp}${CLEAR_BELOW}${lines.join("\n")}\n`);
    this.drawnLines = lines.length;
  }

  private lines(result: ExecutionResult | undefined): string[] {
    const width = Math.max(20, (this.sink.columns || 80) - 1);
    const elapsed = this.now() - this.startedAt;
    const view = this.view;
    const percent = result?.success ? 100 : view.percent;

    const head = result
      ? result.success
        ? this.paint("32", "✔")
        : this.paint("31", "✖")
      : this.paint("36", SPINNER[Math.floor(elapsed / 80) % SPINNER.length] ?? "-");
    const lines = [`${head} ${this.paint("1", fit(this.title, width - 2))}`];

    const tail = `${String(percent).padStart(4)}%  ${formatElapsed(elapsed)}`;
    const barWidth = Math.max(10, Math.min(30, width - 2 - 1 - tail.length));
    const filled = Math.round((percent / 100) * barWidth);
    const bar = this.paint(result && !result.success ? "31" : "32", "█".repeat(filled)) + this.paint("2", "░".repeat(barWidth - filled));
    lines.push(`  ${bar} ${tail}`);

    const status = result ? "" : this.isCancelling ? "Cancelling…" : activity(view);
    if (status) lines.push(`  ${this.paint(this.isCancelling ? "33" : "36", fit(status, width - 2))}`);
    if (!result && view.stream) lines.push(`  ${this.paint("2", fit(formatStream(view.stream, elapsed), width - 2))}`);

    if (view.nodes.length > 0 && view.nodes.length <= NODE_LINES_LIMIT) {
      for (const node of view.nodes) {
        const indent = "  ".repeat(Math.max(0, Math.min(node.depth - 1, 6)));
        const glyph = this.paint(STYLES[node.state], GLYPHS[node.state]);
        lines.push(`  ${indent}${glyph} ${fit(node.name, width - 4 - indent.length)}`);
      }
    } else if (view.nodes.length > NODE_LINES_LIMIT) {
      lines.push(`  ${fit(countsLine(view), width - 2)}`);
    }
    return lines;
  }
}

/** `12 completed · 3 executing · 25 pending` for large flows. */
function countsLine(view: ProgressView): string {
  const counts = new Map<NodeRunState, number>();
  for (const node of view.nodes) if (!node.group) counts.set(node.state, (counts.get(node.state) ?? 0) + 1);
  const order: NodeRunState[] = ["completed", "cached", "pinned", "executing", "pending", "error", "skipped"];
  return order
    .filter((state) => (counts.get(state) ?? 0) > 0)
    .map((state) => `${counts.get(state)} ${state}`)
    .join(" · ");
}
