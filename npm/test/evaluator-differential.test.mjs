// The expression evaluator against V8: generated programs in the documented JavaScript subset
// run through the `transform` node of the built package and through V8 itself (`new Function`),
// and their results must be the same — exactly: -0, NaN, key order, holes, undefined, and
// failing on both sides. A difference is allowed only when it falls in one of the few classes
// COMPATIBILITY.md documents as deliberate (`DOCUMENTED` below); any other fails the test.
//
// Seeded and reproducible: DIFF_SEED (default below) and DIFF_COUNT (default 20,000) pick the
// programs; a failure prints each program, its input and both results (all of them go to the
// file DIFF_REPORT names, when set).
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { createConductor } from "@atomiton/conductor";
import { programs } from "../test-support/expression-generator.mjs";

const SEED = Number(process.env.DIFF_SEED ?? 20261122);
const COUNT = Number(process.env.DIFF_COUNT ?? 20_000);

/** A lone surrogate (not part of a pair). */
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Whether a value is a string holding U+FFFD. */
const hasReplacement = (v) => typeof v === "string" && v.includes("\ufffd");
/** A lone surrogate as `JSON.stringify` writes it (`"\ud83d"`). */
const ESCAPED_LONE = /\\u[dD][89a-fA-F][0-9a-fA-F]{2}/;

/**
 * The deliberate differences (COMPATIBILITY.md, "Expressions"), each with the test that
 * recognises it. Nothing else may differ.
 */
const DOCUMENTED = {
  /** The evaluator has no lone surrogates: where V8 would make one, it has U+FFFD. */
  "lone surrogates": ({ source, item, expected, actual }) =>
    holds(expected.value, (v) => typeof v === "string" && (LONE.test(v) || ESCAPED_LONE.test(v))) ||
    expected.lone === true ||
    // The engine wrote U+FFFD, which neither the program nor its input holds: where V8 made a lone surrogate.
    (!source.includes("\ufffd") &&
      !holds(item, hasReplacement) &&
      (holds(actual.value, hasReplacement) || hasReplacement(actual.message ?? ""))),
  /** `localeCompare` is a fixed approximation without ICU. */
  "localeCompare without ICU": ({ source }) => source.includes("localeCompare"),
  /** Budgets (steps, memory, output, nesting) end calls V8 would carry on with. */
  "resource budgets": ({ actual }) => actual.kind === "BudgetError",
  /** A function cannot be part of a transform's result. */
  "functions are not results": ({ expected }) => expected.functionResult === true,
  /** Nothing mutates: `sort` and `reverse` return new arrays, so other references keep the old order. */
  "sort and reverse copy": ({ source }) => /\.(sort|reverse)\(/.test(source),
  /**
   * `**`, `Math.pow`, `Math.log` and `Math.log10` use FreeBSD msun's algorithms, which V8's
   * round differently for a few inputs in a hundred (and V8's own change between Node lines):
   * each call may differ in its last bit, which arithmetic after it can magnify (a difference of
   * two logarithms), so the program's result differs in its last few bits — nothing more.
   */
  "pow and log last bits": ({ source, expected, actual }) =>
    /\*\*|Math\.(pow|log|log10)\(/.test(source) &&
    actual.kind === undefined &&
    expected.kind === undefined &&
    nearlyEqual(expected.value, actual.value),
};

/** Whether `a` and `b` have the same shape and their numbers agree to 2^-40 of their size. */
function nearlyEqual(a, b) {
  if (typeof a === "number" && typeof b === "number") {
    if (Object.is(a, b)) return true;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    return Math.abs(a - b) <= Math.max(Math.abs(a), Math.abs(b)) * 2 ** -40;
  }
  if (typeof a === "string" && typeof b === "string") {
    const x = Number(a);
    const y = Number(b);
    return a === b || (a.length > 0 && b.length > 0 && !Number.isNaN(x) && !Number.isNaN(y) && nearlyEqual(x, y));
  }
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => key in b && nearlyEqual(a[key], b[key]));
}

/** What V8 gives for `source` applied to `item`, as `transform` hands it on. */
function v8(source, item) {
  let fn;
  try {
    fn = new Function(`return (${source});`)();
  } catch (error) {
    return { kind: error.name, message: error.message };
  }
  const lone = false;
  try {
    // What reaches the evaluator as text has no lone surrogates; note where V8's does.
    const value = fn(item);
    if (typeof value === "function" || holds(value, (v) => typeof v === "function")) return { kind: "TypeError", functionResult: true };
    return { value, lone };
  } catch (error) {
    return { kind: error.name, message: error.message };
  }
}

/** Whether `test` holds for `value` or anything inside it. */
function holds(value, test, seen = 0) {
  if (test(value)) return true;
  if (seen > 64 || typeof value !== "object" || value === null) return false;
  return Object.values(value).some((inner) => holds(inner, test, seen + 1));
}

/** Equality as a program could tell: Object.is for numbers, key order, holes, undefined. */
function same(a, b) {
  if (typeof a !== typeof b) return false;
  if (typeof a !== "object" || a === null || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      if (i in a !== i in b || !same(a[i], b[i])) return false;
    }
    return true;
  }
  const keys = Object.keys(a);
  const other = Object.keys(b);
  return keys.length === other.length && keys.every((key, i) => key === other[i] && same(a[key], b[key]));
}

