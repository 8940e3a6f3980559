// Electron's memory cage, without Electron: the suite's binary-data tests run again in a Node.js
// process where `napi_create_external_buffer` and `napi_create_external_arraybuffer` answer
// `napi_no_external_buffers_allowed`, as they do in Electron ≥ 21 (a preloaded shared object
// makes them so: test-support/electron-rules/refuse-external-buffers.c). Bytes crossing from the
// addon to JavaScript then take the copy path, and every test must still pass.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, tempDir } from "../test-support/helpers.mjs";

const npm = join(repoRoot, "npm");
/** The tests whose values carry bytes across the boundary, both ways, on every engine. */
const BINARY_DATA_TESTS = ["test/values.test.mjs", "test/large-values.test.mjs", "test/file-system-parameters.test.mjs"];

test("the binary-data tests pass where the addon may not hand V8 memory of its own (Electron's rule)", {
  skip: process.platform !== "linux" && "the refusal is preloaded with glibc's LD_PRELOAD",
  timeout: 600_000,
}, (t) => {
  const dir = tempDir(t, "electron-rules");
  const shim = join(dir, "refuse-external-buffers.so");
  execFileSync("cc", [
    "-shared",
    "-fPIC",
    "-O2",
    "-o",
    shim,
    join(npm, "test-support", "electron-rules", "refuse-external-buffers.c"),
    "-ldl",
  ]);
  const log = join(dir, "refused.log");
  // Not as a subtest of this runner (NODE_TEST_CONTEXT would make it one): a run of its own.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ["--test", "--test-reporter=tap", "--test-concurrency=1", ...BINARY_DATA_TESTS], {
    cwd: npm,
    encoding: "utf8",
    env: { ...env, LD_PRELOAD: shim, ATOMITON_REFUSED_LOG: log },
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.signal, null, `killed by ${run.signal}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);
  assert.equal(run.status, 0, `${run.stdout.slice(-8000)}\n${run.stderr.slice(-4000)}`);
  assert.match(run.stdout, /# fail 0/);
  assert.match(run.stdout, /# pass [1-9]/, "the binary-data tests ran");
  // The refusals happened: the copy path is what these tests went through.
  assert.ok(existsSync(log), "no external buffer was ever asked for: the interposition no longer works");
  const refused = readFileSync(log, "utf8").trim().split("\n");
  t.diagnostic(`${refused.length} external buffers refused, each copied instead`);
  assert.ok(refused.every((line) => line === "napi_create_external_buffer" || line === "napi_create_external_arraybuffer"));
});
