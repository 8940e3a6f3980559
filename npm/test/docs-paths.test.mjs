// The docs cannot drift from the code. README.md and every docs/*.md are read, and:
// - every repository path they name in code (inline `...` spans and fenced blocks) or as a link
//   target must exist: a file or a directory, a directory when it ends with `/`. A `<type>`
//   placeholder needs the part before it to exist; a `*` glob needs a file that matches. Built
//   artifacts (the directories .gitignore anchors, such as npm/dist/ and target/, and
//   node_modules/) are not looked for: a fresh checkout does not have them.
// - every relative markdown link must resolve: the file exists and, for `#anchor`, the target
//   has a heading with that GitHub slug.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix } from "node:path";
import { guideDocuments, repoRoot } from "../test-support/helpers.mjs";

/** The top-level directories whose paths the docs name. */
const TOP = ["core", "bindings-node", "bindings-wasm", "npm", "scripts", "tests", "docs", "fuzz", ".ci", ".github"];

/** The documents read: the README, then docs/*.md. */
const documents = guideDocuments();

/** Built artifacts: the directories .gitignore anchors (`/npm/dist/`), and node_modules/. */
const artifacts = readFileSync(join(repoRoot, ".gitignore"), "utf8")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line.startsWith("/") && line.endsWith("/"))
  .map((line) => line.slice(1));
const isArtifact = (path) => artifacts.some((dir) => path.startsWith(dir)) || path.split("/").includes("node_modules");

/** `[{line, text, code}]`: each line of a document, and whether it is inside a fenced block. */
function linesOf(text) {
  let fenced = false;
  return text.split("\n").map((line, index) => {
    const fence = /^\s*```/.test(line);
    if (fence) fenced = !fenced;
    return { line: index + 1, text: line, code: fenced || fence };
  });
}

/** The inline code spans of a line of prose. */
const spans = (text) => [...text.matchAll(/(`+)(.+?)\1/g)].map((match) => match[2]);

// A path starts at a boundary with one of the top-level directories and runs to whitespace,
// a quote, a bracket or a separator.
const PATH = new RegExp(`(?<![\\w./@$-])((?:${TOP.map((d) => d.replace(".", "\\.")).join("|")})/[^\\s\`'"()\\[\\]{},;|]*)`, "g");

/** The repository paths named in a piece of code, without trailing punctuation or `:line`. */
const pathsIn = (code) => [...code.matchAll(PATH)].map((match) => match[1].replace(/[.:]+$/, "").replace(/:\d+$/, ""));

/** Whether `path` (from the root) exists as it is written. */
function exists(path) {
  const full = join(repoRoot, path);
  if (!existsSync(full)) return false;
  return !path.endsWith("/") || statSync(full).isDirectory();
}

/** Why `path` does not name something in the repository, or `null` when it does. */
function missing(path) {
  if (isArtifact(path)) return null;
  const placeholder = path.indexOf("<");
  if (placeholder >= 0) {
    const before = path.slice(0, placeholder);
    return exists(before) ? null : `${before} (before the placeholder) does not exist`;
  }
  if (path.includes("*")) {
    const segments = path.split("/");
    const at = segments.findIndex((segment) => segment.includes("*"));
    const dir = `${segments.slice(0, at).join("/")}/`;
    if (!exists(dir)) return `${dir} does not exist`;
    const pattern = new RegExp(`^${segments[at].replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`);
    return readdirSync(join(repoRoot, dir)).some((name) => pattern.test(name)) ? null : `nothing in ${dir} matches ${segments[at]}`;
  }
  return exists(path) ? null : path.endsWith("/") ? "no such directory" : "no such file or directory";
}

/**
 * GitHub's anchor for a heading: the rendered text in lower case, without punctuation (letters,
 * digits, `_`, `-` and spaces stay), spaces made `-`; a repeated one gets `-1`, `-2`, ...
 */
function slugs(text) {
  const seen = new Map();
  const out = new Set();
  for (const { text: line, code } of linesOf(text)) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (code || !heading) continue;
    const rendered = heading[1].replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/<[^>]+>/g, "");
    const base = rendered
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
      .replaceAll(" ", "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  return out;
}

const slugCache = new Map();
const slugsOf = (path) => {
  if (!slugCache.has(path)) slugCache.set(path, slugs(readFileSync(join(repoRoot, path), "utf8")));
  return slugCache.get(path);
};

/** The relative link targets of a line of prose (code spans taken out first). */
const linksIn = (text) =>
  [...text.replace(/(`+).+?\1/g, "").matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));

/** Every problem in one document: `file:line: what`. */
function problems(document) {
  const found = [];
  for (const { line, text, code } of linesOf(readFileSync(join(repoRoot, document), "utf8"))) {
    const where = `${document}:${line}`;
    for (const piece of code ? [text] : spans(text)) {
      for (const path of pathsIn(piece)) {
        const why = missing(path);
        if (why) found.push(`${where}: \`${path}\`: ${why}`);
      }
    }
    if (code) continue;
    for (const target of linksIn(text)) {
      const [file, anchor] = target.split("#", 2);
      const path = file === "" ? document : posix.normalize(posix.join(posix.dirname(document), decodeURI(file)));
      if (path.startsWith("../")) {
        found.push(`${where}: link ${target} leaves the repository`);
        continue;
      }
      const why = missing(path);
      if (why) {
        found.push(`${where}: link ${target}: ${why}`);
        continue;
      }
      if (anchor !== undefined && path.endsWith(".md") && !slugsOf(path).has(anchor))
        found.push(`${where}: link ${target}: ${path} has no heading with the anchor #${anchor}`);
    }
  }
  return found;
}

test("the documents exist and name themselves as the checks expect", () => {
  assert.ok(documents.includes("docs/ARCHITECTURE.md"), "docs/ARCHITECTURE.md is read");
  assert.ok(artifacts.includes("npm/dist/") && artifacts.includes("target/"), `artifacts from .gitignore: ${artifacts}`);
  // The checks themselves: a slug as GitHub makes it, a placeholder, a glob.
  assert.deepEqual(
    [...slugs("## `node` — run and watch flows\n## 7. Checklist: adding a run option\n## A\n## A")],
    ["node--run-and-watch-flows", "7-checklist-adding-a-run-option", "a", "a-1"],
  );
  assert.equal(missing("core/src/nodes/builtin/<type>/"), null);
  assert.equal(missing("npm/src/types/*.generated.ts"), null);
  assert.notEqual(missing("core/src/no-such-file.rs"), null);
  assert.notEqual(missing("README.md/"), null, "a trailing / names a directory");
  assert.deepEqual(pathsIn("node npm/bench/bench.mjs --rows 4 (see core/src/run/.)"), ["npm/bench/bench.mjs", "core/src/run/"]);
});

for (const document of documents) {
  test(`${document}: every path it names exists and every link resolves`, () => {
    const found = problems(document);
    assert.deepEqual(found, [], `${document}:\n  ${found.join("\n  ")}`);
  });
}
