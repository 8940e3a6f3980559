// Finding the native engine and falling back from it, in fresh processes (the loader looks once
// per process): ATOMITON_CONDUCTOR_NATIVE_PATH, binaries that cannot load (not a binary, another
// CPU's, one needing a newer glibc — real files, built here by zig), the one error that explains
// it, engine "auto" falling back to wasm with one warning, and the choice's validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot, tempDir } from "../test-support/helpers.mjs";

const npmDir = join(repoRoot, "npm");
const zigPython = join(repoRoot, "target", "zig-venv", "bin", "python");

/** Runs an ES module script against the package in a fresh Node process; its last stdout line is JSON. */
function inFreshProcess(script, env = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("ATOMITON_CONDUCTOR_")));
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: npmDir,
    env: { ...clean, ...env },
    encoding: "utf8",
  });
  const last = child.stdout.trim().split("\n").pop();
  let value;
  try {
    value = JSON.parse(last);
  } catch {
    assert.fail(`the child printed no JSON (exit ${child.status}):\n${child.stdout}\n${child.stderr}`);
  }
  return { value, stderr: child.stderr, status: child.status };
}

/** What `createConductor(config)` throws, as plain data. */
const thrownBy = (config) => `
  import { createConductor, NativeEngineUnavailableError } from "@atomiton/conductor";
  try {
    createConductor(${JSON.stringify(config)});
    console.log(JSON.stringify({ threw: false }));
  } catch (e) {
    console.log(JSON.stringify({ threw: true, name: e.name, code: e.code, isClass: e instanceof NativeEngineUnavailableError, message: e.message, platform: e.platform, attempts: e.attempts, supported: e.supported }));
  }`;

/** Builds a shared library with zig (installed by scripts/setup.sh) and names it like an addon. */
function zigLibrary(t, target, source) {
  if (!existsSync(zigPython)) assert.fail("zig is missing: run scripts/setup.sh");
  const dir = tempDir(t, "loader-zig");
  writeFileSync(join(dir, "lib.c"), source);
  const out = join(dir, `built-for-${target}.node`);
  execFileSync(zigPython, ["-m", "ziglang", "cc", "-shared", "-fPIC", "-target", target, "-o", out, join(dir, "lib.c")], { stdio: "pipe" });
  return out;
}

const linuxX64 = process.platform === "linux" && process.arch === "x64";

/** This system's glibc version, from a report made without network information (which could block). */
function glibcHere() {
  process.report.excludeNetwork = true;
  return process.report.getReport().header.glibcVersionRuntime;
}

test("engine native with ATOMITON_CONDUCTOR_NATIVE_PATH at a file that is no binary: one error saying what was tried and what to do", async (t) => {
  const bogus = join(tempDir(t, "loader"), "atomiton-conductor.bogus.node");
  writeFileSync(bogus, "this is not a shared library\n".repeat(20));
  const { value } = inFreshProcess(thrownBy({ engine: "native" }), { ATOMITON_CONDUCTOR_NATIVE_PATH: bogus });
  assert.equal(value.threw, true);
  assert.deepEqual([value.name, value.code, value.isClass], ["NativeEngineUnavailableError", "ERR_ATOMITON_NATIVE_UNAVAILABLE", true]);
  assert.equal(value.attempts.length, 1, "an explicit path is the only one tried");
  assert.deepEqual([value.attempts[0].source, value.attempts[0].path], ["ATOMITON_CONDUCTOR_NATIVE_PATH", bogus]);
  assert.match(value.attempts[0].reason, /^cannot be loaded: .*(invalid ELF header|not a mach-o|not a valid Win32)/i);
  assert.ok(value.supported.includes("linux-arm64-musl") && value.supported.includes("win32-arm64-msvc"), value.supported.join());
  const lines = value.message.split("\n");
  assert.match(lines[0], new RegExp(`^@atomiton/conductor: no native engine for ${value.platform}\\b.*Node\\.js v\\d+`));
  assert.ok(lines.includes("Tried:"), value.message);
  assert.ok(
    lines.some((line) => line.includes(bogus) && line.includes("cannot be loaded")),
    value.message,
  );
  assert.match(value.message, /Prebuilt binaries exist for: linux-x64-gnu \(glibc >= 2\.17\), .*win32-arm64-msvc\./);
  assert.match(value.message, /What to do:\n {2}- install on the machine that runs the app, without --omit=optional/);
  assert.match(value.message, /engine: "wasm" }\) or ATOMITON_CONDUCTOR_ENGINE=wasm/);
  assert.doesNotMatch(value.message, /scripts\//, "never points at the repository's scripts");
});

test("a missing override path, and the places tried without one", async (t) => {
  const missing = join(tempDir(t, "loader"), "nothing-here.node");
  const { value } = inFreshProcess(thrownBy({ engine: "native" }), { ATOMITON_CONDUCTOR_NATIVE_PATH: missing });
  assert.deepEqual(value.attempts, [{ source: "ATOMITON_CONDUCTOR_NATIVE_PATH", path: missing, reason: "not present" }]);
  // Without the override, the development build of this checkout loads.
  const loaded = inFreshProcess(`
    import { createConductor } from "@atomiton/conductor";
    const c = createConductor({ engine: "native", storage: { type: "memory" } });
    console.log(JSON.stringify(c.getEnvironment().details));`);
  assert.equal(loaded.value.engine, "native");
});

