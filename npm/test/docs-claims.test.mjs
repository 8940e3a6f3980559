// What the docs claim, checked against what the built package does. Each claim here was once
// wrong or said two things at once (COMPATIBILITY.md against itself, docs/usage.md against the
// catalog, an example's value against the engine's); the checks read the claim from the document
// itself, so editing either the docs or the code without the other fails here.
// - the node types the docs name are the ones the catalog lists, as many as they say;
// - a function as an expression's result is the TypeError COMPATIBILITY.md quotes, where it quotes;
// - the replay example in docs/history-and-debugging.md gives the `differences` it shows;
// - COMPATIBILITY.md's rows no longer contradict each other or docs/queue.md;
// - the editor module's documented size is still about right (when it is built);
// - scripts/build-npm.sh lists the modules it lacks as a sentence.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createConductor, getAllNodeDefinitions } from "@atomiton/conductor";
import { repoRoot } from "../test-support/helpers.mjs";

const read = (path) => readFileSync(join(repoRoot, path), "utf8");
const compatibility = read("COMPATIBILITY.md");
const usage = read("docs/usage.md");
const nodesReference = read("docs/nodes.md");
const history = read("docs/history-and-debugging.md");
const queue = read("docs/queue.md");

/** The row of a COMPATIBILITY.md table whose first cell is `area` (exactly one). */
function row(area) {
  const rows = compatibility.split("\n").filter((line) => line.startsWith(`| ${area} |`));
  assert.equal(rows.length, 1, `COMPATIBILITY.md has one "${area}" row`);
  return rows[0];
}

/** The section of `text` from heading `heading` to the next heading of that level or above. */
function section(text, heading) {
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const level = heading.match(/^#+/)[0].length;
  const rest = text.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n#{1,${level}} `));
  return end < 0 ? rest : rest.slice(0, end);
}

const NUMBERS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
  "twenty",
];

/** A count written as a word ("twelve") or in digits. */
function count(word) {
  const n = /^\d+$/.test(word) ? Number(word) : NUMBERS.indexOf(word.toLowerCase());
  assert.ok(n >= 0, `"${word}" is not a number this test reads`);
  return n;
}

