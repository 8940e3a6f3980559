// Pack and install, as a user gets the package: the main tarball and this machine's platform
// tarball, staged and packed as for publishing (scripts/lib/packages.mjs, `npm pack`), installed
// with `npm install --offline` and an empty cache into a clean project outside the repository,
// run with no Rust and no repository path in the environment: ESM import, CommonJS require,
// `npx atomiton`, the /browser entry with its wasm. Then without the platform package: "auto"
// runs the same on wasm with the warning, "native" fails with the documented error.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { repoRoot } from "../test-support/helpers.mjs";
import { stageMain, stagePlatform } from "../../scripts/lib/packages.mjs";

const work = mkdtempSync(join(tmpdir(), "atomiton-install-"));
const project = join(work, "project");
const npmBin = dirname(execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
/** Only what a user's machine has: Node and npm, system tools; no cargo, no repository, a home of its own. */
const env = {
  PATH: [...new Set([dirname(process.execPath), npmBin, "/usr/bin", "/bin"])].join(":"),
  HOME: join(work, "home"),
  npm_config_cache: join(work, "npm-cache"),
  npm_config_update_notifier: "false",
  npm_config_audit: "false",
  npm_config_fund: "false",
};

let triple;
let tarballs;

function run(command, args, extra = {}) {
  const child = spawnSync(command, args, { cwd: project, env: { ...env, ...extra }, encoding: "utf8" });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** `npm pack` of a staged package directory; the tarball's path. */
function pack(dir) {
  const name = execFileSync("npm", ["pack", "--silent", "--pack-destination", work], {
    cwd: dir,
    env: { ...process.env, npm_config_update_notifier: "false" },
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .pop();
  return join(work, name);
}

/** Flows every consumer runs: a file written and read back (the file-system node), and a transform. */
function flows() {
  return [
    {
      id: "files",
      type: "group",
      nodes: [
        { id: "write", type: "file-system", parameters: { operation: "write", path: "out/note.txt", content: "written by a flow" } },
        { id: "read", type: "file-system", parameters: { operation: "read", path: "out/note.txt" } },
      ],
      edges: [{ id: "e", source: "write", target: "read" }],
    },
    { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } },
  ];
}

const report = `
  process.report.excludeNetwork = true;
  const loaded = process.report.getReport().sharedObjects.filter((file) => file.endsWith(".node"));
  const results = [];
  for (const flow of flows) {
    const r = await c.node.run(flow);
    results.push({ success: r.success, data: r.data?.content ?? r.data?.result, error: r.error?.message });
  }
  console.log(JSON.stringify({ resolved, details: c.getEnvironment().details, loaded, results }));`;

const consumers = {
  "esm.mjs": `
    import { readFileSync } from "node:fs";
    import { createConductor } from "@atomiton/conductor";
    const flows = JSON.parse(readFileSync("flows.json", "utf8"));
    const resolved = import.meta.resolve("@atomiton/conductor");
    const c = createConductor({ storage: { type: "memory" }, workingDirectory: process.cwd() });
    ${report}`,
  "cjs.cjs": `
    const { readFileSync } = require("node:fs");
    const { createConductor } = require("@atomiton/conductor");
    const flows = JSON.parse(readFileSync("flows.json", "utf8"));
    const resolved = require.resolve("@atomiton/conductor");
    const c = createConductor({ storage: { type: "memory" }, workingDirectory: process.cwd() });
    (async () => { ${report} })();`,
  "browser.mjs": `
    import { conductor } from "@atomiton/conductor/browser";
    await conductor.ready;
    const r = await conductor.node.run({ id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1", data: [1, 2] } });
    console.log(JSON.stringify({ resolved: import.meta.resolve("@atomiton/conductor/browser"), type: conductor.getEnvironment().type, data: r.data?.result, error: r.error?.message }));`,
  "native-only.mjs": `
    import { createConductor } from "@atomiton/conductor";
    try {
      createConductor({ engine: "native" });
      console.log(JSON.stringify({ threw: false }));
    } catch (e) {
      console.log(JSON.stringify({ threw: true, name: e.name, code: e.code, message: e.message, attempts: e.attempts }));
    }`,
};

const expected = [
  { success: true, data: "written by a flow" },
  { success: true, data: [2, 4, 6] },
];

/** Runs a consumer; CommonJS without require(esm), as in Electron releases before Node 20.19. */
function node(file, extra) {
  const flags = file.endsWith(".cjs") ? ["--no-experimental-require-module"] : [];
  const out = run(process.execPath, [...flags, file], extra);
  assert.equal(out.status, 0, `${file}: ${out.stderr}`);
  return { value: JSON.parse(out.stdout.trim().split("\n").pop()), stderr: out.stderr };
}

const fallbackWarnings = (stderr) => (stderr.match(/\[ATOMITON_WASM_FALLBACK\]/g) ?? []).length;

before(async () => {
  triple = execFileSync(join(repoRoot, "scripts", "build-platform.sh"), ["--host"], { encoding: "utf8" }).trim();
  const binary = join(repoRoot, "npm", "native", `atomiton-conductor.${triple}.node`);
  assert.ok(existsSync(binary), `the native build for ${triple} (scripts/build-npm.sh)`);
  mkdirSync(env.HOME, { recursive: true });
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  writeFileSync(join(project, "flows.json"), JSON.stringify(flows()));
  for (const [file, source] of Object.entries(consumers)) writeFileSync(join(project, file), source);
  const main = pack(await stageMain(join(work, "stage", "conductor")));
  const platform = pack(await stagePlatform(join(work, "stage", `conductor-${triple}`), triple, binary));
  tarballs = { main, platform };
});

after(() => rmSync(work, { recursive: true, force: true }));

test("the tarballs hold what they should: both wasm engines and a README; the platform package its binary and manifest", () => {
  const list = (tarball) => execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  const main = list(tarballs.main);
  for (const file of [
    "package/README.md",
    "package/dist/engines/wasm/atomiton_conductor_wasm_bg.wasm",
    "package/dist/engines/wasm-node/atomiton_conductor_wasm_bg.wasm",
    "package/dist/engines/wasm-node/atomiton_conductor_wasm.cjs",
  ]) {
    assert.ok(main.includes(file), file);
  }
  assert.deepEqual(
    main.filter((file) => file.endsWith(".node")),
    [],
    "no native binary in the main package",
  );
  const manifest = JSON.parse(execFileSync("tar", ["-xOzf", tarballs.main, "package/package.json"], { encoding: "utf8" }));
  assert.equal(Object.keys(manifest.optionalDependencies).length, 8);
  // Of OpenTelemetry, only the API, and only as an optional peer (the CLI loads the SDK's packages when asked).
  assert.deepEqual(Object.keys(manifest.peerDependencies).sort(), ["@opentelemetry/api", "bullmq"]);
  assert.deepEqual(Object.keys(manifest.peerDependenciesMeta).sort(), ["@opentelemetry/api", "bullmq"]);
  assert.ok(Object.values(manifest.peerDependenciesMeta).every((meta) => meta.optional === true));
  assert.equal(Object.keys(manifest.dependencies ?? {}).filter((name) => name.startsWith("@opentelemetry/")).length, 0);
  assert.ok(Object.values(manifest.optionalDependencies).every((version) => version === manifest.version));
  const platform = JSON.parse(execFileSync("tar", ["-xOzf", tarballs.platform, "package/package.json"], { encoding: "utf8" }));
  assert.equal(platform.name, `@atomiton/conductor-${triple}`);
  assert.equal(platform.version, manifest.version);
  assert.deepEqual(list(tarballs.platform).sort(), [
    "package/README.md",
    `package/atomiton-conductor.${triple}.node`,
    "package/package.json",
  ]);
});

test("installed offline into a clean project, the package runs flows on its platform package's binary: ESM, CommonJS, npx, /browser", () => {
  const install = run("npm", ["install", "--offline", tarballs.main, tarballs.platform]);
  assert.equal(install.status, 0, install.stderr);
  assert.ok(existsSync(join(project, "node_modules", "@atomiton", `conductor-${triple}`)), "the platform package is installed");
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const { value, stderr } = node(file);
    assert.ok(value.resolved.includes(join(project, "node_modules", "@atomiton", "conductor")), value.resolved);
    assert.equal(value.details.engine, "native", file);
    assert.deepEqual(
      value.loaded,
      [join(project, "node_modules", "@atomiton", `conductor-${triple}`, `atomiton-conductor.${triple}.node`)],
      "the platform package's binary, nothing else",
    );
    assert.deepEqual(value.results, expected, file);
    assert.equal(fallbackWarnings(stderr), 0);
  }
  const version = run("npx", ["--offline", "atomiton", "--version"]);
  assert.match(version.stdout, new RegExp(`^engine\\s+\\S+ \\(native, ${triple}\\)$`, "m"), version.stdout + version.stderr);
  const template = run("npx", ["--offline", "atomiton", "templates", "run", "hello-world", "--quiet"]);
  assert.equal(template.status, 0, template.stderr);
  assert.equal(JSON.parse(template.stdout).success, true);
  // No OpenTelemetry package came with the install; a command asked to export names what to add.
  assert.equal(existsSync(join(project, "node_modules", "@opentelemetry")), false, "no OpenTelemetry package installed");
  const metrics = spawnSync("npx", ["--offline", "atomiton", "serve", "--port", "0", "--metrics-port", "0"], {
    cwd: project,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.equal(metrics.status, 2, metrics.stdout + metrics.stderr);
  const needed = "@opentelemetry/api @opentelemetry/resources @opentelemetry/sdk-metrics @opentelemetry/exporter-prometheus";
  assert.ok(metrics.stderr.includes(`(npm install ${needed})`), metrics.stderr);
  assert.match(metrics.stderr, /--metrics-port needs the packages @opentelemetry\/api, /);
  assert.match(metrics.stderr, /Run 'atomiton serve --help' for usage\./);
  const browser = node("browser.mjs").value;
  assert.ok(browser.resolved.startsWith(`file://${join(project, "node_modules")}`), browser.resolved);
  assert.deepEqual([browser.type, browser.data, browser.error], ["browser", [2, 3], undefined]);
});

test("a platform package of another release is refused by name", () => {
  const manifestFile = join(project, "node_modules", "@atomiton", `conductor-${triple}`, "package.json");
  const original = readFileSync(manifestFile, "utf8");
  writeFileSync(manifestFile, JSON.stringify({ ...JSON.parse(original), version: "0.0.1" }));
  try {
    const { value } = node("native-only.mjs");
    assert.equal(value.code, "ERR_ATOMITON_NATIVE_UNAVAILABLE");
    assert.match(
      value.attempts[1].reason,
      /^version 0\.0\.1, but @atomiton\/conductor is \d+\.\d+\.\d+; both must come from the same release$/,
    );
  } finally {
    writeFileSync(manifestFile, original);
  }
});

test("without the platform package: auto runs the same flows on wasm with one warning; native fails with the documented error", () => {
  rmSync(join(project, "node_modules", "@atomiton", `conductor-${triple}`), { recursive: true });
  rmSync(join(project, "out"), { recursive: true, force: true });
  for (const file of ["esm.mjs", "cjs.cjs"]) {
    const { value, stderr } = node(file);
    assert.equal(value.details.engine, "wasm", file);
    assert.match(value.details.engineFallback, new RegExp(`@atomiton/conductor-${triple} \\(.*\\): not installed`));
    assert.deepEqual(value.loaded, [], "no native binary loaded");
    assert.deepEqual(value.results, expected, `${file}: the same results as on native`);
    assert.equal(fallbackWarnings(stderr), 1, stderr);
  }
  const template = run("npx", ["--offline", "atomiton", "templates", "run", "hello-world", "--quiet"]);
  assert.equal(template.status, 0, template.stderr);
  assert.equal(JSON.parse(template.stdout).success, true);
  assert.equal(fallbackWarnings(template.stderr), 1);
  assert.equal(node("browser.mjs").value.error, undefined);

  const { value } = node("native-only.mjs");
  assert.deepEqual([value.threw, value.name, value.code], [true, "NativeEngineUnavailableError", "ERR_ATOMITON_NATIVE_UNAVAILABLE"]);
  assert.deepEqual(
    value.attempts.map((a) => [a.source, a.reason]),
    [
      ["development build", "not present"],
      [`@atomiton/conductor-${triple}`, "not installed"],
    ],
  );
  assert.match(value.message, new RegExp(`^@atomiton/conductor: no native engine for ${triple}`));
  assert.match(value.message, /What to do:/);
  assert.doesNotMatch(value.message, /scripts\//);
});

test("npm pack refuses a main package without a wasm engine or its README", async () => {
  for (const missing of [
    "dist/engines/wasm-node/atomiton_conductor_wasm_bg.wasm",
    "dist/engines/wasm/atomiton_conductor_wasm_bg.wasm",
    "README.md",
  ]) {
    const dir = await stageMain(join(work, "stage", "broken"));
    rmSync(join(dir, missing));
    const packed = spawnSync("npm", ["pack", "--pack-destination", join(work, "refused")], { cwd: dir, encoding: "utf8" });
    assert.notEqual(packed.status, 0, missing);
    assert.match(packed.stderr, new RegExp(`missing ${missing.replace(/\./g, "\\.")}`));
    assert.equal(existsSync(join(work, "refused")) && readdirSync(join(work, "refused")).length > 0, false, "no tarball written");
  }
});
