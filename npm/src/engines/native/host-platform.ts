/**
 * The running platform as the platform packages name it (`linux-x64-gnu`, `darwin-arm64`,
 * `win32-x64-msvc`), found without touching the network.
 */
import { readdirSync, readFileSync } from "node:fs";
import { PLATFORM_TARGETS, type PlatformTarget } from "./platforms.js";

export type HostPlatform = {
  triple: string;
  /** Linux: which C library this process runs on. */
  libc?: "glibc" | "musl";
  /** Linux with glibc: its version, when Node could tell. */
  glibcVersion?: string;
  /** The published target for this platform, if there is one. */
  target?: PlatformTarget;
};

type Report = { excludeNetwork?: boolean; getReport(): { header?: { glibcVersionRuntime?: string } } };

/**
 * glibc or musl. Node's diagnostic report says (and gives glibc's version), but by default it
 * also resolves the names of open sockets, which can block for minutes (nodejs/node#46060); it
 * is asked only where Node can leave the network out (`excludeNetwork`, Node 20.13+). Elsewhere,
 * musl is recognised by its loader, as napi-rs's loaders do.
 */
function linuxLibc(): { libc: "glibc" | "musl"; glibcVersion?: string } {
  const report = process.report as Report | undefined;
  if (report && typeof report.excludeNetwork === "boolean") {
    const before = report.excludeNetwork;
    report.excludeNetwork = true;
    try {
      const version = report.getReport().header?.glibcVersionRuntime;
      return version ? { libc: "glibc", glibcVersion: version } : { libc: "musl" };
    } catch {
      // A report that cannot be made says nothing; the files below still do.
    } finally {
      report.excludeNetwork = before;
    }
  }
  return muslLoaderPresent() ? { libc: "musl" } : { libc: "glibc" };
}

function muslLoaderPresent(): boolean {
  try {
    if (readFileSync("/usr/bin/ldd", "utf8").includes("musl")) return true;
  } catch {
    // No ldd (a slim image): look for musl's dynamic loader instead.
  }
  try {
    return readdirSync("/lib").some((name) => name.startsWith("ld-musl-"));
  } catch {
    return false;
  }
}

let detected: HostPlatform | undefined;

/** This process's platform, worked out once. */
export function hostPlatform(): HostPlatform {
  if (detected) return detected;
  const { platform, arch } = process;
  if (platform === "linux") {
    const { libc, glibcVersion } = linuxLibc();
    const triple = `linux-${arch}-${libc === "musl" ? "musl" : "gnu"}`;
    return (detected = { triple, libc, glibcVersion, target: PLATFORM_TARGETS.find((t) => t.triple === triple) });
  }
  const triple = platform === "win32" ? `win32-${arch}-msvc` : `${platform}-${arch}`;
  return (detected = { triple, target: PLATFORM_TARGETS.find((t) => t.triple === triple) });
}

/** `triple` with what was learnt about the C library, for messages: `linux-x64-gnu (glibc 2.31)`. */
export function describeHost(host: HostPlatform = hostPlatform()): string {
  if (host.libc === "glibc") return `${host.triple} (glibc ${host.glibcVersion ?? "of unknown version"})`;
  return host.triple;
}
