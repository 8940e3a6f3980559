/**
 * Options checked against their declaration before anything else reads them: a key the entry
 * does not know, a value of the wrong type, out of range or not among the allowed ones is a
 * `VALIDATION_FAILED` error naming its path, what is allowed and the name it probably meant.
 * Nothing falls back to a default in place of what the caller wrote.
 */
import { createExecutionError, ErrorCode, type ExecutionError } from "../types/errors.js";
import { ENTRY } from "../types/options.generated.js";
import type { OptionKind, OptionShape } from "../types/option-declaration.js";
import { nearest } from "./suggest.js";

/** An entry point of the package, as the declarations name it. */
export type OptionsEntry = keyof typeof ENTRY;

/** One problem with a set of options. */
export type OptionIssue = {
  /** Where: `concurrency`, `storage.directory`, `history.redactKeys[2]`. */
  path: string;
  message: string;
  /** What the key or value may be instead, when that is a short list. */
  allowed?: string[];
  /** The known name or value nearest what was written. */
  suggestion?: string;
};

const ENTRY_NAMES: Readonly<Record<OptionsEntry, string>> = {
  node: "createConductor in Node",
  browser: "the browser entry",
  remote: "a remote conductor (createRemoteConductor)",
  queue: "a queue conductor (createQueueConductor)",
  main: "setupMainProcessHandler",
};

/**
 * Every problem with `value` as options of `shape` for `entry`, in the order met. A key unknown
 * here but declared by another entry's shape (`others`) is said to belong there.
 */
export function optionIssues(value: unknown, shape: OptionShape, entry: OptionsEntry, others: readonly OptionShape[] = []): OptionIssue[] {
  const issues: OptionIssue[] = [];
  if (value === undefined || value === null) return issues;
  try {
    checkObject(value, shape, "", ENTRY[entry], entry, issues, others);
  } catch (thrown) {
    // A getter or a proxy that throws: what it holds cannot be known, so it is refused.
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    issues.push({ path: "", message: `the options could not be read (${reason.slice(0, 200)})` });
  }
  return issues;
}

