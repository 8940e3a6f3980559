// `prepack`: refuses to pack a package that would be broken once installed — without either
// WebAssembly engine (the browser module behind `/browser`, the Node fallback behind "auto"),
// without its README, or without the platform packages in `optionalDependencies` at this
// version (scripts/pack.sh stages the package with them; the repository's package.json leaves
// them out because its lock file cannot hold packages that are not published yet).
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const required = [
  ["dist/index.js", "the ES module entry (npm run build)"],
  ["dist/cjs/index.js", "the CommonJS entry (npm run build)"],
  ["dist/browser.js", "the browser entry (npm run build)"],
  ["dist/engines/wasm/atomiton_conductor_wasm.js", "the browser wasm engine's glue (scripts/build-wasm.sh, then scripts/build-npm.sh)"],
  ["dist/engines/wasm/atomiton_conductor_wasm_bg.wasm", "the browser wasm engine (scripts/build-wasm.sh, then scripts/build-npm.sh)"],
  [
    "dist/engines/wasm-history/atomiton_conductor_wasm.js",
    "the browser wasm engine with history's glue (scripts/build-wasm.sh, then scripts/build-npm.sh)",
  ],
  [
    "dist/engines/wasm-history/atomiton_conductor_wasm_history_bg.wasm",
    "the browser wasm engine with history (scripts/build-wasm.sh, then scripts/build-npm.sh)",
  ],
  [
    "dist/engines/wasm-node/atomiton_conductor_wasm.cjs",
    "the Node fallback wasm engine's glue (scripts/build-wasm.sh, then scripts/build-npm.sh)",
  ],
  [
    "dist/engines/wasm-node/atomiton_conductor_wasm_bg.wasm",
    "the Node fallback wasm engine (scripts/build-wasm.sh, then scripts/build-npm.sh)",
  ],
  ["README.md", "the package's README"],
];
const problems = required.filter(([file]) => !existsSync(file)).map(([file, what]) => `missing ${file}: ${what}`);

const manifest = JSON.parse(readFileSync("package.json", "utf8"));
if (existsSync("dist/engines/native/platforms.js")) {
  const { PLATFORM_TARGETS, platformPackageName } = await import(pathToFileURL("dist/engines/native/platforms.js").href);
  const expected = Object.fromEntries(PLATFORM_TARGETS.map((t) => [platformPackageName(t.triple), manifest.version]));
  if (JSON.stringify(manifest.optionalDependencies ?? {}) !== JSON.stringify(expected)) {
    problems.push(
      `optionalDependencies must list every platform package at ${manifest.version}: pack with scripts/pack.sh, which stages the package with them`,
    );
  }
}
if (problems.length > 0) {
  console.error(`npm pack refused for ${manifest.name}@${manifest.version}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
