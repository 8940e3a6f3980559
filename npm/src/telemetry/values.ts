/** Values on a span, when the app asks for them: redacted as the execution history redacts, and short. */

/** What replaces a value under a redacted key (the history's marker). */
export const REDACTED = "[REDACTED]";
/** Longest value text put on a span. */
const MAX_CHARS = 1024;

/** `value` as JSON for a span attribute: values under `redactKeys` (any depth, any case) replaced, cut to 1 KiB. */
export function valueAttribute(value: unknown, redactKeys: string[]): string {
  const redact = new Set(redactKeys.map((key) => key.toLowerCase()));
  let text: string;
  try {
    text =
      JSON.stringify(value, function (this: unknown, key: string, item: unknown) {
        if (key !== "" && !Array.isArray(this) && redact.has(key.toLowerCase())) return REDACTED;
        if (typeof item === "bigint") return item.toString();
        return item;
      }) ?? "undefined";
  } catch {
    text = "[unserializable]";
  }
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