/** The error for `issues` (the first one's message; every issue in `context.issues`). */
export function optionsError(issues: readonly OptionIssue[], what: string): ExecutionError {
  const first = issues[0] ?? { path: "", message: "invalid" };
  return createExecutionError(ErrorCode.VALIDATION_FAILED, `Invalid ${what}: ${first.message}`, {
    context: { ...first, issues },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function hasMethods(value: object): boolean {
  for (let o: object | null = value; o && o !== Object.prototype; o = Object.getPrototypeOf(o))
    for (const key of Object.getOwnPropertyNames(o))
      if (key !== "constructor" && typeof (value as Record<string, unknown>)[key] === "function") return true;
  return false;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function checkObject(
  value: unknown,
  shape: OptionShape,
  path: string,
  entry: number,
  entryName: OptionsEntry,
  issues: OptionIssue[],
  others: readonly OptionShape[] = [],
): void {
  if (!isPlainObject(value) && !(typeof value === "object" && value !== null && !Array.isArray(value))) {
    issues.push({ path, message: `'${path}' must be an object, not ${received(value)}` });
    return;
  }
  const given = value as Record<string, unknown>;
  const accepted = Object.entries(shape.fields)
    .filter(([, field]) => accepts(field.entries, entry))
    .map(([name]) => name);
  for (const key of Object.keys(given)) {
    const item = given[key];
    if (item === undefined) continue;
    const at = join(path, key);
    const field = Object.hasOwn(shape.fields, key) ? shape.fields[key] : undefined;
    const elsewhere = field ? undefined : others.find((other) => Object.hasOwn(other.fields, key))?.fields[key];
    if (elsewhere) {
      const why = elsewhere.elsewhere ? `: ${elsewhere.elsewhere}` : "";
      issues.push({ path: at, message: `'${at}' is not available in ${ENTRY_NAMES[entryName]}${why}` });
      continue;
    }
    if (!field) {
      const suggestion = nearest(key, accepted);
      const hint = suggestion
        ? ` (did you mean '${join(path, suggestion)}'?)`
        : accepted.length <= 12
          ? `; known options: ${accepted.join(", ")}`
          : "";
      issues.push({ path: at, message: `unknown option '${at}'${hint}`, allowed: accepted, suggestion });
      continue;
    }
    if (!accepts(field.entries, entry)) {
      const why = field.elsewhere ? `: ${field.elsewhere}` : "";
      issues.push({ path: at, message: `'${at}' is not available in ${ENTRY_NAMES[entryName]}${why}` });
      continue;
    }
    if (item === null) continue;
    checkValue(item, field.kind, at, entry, entryName, issues);
  }
  for (const [name, field] of Object.entries(shape.fields)) {
    if (field.required && accepts(field.entries, entry) && (given[name] === undefined || given[name] === null)) {
      const at = join(path, name);
      issues.push({ path: at, message: `'${at}' is required (${describe(field.kind, entry)})` });
    }
  }
}

const accepts = (entries: number | undefined, entry: number) => entries === undefined || (entries & entry) !== 0;

function checkValue(value: unknown, kind: OptionKind, path: string, entry: number, entryName: OptionsEntry, issues: OptionIssue[]): void {
  const wrong = (extra: Partial<OptionIssue> = {}, hint = ""): void => {
    issues.push({ path, message: `'${path}' must be ${describe(kind, entry)}, not ${received(value)}${hint}`, ...extra });
  };
  switch (kind.k) {
    case "boolean":
      if (typeof value !== "boolean") wrong();
      return;
    case "number":
      if (!numberFits(value, kind)) wrong();
      return;
    case "text":
      if (typeof value !== "string" || (kind.nonEmpty && value.length === 0)) wrong();
      return;
    case "oneOf": {
      const here = kind.of.filter((choice) => accepts(choice.entries, entry)).map((choice) => choice.value);
      if (typeof value === "string" && here.includes(value)) return;
      if (typeof value === "string" && kind.of.some((choice) => choice.value === value)) {
        issues.push({
          path,
          message: `'${path}' cannot be "${value}" in ${ENTRY_NAMES[entryName]} (allowed: ${quoted(here)})`,
          allowed: here,
        });
        return;
      }
      const suggestion = typeof value === "string" ? nearest(value, here) : undefined;
      wrong({ allowed: here, suggestion }, suggestion ? ` (did you mean "${suggestion}"?)` : "");
      return;
    }
    case "list":
      if (!Array.isArray(value)) wrong();
      else for (const [i, item] of value.entries()) checkValue(item, kind.of, `${path}[${i}]`, entry, entryName, issues);
      return;
    case "record":
      if (!isPlainObject(value)) wrong();
      else
        for (const [key, item] of Object.entries(value))
          if (item !== undefined) checkValue(item, kind.of, join(path, key), entry, entryName, issues);
      return;
    case "object":
      if (!isPlainObject(value)) wrong();
      else checkObject(value, kind.shape(), path, entry, entryName, issues);
      return;
    case "either": {
      const fitting = alternativeFor(value, kind.of);
      if (fitting) checkValue(value, fitting, path, entry, entryName, issues);
      else wrong();
      return;
    }
    case "js":
      if (!jsFits(value, kind.check)) wrong();
      return;
    case "any":
      return;
  }
}

/** Whether `value` is a finite number within the kind's bounds. */
function numberFits(value: unknown, kind: Extract<OptionKind, { k: "number" }>): boolean {
  if (typeof value !== "number" || !Number.isFinite(value)) return false;
  if (kind.integer && !Number.isInteger(value)) return false;
  if (kind.min !== undefined && (kind.minExclusive ? value <= kind.min : value < kind.min)) return false;
  return kind.max === undefined || value <= kind.max;
}

/** The alternative of an `either` the value's type selects: objects with methods go to JS values first. */
function alternativeFor(value: unknown, kinds: readonly OptionKind[]): OptionKind | undefined {
  const family = (kind: OptionKind): boolean => {
    switch (kind.k) {
      case "boolean":
        return typeof value === "boolean";
      case "number":
        return typeof value === "number";
      case "text":
      case "oneOf":
        return typeof value === "string";
      case "list":
        return Array.isArray(value);
      case "record":
      case "object":
        return isPlainObject(value);
      case "js":
        return jsFits(value, kind.check);
      case "any":
        return true;
      case "either":
        return alternativeFor(value, kind.of) !== undefined;
    }
  };
  const methodful = typeof value === "object" && value !== null && hasMethods(value);
  const ordered = methodful ? [...kinds.filter((k) => k.k === "js"), ...kinds.filter((k) => k.k !== "js")] : kinds;
  return ordered.find(family);
}

function jsFits(value: unknown, check: "function" | "any" | readonly string[]): boolean {
  if (check === "any") return true;
  if (check === "function") return typeof value === "function";
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  return check.every((method) => typeof (value as Record<string, unknown>)[method] === "function");
}

const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");

/** What a kind accepts, in words. */
export function describe(kind: OptionKind, entry: number): string {
  switch (kind.k) {
    case "boolean":
      return "true or false";
    case "number": {
      const bounds: string[] = [];
      if (kind.min !== undefined) bounds.push(kind.minExclusive ? `greater than ${kind.min}` : `of at least ${kind.min}`);
      if (kind.max !== undefined) bounds.push(`at most ${kind.max}`);
      const unit = kind.unit ? ` of ${kind.unit}` : "";
      return `${kind.integer ? "a whole number" : "a number"}${unit}${bounds.length ? ` ${bounds.join(" and ")}` : ""}`;
    }
    case "text":
      return kind.nonEmpty ? "a non-empty string" : "a string";
    case "oneOf":
      return `one of ${quoted(kind.of.filter((c) => accepts(c.entries, entry)).map((c) => c.value))}`;
    case "list":
      return kind.of.k === "text" ? "an array of strings" : `an array of items each ${describe(kind.of, entry)}`;
    case "record":
    case "object":
      return "an object";
    case "either":
      return kind.of.map((k) => describe(k, entry)).join(" or ");
    case "js":
      if (kind.check === "function") return "a function";
      if (kind.check === "any") return `a ${kind.ts}`;
      return kind.check.length ? `an object with ${kind.check.map((m) => `${m}()`).join(", ")}` : "an object";
    case "any":
      return "any value";
  }
}

/** A value as a message names it. */
export function received(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string": {
      const text = JSON.stringify(value);
      return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
    }
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "function":
      return "a function";
    case "undefined":
      return "undefined";
    default:
      return "an object";
  }
}
