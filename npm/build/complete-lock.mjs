#!/usr/bin/env node
// Adds to package-lock.json the entries of other platforms' optional packages that the registry
// this project is built against does not have (esbuild's, Rollup's, Biome's and
// msgpackr-extract's builds for other systems). `npm install` here leaves them out of the lock,
// and `npm ci` then refuses the lock as out of sync; npm never downloads another platform's
// package, so an entry needs only its version and the os, cpu and libc npm skips it by, read
// from the package's name. Run after `npm install` changes the lock: node build/complete-lock.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const lockFile = fileURLToPath(new URL("../package-lock.json", import.meta.url));
const lock = JSON.parse(readFileSync(lockFile, "utf8"));

const SYSTEMS = ["android", "darwin", "freebsd", "linux", "netbsd", "openbsd", "openharmony", "sunos", "win32", "aix"];
const CPUS = {
  arm64: "arm64",
  x64: "x64",
  ia32: "ia32",
  arm: "arm",
  loong64: "loong64",
  ppc64: "ppc64",
  riscv64: "riscv64",
  s390x: "s390x",
};

/** `{os, cpu, libc?}` from a name such as `@rollup/rollup-linux-arm-musleabihf` or `@biomejs/cli-win32-x64`. */
function platformOf(name) {
  const parts = name.split("/").pop().split("-");
  const at = parts.findIndex((part) => SYSTEMS.includes(part));
  if (at < 0) return undefined;
  const os = parts[at];
  const cpu = CPUS[parts[at + 1]];
  if (!cpu) return undefined;
  const rest = parts.slice(at + 2).join("-");
  const libc = /musl/.test(rest) ? "musl" : /gnu/.test(rest) ? "glibc" : undefined;
  return { os, cpu, libc };
}

let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${dependency}`;
    if (lock.packages[key] || lock.packages[`${path}/${key}`]) continue;
    const platform = platformOf(dependency);
    if (!platform) throw new Error(`${dependency}: not a platform package this script knows; add its lock entry by hand`);
    lock.packages[key] = {
      version,
      cpu: [platform.cpu],
      dev: true,
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      license: lock.packages[path]?.license ?? "MIT",
      optional: true,
      os: [platform.os],
    };
    added += 1;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)));
writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} entries of other platforms' packages added`);
