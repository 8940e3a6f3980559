/**
 * The platforms a prebuilt native binary is published for, one optional npm package each
 * (napi-rs's layout: `@atomiton/conductor-<triple>`). The loader picks the package of the
 * running platform from this table; `scripts/lib/platform-packages.mjs` generates the packages
 * from it, and a test checks that `package.json`'s `optionalDependencies` list exactly these.
 */

/** One published target. */
export type PlatformTarget = {
  /** `<platform>-<arch>[-<abi>]`: the package's suffix and the binary's middle name. */
  triple: string;
  /** `process.platform` / `os` in the package's manifest. */
  os: "linux" | "darwin" | "win32";
  /** `process.arch` / `cpu` in the package's manifest. */
  cpu: "x64" | "arm64";
  /** Linux only: the C library the binary links (`libc` in the manifest, as npm names it). */
  libc?: "glibc" | "musl";
  /** The Rust target it is built for. */
  rustTarget: string;
};

export const PLATFORM_TARGETS: readonly PlatformTarget[] = [
  { triple: "linux-x64-gnu", os: "linux", cpu: "x64", libc: "glibc", rustTarget: "x86_64-unknown-linux-gnu" },
  { triple: "linux-arm64-gnu", os: "linux", cpu: "arm64", libc: "glibc", rustTarget: "aarch64-unknown-linux-gnu" },
  { triple: "linux-x64-musl", os: "linux", cpu: "x64", libc: "musl", rustTarget: "x86_64-unknown-linux-musl" },
  { triple: "linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl", rustTarget: "aarch64-unknown-linux-musl" },
  { triple: "darwin-x64", os: "darwin", cpu: "x64", rustTarget: "x86_64-apple-darwin" },
  { triple: "darwin-arm64", os: "darwin", cpu: "arm64", rustTarget: "aarch64-apple-darwin" },
  { triple: "win32-x64-msvc", os: "win32", cpu: "x64", rustTarget: "x86_64-pc-windows-msvc" },
  { triple: "win32-arm64-msvc", os: "win32", cpu: "arm64", rustTarget: "aarch64-pc-windows-msvc" },
];

/** The oldest glibc the Linux gnu binaries run on (they are linked against its symbol versions). */
export const GLIBC_FLOOR = "2.17";

/** The npm package holding the binary for `triple`. */
export function platformPackageName(triple: string): string {
  return `@atomiton/conductor-${triple}`;
}

/** The binary's file name, in its platform package and in a development build (`native/`). */
export function binaryFileName(triple: string): string {
  return `atomiton-conductor.${triple}.node`;
}

/** The supported platforms, for messages: `linux-x64-gnu (glibc >= 2.17), ..., win32-arm64-msvc`. */
export function supportedPlatformsText(): string {
  return PLATFORM_TARGETS.map((t) => (t.libc === "glibc" ? `${t.triple} (glibc >= ${GLIBC_FLOOR})` : t.triple)).join(", ");
}
