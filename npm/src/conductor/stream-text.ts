/**
 * A stream of rows in words, for progress displays: the CLI's, the demo's, and an app's (the Node
 * entry exports it as `formatStreamProgress`).
 */

/** Rows a streamed source gave, and the bytes it read of how many (when known). */
export type StreamProgress = { rows: number; bytes?: number; totalBytes?: number };

/** Elapsed time as the displays show it: `0.3s`, `12.4s`, `2m05s`. */
export function formatElapsed(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 60_000) return `${(value / 1000).toFixed(1)}s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.floor((value % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

/**
 * `1,234,567`: a whole number with its thousands grouped, as `toLocaleString("en")` words it.
 * Not that call: its first use in a process loads the ICU number formats, time on the JS thread
 * that a run's first progress event would otherwise stall the host for (docs/PERFORMANCE.md,
 * "The event loop while heavy flows run").
 */
export function groupThousands(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
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
  const parts = [`${groupThousands(stream.rows)} rows`];
  const { bytes, totalBytes } = stream;
  if (typeof bytes === "number")
    parts.push(typeof totalBytes === "number" ? `${formatBytes(bytes)} of ${formatBytes(totalBytes)}` : formatBytes(bytes));
  if (elapsedMs >= 100) parts.push(`${groupThousands((stream.rows * 1000) / elapsedMs)} rows/s`);
  if (elapsedMs >= 100 && typeof bytes === "number" && bytes > 0 && typeof totalBytes === "number" && totalBytes >= bytes) {
    parts.push(`ETA ${formatElapsed((elapsedMs * (totalBytes - bytes)) / bytes)}`);
  }
  return parts.join(" · ");
}