/** What the transform node gives: `{value}` or `{kind, message}`. */
async function engine(conductor, source, item) {
  const result = await conductor.node.run(
    { id: "t", type: "transform", parameters: { operation: "map", transformFunction: source } },
    { input: { data: [item] } },
  );
  if (result.success) return { value: result.data.result[0] };
  const message = result.error.message;
  const match =
    /^(?:\[transform\] map failed at item 0: |Invalid transform parameters: transformFunction: Invalid expression: )?(\w+Error): ([^]*)$/.exec(
      message,
    );
  return { kind: match?.[1] ?? result.error.code, message };
}

function show(value) {
  if (value === undefined) return "undefined";
  try {
    return JSON.stringify(value, (_, v) =>
      (typeof v === "number" && !Number.isFinite(v)) || Object.is(v, -0)
        ? `<${Object.is(v, -0) ? "-0" : v}>`
        : v === undefined
          ? "<undefined>"
          : v,
    );
  } catch {
    return String(value);
  }
}

test(`the evaluator agrees with V8 on ${COUNT} generated programs (seed ${SEED})`, async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const tally = { agree: 0, bothFail: 0, documented: {} };
  const undocumented = [];
  for (const { source, item } of programs(SEED, COUNT)) {
    // V8 gets its own copy: `reverse` and `sort` change their array, which the engine must not see.
    const expected = v8(source, structuredClone(item));
    const actual = await engine(conductor, source, item);
    // Failing on both sides agrees when the error is of the same kind (TypeError, SyntaxError...).
    if (expected.kind !== undefined && expected.kind === actual.kind) {
      tally.bothFail++;
      continue;
    }
    if (expected.kind === undefined && actual.kind === undefined && same(expected.value, actual.value)) {
      tally.agree++;
      continue;
    }
    const kind = Object.entries(DOCUMENTED).find(([, recognises]) => recognises({ source, item, expected, actual }))?.[0];
    if (kind) {
      tally.documented[kind] = (tally.documented[kind] ?? 0) + 1;
      continue;
    }
    undocumented.push(
      `${source}\n    input  ${show(item)}\n    V8     ${expected.kind ? `${expected.kind}: ${expected.message}` : show(expected.value)}\n    engine ${actual.kind ? `${actual.kind}: ${actual.message}` : show(actual.value)}`,
    );
  }
  if (process.env.DIFF_REPORT) writeFileSync(process.env.DIFF_REPORT, undocumented.join("\n"));
  console.log(
    `differential (seed ${SEED}): ${COUNT} programs, ${tally.agree} agree, ${tally.bothFail} fail on both sides with the same kind of error, documented: ${JSON.stringify(tally.documented)}, undocumented: ${undocumented.length}`,
  );
  assert.equal(tally.agree + tally.bothFail + Object.values(tally.documented).reduce((a, b) => a + b, 0) + undocumented.length, COUNT);
  // Most programs must run on both sides, or the generator tests nothing.
  assert.ok(tally.agree > COUNT / 2, `only ${tally.agree} programs agreed on a value`);
  assert.deepEqual(undocumented.slice(0, 40), [], `${undocumented.length} undocumented differences`);
});
