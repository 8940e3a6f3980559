// The platform packages' table and the binaries built for it: the build script and the loader
// agree on the platforms, and every Linux binary built here (scripts/build-platform.sh; the
// linux-x64-gnu one on every test run, through scripts/build-native.sh) is stripped, needs
// nothing newer than glibc 2.17 (gnu) or links only musl's libc (musl), and is for its CPU.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { GLIBC_FLOOR, PLATFORM_TARGETS, binaryFileName } from "../dist/engines/native/platforms.js";
import { repoRoot } from "../test-support/helpers.mjs";

const built = join(repoRoot, "target", "npm-platforms");

test("scripts/build-platform.sh builds exactly the platforms the loader looks for", () => {
  const listed = execFileSync(join(repoRoot, "scripts", "build-platform.sh"), ["--list"], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.split(" "));
  assert.deepEqual(
    listed,
    PLATFORM_TARGETS.map((t) => [t.triple, t.rustTarget]),
  );
});

/** `objdump -T`'s newest GLIBC_x.y symbol version. */
function newestGlibc(file) {
  const versions = execFileSync("objdump", ["-T", file], { encoding: "utf8", maxBuffer: 64 << 20 }).match(/GLIBC_[0-9.]+/g) ?? [];
  const numbers = versions.map((v) => v.slice("GLIBC_".length).split(".").map(Number));
  numbers.sort((a, b) => a[0] - b[0] || (a[1] ?? 0) - (b[1] ?? 0) || (a[2] ?? 0) - (b[2] ?? 0));
  return numbers.at(-1)?.join(".");
}

const readelf = (flag, file) => execFileSync("readelf", [flag, file], { encoding: "utf8", maxBuffer: 64 << 20 });

const linux = PLATFORM_TARGETS.filter((t) => t.os === "linux");
const hostBinary = join(repoRoot, "npm", "native", binaryFileName("linux-x64-gnu"));

test("the linux-x64-gnu binary needs no glibc symbol newer than 2.17 (objdump -T) and is stripped", {
  skip: !(process.platform === "linux" && process.arch === "x64") && "built on linux-x64",
}, () => {
  assert.ok(existsSync(hostBinary), "scripts/build-native.sh built it");
  const newest = newestGlibc(hostBinary);
  assert.ok(newest, "it links glibc at all");
  const [major, minor] = newest.split(".").map(Number);
  const [floorMajor, floorMinor] = GLIBC_FLOOR.split(".").map(Number);
  assert.ok(
    major < floorMajor || (major === floorMajor && minor <= floorMinor),
    `needs GLIBC_${newest}, above the floor of ${GLIBC_FLOOR}`,
  );
  assert.doesNotMatch(readelf("-S", hostBinary), /\.symtab/, "no static symbol table");
});

for (const target of linux) {
  const file = join(built, target.triple, binaryFileName(target.triple));
  const present = existsSync(file);
  test(`the ${target.triple} binary in target/npm-platforms, when built: its CPU, its C library, stripped`, {
    skip: !present && "not built here (scripts/build-platform.sh)",
  }, () => {
    const header = readelf("-h", file);
    assert.match(header, target.cpu === "x64" ? /Machine:\s+Advanced Micro Devices X86-64/ : /Machine:\s+AArch64/);
    const needed = [...readelf("-d", file).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
    if (target.libc === "musl") {
      assert.deepEqual(needed, ["libc.so"], "musl: only libc, which Node's process already has");
    } else {
      assert.ok(needed.includes("libc.so.6"), needed.join());
      const newest = newestGlibc(file).split(".").map(Number);
      assert.ok(newest[0] === 2 && newest[1] <= Number(GLIBC_FLOOR.split(".")[1]), `needs GLIBC_${newest.join(".")}`);
    }
    assert.doesNotMatch(readelf("-S", file), /\.symtab/, "no static symbol table");
  });
}
