// The CommonJS entry points (".", "/desktop", "/types") work with require() on a Node that
// cannot require ES modules, as in an Electron main process on Node before 20.19; both builds
// have type declarations a TypeScript consumer of either kind compiles against.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../test-support/helpers.mjs";

const run = promisify(execFile);
const pkg = join(repoRoot, "npm");
const consumers = join(pkg, "test-support", "consumers");

test("require() of the package works without require(esm), from dist/cjs", async () => {
  // --no-experimental-require-module: this Node then refuses to require an ES module, as older
  // Electron releases do; the /browser line below proves the flag took effect.
  const { stdout } = await run(process.execPath, ["--no-experimental-require-module", join(consumers, "require-entries.cjs")], {
    cwd: pkg,
  });
  const seen = JSON.parse(stdout);
  assert.equal(seen.browserRequire, "ERR_REQUIRE_ESM", "the ES-module-only /browser entry is refused, so nothing else was loaded as ESM");
  for (const [entry, file] of Object.entries({ root: "index.js", desktop: "desktop.js", types: join("types", "index.js") })) {
    assert.ok(seen.resolved[entry].endsWith(join("dist", "cjs", file)), `${entry}: ${seen.resolved[entry]}`);
  }
  assert.equal(seen.sameCreateConductor, true);
  assert.deepEqual(seen.result, [2, 4, 6], "a flow ran on the native engine loaded from CommonJS");
  assert.equal(seen.template, "Hello World Flow");
  assert.equal(
    seen.errorCodes,
    30,
    "the TypeScript engine's 22 codes, the two of access control, the two of files, WAITING, DECISION_REQUIRED and the credentials' two",
  );
  assert.equal(seen.timeout, "TIMEOUT");
  assert.equal(seen.executionId, true);
});

test("TypeScript consumers type-check against the CommonJS and the ES module declarations", async () => {
  const tsc = join(pkg, "node_modules", "typescript", "bin", "tsc");
  const result = await run(process.execPath, [tsc, "-p", join(consumers, "tsconfig.json"), "--noEmit"], { cwd: pkg }).catch(
    (error) => error,
  );
  assert.equal(result.code ?? 0, 0, `${result.stdout}${result.stderr}`);
  assert.ok(!String(result.stdout).includes(`error TS`), String(result.stdout));
});
