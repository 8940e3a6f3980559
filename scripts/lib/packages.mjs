// Stages the npm packages for packing: the main package with its platform packages as
// `optionalDependencies`, and one platform package per binary (napi-rs's layout), all at the
// main package's version, from the table in npm/src/engines/native/platforms.ts.
//
//   node scripts/lib/packages.mjs <out dir> [<triple>=<binary> ...]
//
// Without binaries given, every target/npm-platforms/<triple>/atomiton-conductor.<triple>.node
// (scripts/build-platform.sh) becomes a package. Writes <out dir>/conductor/ and
// <out dir>/conductor-<triple>/; `npm pack` each of them (scripts/pack.sh does).
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const npmDir = join(root, "npm");

async function table() {
  const file = join(npmDir, "dist", "engines", "native", "platforms.js");
  if (!existsSync(file)) throw new Error("build the package first (scripts/build-npm.sh)");
  return import(pathToFileURL(file).href);
}

const manifestOf = () => JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));
const write = (file, value) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

/** The main package in `dir`: its files, and its manifest with every platform package as an optional dependency. */
export async function stageMain(dir) {
  const { PLATFORM_TARGETS, platformPackageName } = await table();
  const manifest = manifestOf();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const entry of ["dist", "README.md", "build"]) {
    if (existsSync(join(npmDir, entry))) cpSync(join(npmDir, entry), join(dir, entry), { recursive: true });
  }
  manifest.optionalDependencies = Object.fromEntries(PLATFORM_TARGETS.map((t) => [platformPackageName(t.triple), manifest.version]));
  write(join(dir, "package.json"), manifest);
  return dir;
}

/** The platform package of `triple` in `dir`, holding `binary`. */
export async function stagePlatform(dir, triple, binary) {
  const { PLATFORM_TARGETS, GLIBC_FLOOR, platformPackageName, binaryFileName } = await table();
  const target = PLATFORM_TARGETS.find((t) => t.triple === triple);
  if (!target) throw new Error(`no published platform '${triple}'`);
  const main = manifestOf();
  const name = platformPackageName(triple);
  const file = binaryFileName(triple);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(binary, join(dir, file));
  const needs = target.libc === "glibc" ? ` It needs glibc ${GLIBC_FLOOR} or newer.` : target.libc === "musl" ? " It links musl libc." : "";
  write(join(dir, "package.json"), {
    name,
    version: main.version,
    description: `The ${triple} native binary of ${main.name}; installed with it on ${triple}, not used directly.`,
    license: main.license,
    ...(main.repository ? { repository: { type: main.repository.type, url: main.repository.url } } : {}),
    os: [target.os],
    cpu: [target.cpu],
    ...(target.libc ? { libc: [target.libc] } : {}),
    main: file,
    files: [file],
    engines: main.engines,
  });
  writeFileSync(
    join(dir, "README.md"),
    `# ${name}\n\nThe native engine of [\`${main.name}\`](https://www.npmjs.com/package/${main.name}) for ${triple}, built from the same release (${main.version}).${needs}\n\n` +
      `Install \`${main.name}\`, not this package: npm picks the platform package that matches the machine from its \`optionalDependencies\`.\n`,
  );
  return dir;
}

async function main() {
  const [out, ...given] = process.argv.slice(2);
  if (!out) {
    console.error("usage: node scripts/lib/packages.mjs <out dir> [<triple>=<binary> ...]");
    process.exit(2);
  }
  const built = join(root, "target", "npm-platforms");
  const binaries = given.length
    ? given.map((pair) => pair.split("="))
    : (existsSync(built) ? readdirSync(built) : []).map((triple) => [triple, join(built, triple, `atomiton-conductor.${triple}.node`)]).filter(([, file]) => existsSync(file));
  console.log(`staged ${await stageMain(join(resolve(out), "conductor"))}`);
  for (const [triple, binary] of binaries) console.log(`staged ${await stagePlatform(join(resolve(out), `conductor-${triple}`), triple, binary)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
