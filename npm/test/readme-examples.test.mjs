// The documentation's examples run. Every ```js block tagged `example` (its info string is
// "js example") in README.md and in every docs/*.md runs as its own ES module in a fresh Node
// process, in an empty working directory and HOME, importing the built package as a user would.
// A block's `// → value` comment after a statement `name;` or `const name = ...;` is checked: the
// value printed is the value it has. Every flow a block runs or validates is also written with
// `toYaml` and read back with `parseFlow`: exactly as it was without the YAML format's defaults,
// and readable with them (what `atomiton run` does with a saved file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as atomiton from "@atomiton/conductor";
import { guideDocuments, repoRoot, tempDir } from "../test-support/helpers.mjs";

/** The documents read: the README, then docs/*.md. */
const documents = guideDocuments();

/** `[{line, code}]`: each tagged block and the line of its document it starts on. */
function examples(text) {
  const out = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/^```js example\s*$/.test(lines[i])) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith("```")) end++;
    out.push({ line: start + 1, code: lines.slice(start, end).join("\n") });
    i = end;
  }
  return out;
}

/** The flow docs/usage.md's `node` section defines, for blocks that use `flow` without defining it. */
const FLOW = `{
  id: "double-and-sum", type: "group",
  nodes: [
    { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } },
    { id: "sum", type: "transform", parameters: { operation: "reduce", transformFunction: "(acc, x) => acc + x", reduceInitial: "0" } },
  ],
  edges: [{ id: "e1", source: "double", target: "sum", targetHandle: "data" }],
}`;

const declares = (code, name) =>
  new RegExp(`(?:const|let|var|function|class|import)\\s+(?:\\{[^}]*\\b${name}\\b[^}]*\\}|${name}\\b)`).test(code);
// A name read as such: not a property (`a.name`), but spread (`...name`) counts.
const uses = (code, name) => new RegExp(`(?<![\\w$])(?<![^.]\\.)${name}(?![\\w$])`).test(code);

/**
 * `// → value` after `expr;` becomes a check that `expr` equals `value` (compared as JSON, or as
 * a string when the value is quoted text).
 */
function withChecks(code) {
  return code
    .split("\n")
    .map((line) => {
      const match = /^(\s*)(?:const\s+(\w+)\s*=\s*)?([^;]+);\s*\/\/ → (.+)$/.exec(line);
      if (!match) return line;
      const [, indent, name, expression, expected] = match;
      const value = name ? `${indent}const ${name} = ${expression};` : "";
      const subject = name ?? `(${expression})`;
      return `${value}\n${indent}__check(${subject}, ${JSON.stringify(expected.trim())}, ${JSON.stringify(line.trim())});`;
    })
    .join("\n");
}

/** The module a block runs as. */
function moduleFor(code) {
  // `conductor` is also an export (the default one); a block gets a fresh one of its own.
  const exported = Object.keys(atomiton).filter((name) => name !== "conductor" && uses(code, name) && !declares(code, name));
  const prelude = [
    `import * as __atomiton from "./${ROUND_TRIP}";`,
    `import { isDeepStrictEqual as __equal } from "node:util";`,
    `const { ${exported.join(", ")} } = __atomiton;`,
    `function __check(actual, expected, line) {
      let want;
      try { want = JSON.parse(expected); } catch { want = expected; }
      const got = JSON.parse(JSON.stringify(actual ?? null));
      if (!__equal(got, want)) throw new Error(\`The docs say \${line}\\n  but it is \${JSON.stringify(actual)}\`);
    }`,
  ];
  if (uses(code, "conductor") && !declares(code, "conductor"))
    prelude.push(`const conductor = __atomiton.createConductor({ storage: { type: "memory" } });`);
  if (uses(code, "flow") && !declares(code, "flow")) prelude.push(`const flow = ${FLOW};`);
  const ending = declares(code, "conductor") || uses(code, "conductor") ? "\nawait conductor.shutdown();\n" : "\n";
  // The package's main entry, through the wrapper that round-trips every flow run (below).
  const body = withChecks(code).replaceAll(`from "@atomiton/conductor"`, `from "./${ROUND_TRIP}"`);
  return `${prelude.join("\n")}\n${body}${ending}`;
}

/** The package's main entry with conductors whose runs and validations round-trip the flow first. */
const ROUND_TRIP = "round-trip-conductor.mjs";
const ROUND_TRIP_MODULE = `export * from "@atomiton/conductor";
import * as atomiton from "@atomiton/conductor";
import { isDeepStrictEqual as equal } from "node:util";

/** A flow written with toYaml reads back with parseFlow: as it was, and with the format's defaults. */
function roundTrip(flow) {
  if (flow === null || typeof flow !== "object" || typeof flow.id !== "string" || flow.id === "") return;
  const plain = JSON.parse(JSON.stringify(flow));
  if (!equal(plain, flow)) return; // values JSON has no text for: not a flow file's
  const text = atomiton.toYaml(flow);
  const exact = atomiton.parseFlow(text, { defaults: false });
  if (!equal(JSON.parse(JSON.stringify(exact)), plain)) throw new Error(\`toYaml/parseFlow changed flow \${flow.id}:\\n\${text}\`);
  atomiton.parseFlow(text);
}

export function createConductor(...args) {
  const made = atomiton.createConductor(...args);
  for (const [space, method] of [["node", "run"], ["node", "validate"], ["flow", "run"]]) {
    const original = made[space]?.[method];
    if (typeof original === "function") made[space][method] = (flow, ...rest) => (roundTrip(flow), original.call(made[space], flow, ...rest));
  }
  return made;
}
`;

/** `[{file, line, code}]`: every tagged block of every document. */
const blocks = documents.flatMap((file) => examples(readFileSync(join(repoRoot, file), "utf8")).map((block) => ({ file, ...block })));

test("the README and docs/ have runnable examples", () => {
  assert.ok(blocks.length >= 8, `only ${blocks.length} blocks are tagged \`js example\``);
});

// Modules go inside the package, so `@atomiton/conductor` resolves to it as it does for a user.
const scratch = join(repoRoot, "npm", ".scratch", `readme-${process.pid}`);
mkdirSync(scratch, { recursive: true });
writeFileSync(join(scratch, ROUND_TRIP), ROUND_TRIP_MODULE);
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

for (const { file: document, line, code } of blocks) {
  test(`${document}:${line} runs`, (t) => {
    const dir = tempDir(t, "readme-example");
    const file = join(scratch, `${document.replaceAll("/", "-")}-line-${line}.mjs`);
    writeFileSync(file, moduleFor(code));
    const run = spawnSync(process.execPath, [file], {
      cwd: dir,
      env: { ...process.env, HOME: dir, ATOMITON_CONDUCTOR_ENGINE: "native" },
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `${document}:${line} failed:\n${run.stderr}\n--- module ---\n${moduleFor(code)}`);
  });
}
