// The bundler test apps (npm/test-support/bundler-apps/), staged as a consumer's project is after
// `npm install`: each app is copied into a directory of its own whose node_modules links
// @atomiton/conductor to the built package (npm/) and each of the app's dev dependencies to that
// exact version among npm/'s (vite@7.3.8 is npm/'s `vite-7`), with their commands in
// node_modules/.bin. Building runs the app's own `build` script, as `npm run build` would.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../demo/serve.mjs";

const APPS = fileURLToPath(new URL("./bundler-apps/", import.meta.url));
const MODULES = join(packageRoot, "node_modules");

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));

/** The directory of npm/node_modules holding `name` at exactly `version`, and its manifest. */
function installed(name, version) {
  const dirs = [name, ...readdirSync(MODULES).filter((dir) => !dir.startsWith(".") && !dir.startsWith("@"))];
  for (const dir of dirs) {
    const file = join(MODULES, dir, "package.json");
    const manifest = existsSync(file) ? readJson(file) : {};
    if (manifest.name === name && manifest.version === version) return { dir: join(MODULES, dir), manifest };
  }
  throw new Error(`${name}@${version} is not among npm/'s dev dependencies (run npm ci in npm/)`);
}

function link(target, path) {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(target, path);
}

/** Stages app `name` below `root`; its directory. */
export function stageApp(name, root) {
  const dir = join(root, name);
  cpSync(join(APPS, name), dir, { recursive: true });
  const { dependencies = {}, devDependencies = {} } = readJson(join(dir, "package.json"));
  for (const [dependency, version] of Object.entries({ ...dependencies, ...devDependencies })) {
    const found = dependency === "@atomiton/conductor" ? { dir: packageRoot, manifest: {} } : installed(dependency, version);
    link(found.dir, join(dir, "node_modules", dependency));
    const bin = found.manifest.bin ?? {};
    const commands = typeof bin === "string" ? { [dependency.split("/").pop()]: bin } : bin;
    for (const [command, file] of Object.entries(commands)) link(join(found.dir, file), join(dir, "node_modules", ".bin", command));
  }
  return dir;
}

/** Runs the staged app's `build` script in its directory; `{ status, output }`. */
export function buildApp(dir) {
  const { scripts } = readJson(join(dir, "package.json"));
  const PATH = [join(dir, "node_modules", ".bin"), dirname(process.execPath), process.env.PATH].join(":");
  const child = spawnSync("sh", ["-c", scripts.build], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH } });
  return { status: child.status, output: `${child.stdout}${child.stderr}` };
}
