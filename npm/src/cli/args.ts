/** Argument parsing with `node:util`'s `parseArgs`, turning its errors into usage errors. */
import { parseArgs } from "node:util";
import { UsageError } from "./exit-codes.js";

/** `multiple`: the option may be given more than once (its value is then a list). */
type OptionSpec = { type: "string" | "boolean"; short?: string; multiple?: boolean };
export type OptionSpecs = Record<string, OptionSpec>;

export type ParsedArgs = {
  /** An option given with `multiple` is a `string[]` here (read it with `listOption`). */
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
};

/** Strict parsing: unknown options and missing option values are usage errors of `command`. */
export function parseCommandArgs(command: string, args: string[], options: OptionSpecs): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // parseArgs' messages say e.g. "Unknown option '--foo'. To specify a positional argument
    // starting with a '-', place it at the end of the command after '--', as in '-- \"--foo\""
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""), command);
  }
}

/** An option declared with `multiple`: every value given, in order. */
export function listOption(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((v): v is string => typeof v === "string") : [];
}

/** Where queue mode's Redis is: every command that can work through the queue takes these. */
export const QUEUE_OPTIONS = {
  redis: { type: "string" },
  queue: { type: "string" },
  prefix: { type: "string" },
} as const satisfies OptionSpecs;

/** The options shared by `run` and `templates run`. */
export const RUN_OPTIONS = {
  input: { type: "string", short: "i" },
  "slow-mo": { type: "string" },
  timeout: { type: "string" },
  concurrency: { type: "string" },
  cwd: { type: "string" },
  storage: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  json: { type: "boolean" },
  trace: { type: "boolean" },
  suspend: { type: "boolean" },
  ...QUEUE_OPTIONS,
  help: { type: "boolean", short: "h" },
} as const satisfies OptionSpecs;

/** An integer option: absent → undefined; otherwise a whole number ≥ `min`, or a usage error. */
export function integerOption(command: string, name: string, raw: string | boolean | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`--${name} must be a whole number ≥ ${min} (got '${String(raw)}')`, command);
  }
  return value;
}

/** Exactly `count` positionals, or a usage error naming what is missing or extra. */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(
      `missing ${names
        .slice(positionals.length)
        .map((n) => `<${n}>`)
        .join(" ")}`,
      command,
    );
  }
  if (positionals.length > names.length) {
    throw new UsageError(`unexpected argument '${positionals[names.length]}'`, command);
  }
  return positionals;
}
