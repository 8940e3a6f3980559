// App code written against the TypeScript engine's types compiles against the built package:
// tsc over test-support/type-fixtures (an Electron main building ProgressEvents from the graph
// state, a renderer, the /types shapes, the test factories, StateManager; ES module and
// CommonJS), with the lines that must not compile marked `@ts-expect-error`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../test-support/helpers.mjs";

const run = promisify(execFile);
const pkg = join(repoRoot, "npm");
const fixtures = join(pkg, "test-support", "type-fixtures");
const tsc = join(pkg, "node_modules", "typescript", "bin", "tsc");

/** tsc's output for a project (empty when it compiles). */
async function typeCheck(project) {
  const result = await run(process.execPath, [tsc, "-p", project, "--pretty", "false"], { cwd: pkg }).catch((error) => error);
  return result.code ? `${result.stdout}${result.stderr}` || `tsc exited with ${result.code}` : "";
}

test("app code written against the TypeScript engine's types compiles against the built package", async () => {
  const errors = await typeCheck(join(fixtures, "tsconfig.json"));
  assert.equal(errors, "", `tsc found errors in test-support/type-fixtures:\n${errors}`);
});

test("the check fails on code that does not fit the types, and on an @ts-expect-error that finds no error", async (t) => {
  // A project beside the fixtures (so the package resolves by its own name) with one file.
  const dir = mkdtempSync(join(fixtures, "tmp-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const project = join(dir, "tsconfig.json");
  writeFileSync(project, JSON.stringify({ extends: "../tsconfig.json", include: [], files: ["check.ts"] }));
  writeFileSync(
    join(dir, "check.ts"),
    `import type { ProgressEvent, ProgressNodeSnapshot } from "@atomiton/conductor/desktop";
export const event: ProgressEvent = { nodeId: "a", nodes: [], progress: "half", message: "", graph: { executionOrder: [], criticalPath: [], totalWeight: 0, maxParallelism: 1, edges: [] } };
declare const snapshot: ProgressNodeSnapshot;
// @ts-expect-error (not an error: the id is a string)
export const id: string = snapshot.id;
`,
  );
  const errors = await typeCheck(project);
  assert.match(errors, /check\.ts\(2,\d+\): error TS2322/, "a string where the progress number goes is refused");
  assert.match(errors, /check\.ts\(4,\d+\): error TS2578/, "an @ts-expect-error with nothing to expect is refused");
});
