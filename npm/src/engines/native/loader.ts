/**
 * Finding the native addon: `ATOMITON_CONDUCTOR_NATIVE_PATH` when set (then nothing else), else
 * a development build in this package's `native/` (a checkout that built from source), else the
 * platform package npm installed (`@atomiton/conductor-<triple>`). Every place tried is kept
 * with the reason it did not work, for the error that explains it.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import nodeRequire from "../../runtime/node-require.cjs";
import type { CatalogFunctions, SessionHandle } from "../session/handle.js";
import { binaryArch } from "./binary-kind.js";
import { hostPlatform, type HostPlatform } from "./host-platform.js";
import { binaryFileName, platformPackageName } from "./platforms.js";

/** The addon's exports (see `bindings-node/src`). Everything complex crosses as JSON text. */
export type NativeAddon = CatalogFunctions & {
  NativeConductor: new (configJson: string) => SessionHandle;
  workerPoolStats(): WorkerPoolStats;
  workerPoolResetPeak(): void;
};

/** A path to a `.node` file to load instead of looking anywhere else. */
export const NATIVE_PATH_VARIABLE = "ATOMITON_CONDUCTOR_NATIVE_PATH";

/** One place the loader looked, and why it could not use it. */
export type LoadAttempt = { source: string; path: string; reason: string };

/** What the process's worker pool is doing (see `workerPool`). */
export type WorkerPoolStats = {
  /** Slots: jobs that may run at once. */
  size: number;
  /** Jobs running now. */
  busy: number;
  /** Most jobs that ran at once (since the last `resetPeak`). */
  peak: number;
  /** Jobs started. */
  started: number;
};

export type NativeLoad = { ok: true; addon: NativeAddon; path: string } | { ok: false; host: HostPlatform; attempts: LoadAttempt[] };

type Candidate = { source: string; path: string; check?: () => string | undefined };

function readManifest(file: string): { version?: string; main?: string } {
  return JSON.parse(readFileSync(file, "utf8")) as { version?: string; main?: string };
}

/** Where npm puts `name` for this package: beside it under `node_modules/@atomiton/`, as installed. */
function expectedPlace(root: string, name: string): string {
  return basename(dirname(root)) === "@atomiton" ? join(dirname(root), basename(name)) : join(root, "node_modules", name);
}

/** The platform package's binary, or the attempt saying why there is none to load. */
function platformPackage(host: HostPlatform, root: string, version: string | undefined): Candidate | LoadAttempt {
  const name = platformPackageName(host.triple);
  let manifest: string;
  try {
    manifest = nodeRequire.resolve(`${name}/package.json`);
  } catch {
    const why = host.target ? "not installed" : "does not exist: no binary is published for this platform";
    return { source: name, path: expectedPlace(root, name), reason: why };
  }
  let found: string | undefined;
  let main: string | undefined;
  try {
    ({ version: found, main } = readManifest(manifest));
  } catch (error) {
    return {
      source: name,
      path: manifest,
      reason: `its package.json cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const path = join(dirname(manifest), main ?? binaryFileName(host.triple));
  // A binary of another release speaks another protocol with the TypeScript layer.
  const check = () =>
    version && found !== version
      ? `version ${found}, but @atomiton/conductor is ${version}; both must come from the same release`
      : undefined;
  return { source: name, path, check };
}

function candidates(host: HostPlatform, env: Record<string, string | undefined>): Array<Candidate | LoadAttempt> {
  const override = env[NATIVE_PATH_VARIABLE];
  // An explicit path is the only one tried: loading another binary instead would hide its failure.
  if (override) return [{ source: NATIVE_PATH_VARIABLE, path: override }];
  const root = nodeRequire.packageRoot();
  const version = readManifest(join(root, "package.json")).version;
  return [{ source: "development build", path: join(root, "native", binaryFileName(host.triple)) }, platformPackage(host, root, version)];
}

/** Why a binary could not be loaded, in words: another CPU's binary, or the missing glibc version, when that is it. */
function loadFailure(error: unknown, path: string, host: HostPlatform): string {
  const message = (error instanceof Error ? error.message : String(error)).trim();
  const arch = binaryArch(path);
  if (arch !== undefined && arch !== process.arch) return `is built for ${arch}, and this is ${process.arch} (${message})`;
  const glibc = /GLIBC_([\d.]+)'? not found/.exec(message);
  if (glibc) {
    const has = host.glibcVersion ? `this system has glibc ${host.glibcVersion}` : "this system's glibc is older";
    return `needs glibc ${glibc[1]} or newer, ${has} (${message})`;
  }
  return `cannot be loaded: ${message}`;
}

/**
 * The addon's allocator (mimalloc) reads these when it starts, before the addon's own code can
 * set them: arenas committed as they are used (committed at once, a purge later decommitted them
 * and every reuse faulted whole huge pages back in, zeroed by the kernel, at a large cost in CPU
 * time and peak memory: docs/PERFORMANCE.md, "Memory and the allocator"). Set only where the
 * environment does not already.
 */
function allocatorDefaults(): void {
  process.env.MIMALLOC_ARENA_EAGER_COMMIT ??= "0";
}

function tryCandidate(candidate: Candidate, host: HostPlatform): NativeAddon | string {
  if (!existsSync(candidate.path)) return "not present";
  const mismatch = candidate.check?.();
  if (mismatch) return mismatch;
  let addon: unknown;
  try {
    allocatorDefaults();
    addon = nodeRequire.requireFile(candidate.path);
  } catch (error) {
    return loadFailure(error, candidate.path, host);
  }
  if (typeof (addon as Partial<NativeAddon>)?.NativeConductor !== "function")
    return "loads, but is not this package's addon (it has no NativeConductor)";
  return addon as NativeAddon;
}

let loaded: NativeLoad | undefined;

/** The addon, or every place tried with its reason. Worked out once per process. */
export function loadNative(env: Record<string, string | undefined> = process.env): NativeLoad {
  if (loaded) return loaded;
  const host = hostPlatform();
  const attempts: LoadAttempt[] = [];
  for (const candidate of candidates(host, env)) {
    if ("reason" in candidate) {
      attempts.push(candidate);
      continue;
    }
    const outcome = tryCandidate(candidate, host);
    if (typeof outcome !== "string") return (loaded = { ok: true, addon: outcome, path: candidate.path });
    attempts.push({ source: candidate.source, path: candidate.path, reason: outcome });
  }
  return (loaded = { ok: false, host, attempts });
}
