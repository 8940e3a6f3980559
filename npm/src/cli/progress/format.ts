/** Small text helpers shared by the progress displays. */
import type { ExecutionResult } from "../../desktop.js";
import type { StreamProgress } from "./view.js";

/** `12 ms`, `1.25 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)} s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.floor((value % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
}

/** Elapsed time as the displays show it: `0.3s`, `12.4s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 60_000) return `${(value / 1000).toFixed(1)}s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.floor((value % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

/** `[  45%]` */
export function formatPercent(percent: number): string {
  return `[${String(percent).padStart(4)}%]`;
}

/** The final line's text, without its glyph: `completed in 12 ms` or `CODE: message`. */
export function outcomeText(result: ExecutionResult): string {
  if (result.success) return `completed in ${formatDuration(result.duration ?? 0)}`;
  const error = result.error;
  if (!error) return "UNKNOWN_ERROR: the run failed without an error";
  // A run that failed validation reports its first issue; the others are in error.context.issues.
  const issues = (error.context as { issues?: unknown } | undefined)?.issues;
  const more = Array.isArray(issues) && issues.length > 1 ? issues.length - 1 : 0;
  const suffix = more > 0 ? ` (and ${more} more ${more === 1 ? "issue" : "issues"}: see error.context.issues)` : "";
  return `${error.code}: ${error.message}${suffix}`;
}

/** `text` cut to `width` visible characters (with an ellipsis when cut). */
export function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (width <= 0) return "";
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

/** `1.2 MB`, `41 MB`, `1.6 GB`. */
function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.round(bytes / 1e3)} kB`;
  if (bytes < 1e9) return bytes < 1e7 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e6)} MB`;
  return `${(bytes / 1e9).toFixed(1)} GB`;
}

/**
 * A stream's progress in one phrase: `412,000 rows · 17 MB of 41 MB · 206,000 rows/s · ETA 3.0s`
 * (the rate over `elapsedMs`; the ETA from the share of the file read so far).
 */
export function formatStream(stream: StreamProgress, elapsedMs: number): string {
  const parts = [`${stream.rows.toLocaleString("en")} rows`];
  const { bytes, totalBytes } = stream;
  if (typeof bytes === "number")
    parts.push(typeof totalBytes === "number" ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes));
  if (elapsedMs >= 100) parts.push(`${Math.round((stream.rows * 1000) / elapsedMs).toLocaleString("en")} rows/s`);
  if (elapsedMs >= 100 && typeof bytes === "number" && bytes > 0 && typeof totalBytes === "number" && totalBytes >= bytes) {
    parts.push(`ETA ${formatElapsed((elapsedMs * (totalBytes - bytes)) / bytes)}`);
  }
  return parts.join(" · ");
}
