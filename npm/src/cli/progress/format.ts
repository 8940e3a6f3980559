/** Small text helpers shared by the progress displays. */
import type { ExecutionResult } from "../../desktop.js";
export { formatElapsed, formatStream } from "../../conductor/stream-text.js";

/** `12 ms`, `1.25 s`, `2m 05s`. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < 1000) return `${Math.round(value)} ms`;
  if (value < 60_000) return `${(value / 1000).toFixed(2)} s`;
  const minutes = Math.floor(value / 60_000);
  const seconds = Math.floor((value % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, "0")}s`;
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
  if (error.code === "DECISION_REQUIRED") return decisionText(error);
  // A run that failed validation reports its first issue; the others are in error.context.issues.
  const issues = (error.context as { issues?: unknown } | undefined)?.issues;
  const more = Array.isArray(issues) && issues.length > 1 ? issues.length - 1 : 0;
  const suffix = more > 0 ? ` (and ${more} more ${more === 1 ? "issue" : "issues"}: see error.context.issues)` : "";
  return `${error.code}: ${error.message}${suffix}`;
}

/** A word as the shell reads it back: quoted unless it is plain. */
function shellWord(word: string): string {
  return /^[\w.:@%+,/-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * A resume that waits for the user's decision, in the CLI's own words: the engine's message says
 * what stopped, then the `atomiton runs resume` command lines that decide (not the API's
 * `{rerun: [...]}`).
 */
function decisionText(error: NonNullable<ExecutionResult["error"]>): string {
  const nodes = ((error.context as { nodes?: { nodeId: string }[] } | undefined)?.nodes ?? []).map((n) => shellWord(n.nodeId));
  const what = error.message.split(": resume it with")[0];
  const id = shellWord(error.executionId ?? /^Execution (\S+) /.exec(error.message)?.[1] ?? "<id>");
  const one = nodes.length === 1;
  const rerun = nodes.map((n) => `--rerun ${n}`).join(" ");
  const skip = nodes.map((n) => `--skip ${n}=<json>`).join(" ");
  return (
    `${error.code}: ${what}: \`atomiton runs resume ${id} ${rerun}\` runs ${one ? "it" : "them"} again, ` +
    `\`atomiton runs resume ${id} ${skip}\` takes <json> as ${one ? "its" : "their"} output (the flags mix, one per node)`
  );
}

/** `text` cut to `width` visible characters (with an ellipsis when cut). */
export function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (width <= 0) return "";
  if (chars.length <= width) return text;
  return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}