test("a binary for another CPU is named as such", { skip: !linuxX64 && "builds an arm64 ELF to load on x64" }, async (t) => {
  const arm = zigLibrary(t, "aarch64-linux-gnu.2.17", "int answer(void) { return 42; }\n");
  const { value } = inFreshProcess(thrownBy({ engine: "native" }), { ATOMITON_CONDUCTOR_NATIVE_PATH: arm });
  assert.match(value.attempts[0].reason, /^is built for arm64, and this is x64 \(/);
});

test("a binary needing a newer glibc names the version it needs and the one there is", {
  skip: !linuxX64 && "needs glibc on x64",
}, async (t) => {
  // strlcpy arrived in glibc 2.38; asking zig for that version makes the library need it.
  const source = "#include <string.h>\nunsigned long copy(char *d, const char *s, unsigned long n) { return strlcpy(d, s, n); }\n";
  const lib = zigLibrary(t, "x86_64-linux-gnu.2.38", source);
  const glibc = glibcHere();
  const { value } = inFreshProcess(thrownBy({ engine: "native" }), { ATOMITON_CONDUCTOR_NATIVE_PATH: lib });
  if (Number(glibc.split(".")[1]) >= 38) {
    assert.match(
      value.attempts[0].reason,
      /not this package's addon/,
      "this glibc has strlcpy: the library loads, and is refused as not ours",
    );
  } else {
    assert.match(
      value.attempts[0].reason,
      new RegExp(`^needs glibc 2\\.38 or newer, this system has glibc ${glibc.replace(/\./g, "\\.")} \\(`),
    );
  }
  assert.match(
    value.message.split("\n")[0],
    new RegExp(`\\(glibc ${glibc.replace(/\./g, "\\.")}\\)`),
    "the first line says which glibc is here",
  );
});

test('engine "auto" without a usable binary runs on wasm, warns once per process and says so in getEnvironment()', async (t) => {
  const bogus = join(tempDir(t, "loader"), "atomiton-conductor.bogus.node");
  writeFileSync(bogus, "not a binary");
  const { value, stderr } = inFreshProcess(
    `
    import { createConductor, getAllNodeDefinitions } from "@atomiton/conductor";
    const first = createConductor({ storage: { type: "memory" } });
    const second = createConductor({ engine: "auto", storage: { type: "memory" } });
    const run = await second.node.run({ id: "fs", type: "file-system", parameters: { operation: "exists", path: "/" } });
    const details = first.getEnvironment().details;
    console.log(JSON.stringify({ details, run: run.data, types: getAllNodeDefinitions().length, health: (await first.system.health()).message }));`,
    { ATOMITON_CONDUCTOR_NATIVE_PATH: bogus },
  );
  assert.equal(value.details.engine, "wasm");
  assert.match(value.details.engineFallback, /no native engine for .*\n.*Tried:/s);
  assert.deepEqual(value.run, { result: true, exists: true, success: true, path: "/" }, "a file-system node runs on the fallback");
  assert.equal(value.types, 23, "the catalog answers from the wasm engine");
  assert.equal(value.health, "Local conductor operational");
  const warnings = stderr.match(/\[ATOMITON_WASM_FALLBACK\]/g) ?? [];
  assert.equal(warnings.length, 1, stderr);
  assert.match(
    stderr,
    /AtomitonConductorWarning: @atomiton\/conductor: no native binary fits [a-z0-9-]+; flows run on the WebAssembly engine instead/,
  );
});

test('engine "wasm" (config or ATOMITON_CONDUCTOR_ENGINE) runs on wasm without a warning; a bad choice is VALIDATION_FAILED', async () => {
  const chosen = inFreshProcess(
    `
    import { createConductor } from "@atomiton/conductor";
    const c = createConductor({ storage: { type: "memory" } });
    const r = await c.node.run({ id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2] } });
    console.log(JSON.stringify({ engine: c.getEnvironment().details.engine, data: r.data.result }));`,
    { ATOMITON_CONDUCTOR_ENGINE: "wasm" },
  );
  assert.deepEqual(chosen.value, { engine: "wasm", data: [2, 4] });
  assert.doesNotMatch(chosen.stderr, /ATOMITON_WASM_FALLBACK/);
  const badEnv = inFreshProcess(thrownBy({}), { ATOMITON_CONDUCTOR_ENGINE: "turbo" });
  assert.deepEqual(
    [badEnv.value.code, badEnv.value.message],
    ["VALIDATION_FAILED", 'ATOMITON_CONDUCTOR_ENGINE must be "auto", "native" or "wasm", not "turbo"'],
  );
  const badConfig = inFreshProcess(thrownBy({ engine: "gpu" }));
  assert.deepEqual(
    [badConfig.value.code, badConfig.value.message],
    ["VALIDATION_FAILED", `Invalid conductor config: 'engine' must be one of "auto", "native", "wasm", not "gpu"`],
  );
});

test("libc detection asks Node's report to leave the network out, and puts the setting back", {
  skip: process.platform !== "linux" && "Linux only",
}, async (t) => {
  const bogus = join(tempDir(t, "loader"), "x.node");
  writeFileSync(bogus, "not a binary");
  const { value } = inFreshProcess(
    `
    const seen = [];
    const getReport = process.report.getReport.bind(process.report);
    process.report.getReport = (...args) => { seen.push(process.report.excludeNetwork); return getReport(...args); };
    const { createConductor } = await import("@atomiton/conductor");
    let platform;
    try { createConductor({ engine: "native" }); } catch (e) { platform = e.platform; }
    console.log(JSON.stringify({ seen, after: process.report.excludeNetwork, platform }));`,
    { ATOMITON_CONDUCTOR_NATIVE_PATH: bogus },
  );
  assert.deepEqual(value.seen, [true], "one report, made without network information");
  assert.equal(value.after, false);
  assert.equal(value.platform, `linux-${process.arch}-${glibcHere() ? "gnu" : "musl"}`);
});