/** The node types docs/nodes.md lists in its table of types (`| [`type`](#type) | ...`). */
const referenceTypes = [...nodesReference.matchAll(/^\| \[`([a-z-]+)`\]\(#\1\) \|/gm)].map((m) => m[1]);

/** The run's error for a flow of one `transform` over `[1]` with `transformFunction`. */
async function transformError(t, transformFunction) {
  const conductor = createConductor({ storage: { type: "memory" }, history: false });
  t.after(() => conductor.shutdown());
  const flow = { id: "g", type: "group", nodes: [{ id: "t", type: "transform", parameters: { data: [1], transformFunction } }] };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, false, `${transformFunction} should fail, gave ${JSON.stringify(result.data)}`);
  return result.error;
}

test("docs/nodes.md lists exactly the node types the catalog has", () => {
  const catalog = getAllNodeDefinitions().map((definition) => definition.type);
  assert.ok(referenceTypes.length >= 10, `docs/nodes.md's table of types was not found (${referenceTypes})`);
  assert.deepEqual([...catalog].sort(), [...referenceTypes].sort(), "getAllNodeDefinitions() against docs/nodes.md's table");
  // Every type section of the reference is one the catalog knows.
  const headings = [...nodesReference.matchAll(/^## ([a-z][a-z-]*)$/gm)].map((m) => m[1]);
  assert.deepEqual(
    headings.filter((type) => !catalog.includes(type)),
    [],
    "docs/nodes.md has sections for types the catalog lacks",
  );
});

test("docs/usage.md says how many node types the catalog lists, and names them all", () => {
  const claim = /getAllNodeDefinitions\(\);\s*\/\/ the (\w+) built-ins/.exec(usage);
  assert.ok(claim, "docs/usage.md's catalog example no longer says how many built-ins it gives (update this test)");
  assert.equal(count(claim[1]), getAllNodeDefinitions().length, `docs/usage.md says getAllNodeDefinitions() gives "${claim[1]}" built-ins`);
  assert.equal(count(claim[1]), referenceTypes.length, "docs/usage.md and docs/nodes.md agree on how many built-ins there are");
  // The "Built-in node types" list: the code spans before the link to docs/nodes.md.
  const list = section(usage, "## Built-in node types").split("[docs/nodes.md]")[0];
  const named = [...list.matchAll(/`([a-z][a-z-]*)`/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(named)].sort(), [...referenceTypes].sort(), "docs/usage.md's list of built-in node types");
});

test("a function as a transform's result is the TypeError COMPATIBILITY.md quotes, naming where", async (t) => {
  const whole = await transformError(t, "x => () => 1");
  assert.equal(whole.code, "EXECUTION_FAILED");
  assert.equal(
    whole.message,
    "[transform] map failed at item 0: TypeError: A function cannot be part of a result (at result): only data leaves an expression",
  );

  // Each place a row quotes, for the result an expression there would give.
  const quoted = (area) => {
    const match = /`(A function cannot be part of a result \(at ([^)]*)\))`/.exec(row(area));
    assert.ok(match, `the "${area}" row quotes the error`);
    return { text: match[1], at: match[2] };
  };
  const resultFor = { "result[1]": "x => [1, () => 1]", "result.f": "x => ({ f: () => 1 })", result: "x => () => 1" };
  for (const area of ["Functions", "Results are values"]) {
    const { text, at } = quoted(area);
    assert.ok(at in resultFor, `the "${area}" row quotes a place this test has no expression for: ${at}`);
    const error = await transformError(t, resultFor[at]);
    assert.ok(error.message.includes(`TypeError: ${text}`), `the "${area}" row quotes "${text}"; the engine says "${error.message}"`);
  }
  assert.doesNotMatch(
    row("Functions"),
    /becomes `null`|left out of an object/,
    "the Functions row must not say a function result becomes null",
  );
});

test("the replay example in docs/history-and-debugging.md gives the differences it shows", async (t) => {
  const replay = section(history, "## Replay — did an edit (or an upgrade) change what a run gives?");
  const block = /```js[^\n]*\n([\s\S]*?)```/.exec(replay);
  assert.ok(block, "the Replay section has a js block");
  const code = block[1];
  const shown = /^edited\.differences; \/\/ → (.+)$/m.exec(code);
  assert.ok(shown, "the example shows edited.differences");
  const documented = JSON.parse(shown[1]);

  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const AsyncFunction = (async () => {}).constructor;
  const { report, edited } = await new AsyncFunction("conductor", `${code}\nreturn { report, edited };`)(conductor);
  assert.deepEqual(report.differences, [], "an unchanged replay differs nowhere");
  assert.equal(edited.success, true, edited.error?.message);
  assert.deepEqual(JSON.parse(JSON.stringify(edited.differences)), documented, "the documented differences are the engine's");
  // What was once shown: a transform's `result` alone, where the record has the whole output.
  for (const difference of documented) {
    assert.ok(!Array.isArray(difference.recorded), `recorded for ${difference.nodeId} is the node's whole output, not its result`);
  }
});

test("COMPATIBILITY.md: queue mode's lost runs are resumed, in both rows that say what happens", () => {
  const distributed = row("Distributed execution");
  const durable = row("Durable runs");
  assert.match(durable, /In queue mode every run is durable by default/);
  assert.doesNotMatch(distributed, /A worker that dies leaves its runs `crashed`/, "the old at-most-once claim is back");
  assert.match(distributed, /lostRuns: "resume"`, the default/, "the Distributed execution row says runs are resumed by default");
  assert.match(queue, /\*\*`"resume"` \(the default\)/, "docs/queue.md still makes resuming the default");
});

test("COMPATIBILITY.md: a pool on PostgreSQL keeps its flows and cache there, with TLS, as docs/queue.md says", () => {
  const postgres = row("A pool's history in PostgreSQL");
  assert.doesNotMatch(postgres, /stay in Redis|without TLS/, "the row contradicts docs/queue.md again");
  assert.match(
    queue,
    /^\| the node result cache \(`cache`\) \| [^|]+ \| [^|]*in PostgreSQL \|$/m,
    "docs/queue.md: the cache is in PostgreSQL",
  );
  assert.match(queue, /^\| saved flows \| [^|]+ \| in PostgreSQL \|$/m, "docs/queue.md: saved flows are in PostgreSQL");
  assert.match(queue, /^\| TLS to the store \| [^|]+ \| yes /m, "docs/queue.md: TLS to PostgreSQL");
  assert.match(postgres, /saved flows and result cache in PostgreSQL/);
  assert.match(postgres, /`sslmode`/);
});

test("COMPATIBILITY.md: the editor module's size is dated, and still about right when it is built", () => {
  const execution = row("Execution history");
  assert.doesNotMatch(execution, /398 KB/);
  const figure = /([\d,]+) B \(about ([\d.]+) MB\) gzipped at commit [0-9a-f]{7,40} \(\d{4}-\d{2}-\d{2}\)/.exec(execution);
  assert.ok(figure, "the row gives the editor module's size with the commit and date it was measured at");
  assert.match(execution, /`scripts\/build-wasm\.sh history` prints its current size/);
  const bytes = Number(figure[1].replaceAll(",", ""));
  assert.ok(Math.abs(bytes / 1e6 - Number(figure[2])) < 0.05, `${figure[1]} B is about ${figure[2]} MB`);
  const built = join(repoRoot, "npm", "dist", "engines", "wasm-history", "atomiton_conductor_wasm_history_bg.wasm");
  if (!existsSync(built)) return; // no editor module in this build: nothing to measure
  const gzipped = gzipSync(readFileSync(built), { level: 9 }).length;
  // "About": within 15%. Past that the figure misleads; measure again and update the row.
  assert.ok(
    Math.abs(gzipped - bytes) / bytes < 0.15,
    `the editor module is ${gzipped} B gzipped now; COMPATIBILITY.md says about ${figure[1]} B`,
  );
});

test("scripts/build-npm.sh lists the wasm modules it lacks as a sentence", () => {
  const script = read("scripts/build-npm.sh");
  const report = /^if \[ \$\{#missing\[@\]\} -eq 0 \]; then\n[\s\S]*?\n^fi$/m.exec(script);
  assert.ok(report, "scripts/build-npm.sh's closing report was not found");
  const say = (...missing) => {
    const names = missing.map((name) => `"${name}"`).join(" ");
    const run = spawnSync("bash", ["-c", `set -euo pipefail\nmissing=(${names})\n${report[0]}`], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  assert.equal(say(), "built npm/dist (with the three wasm engines)");
  assert.match(say("module a"), /^built npm\/dist without module a \(/);
  assert.match(say("module a", "module b"), /^built npm\/dist without module a and module b \(/);
  assert.match(say("module a", "module b", "module c"), /^built npm\/dist without module a, module b and module c \(/);
});
