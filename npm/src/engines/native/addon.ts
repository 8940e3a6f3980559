/** Loading the platform's native addon (`native/atomiton-conductor.<platform>-<arch>[-libc].node`). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import nodeRequire from "../../runtime/node-require.cjs";
import type { CatalogFunctions, SessionHandle } from "../session/handle.js";

/** The addon's exports (see `bindings-node/src`). Everything complex crosses as JSON text. */
export type NativeAddon = CatalogFunctions & {
  NativeConductor: new (configJson: string) => SessionHandle;
  workerPoolStats(): WorkerPoolStats;
  workerPoolResetPeak(): void;
};

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

function platformSuffix(): string {
  if (process.platform !== "linux") return `${process.platform}-${process.arch}`;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return `linux-${process.arch}-${report?.header?.glibcVersionRuntime ? "gnu" : "musl"}`;
}

let loaded: NativeAddon | undefined;

/** The addon, loaded once. Throws a clear error when no build exists for this platform. */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  const file = join(nodeRequire.packageRoot(), "native", `atomiton-conductor.${platformSuffix()}.node`);
  if (!existsSync(file)) {
    throw new Error(`@atomiton/conductor: no native build for ${platformSuffix()} (expected ${file}); run scripts/build-native.sh`);
  }
  loaded = nodeRequire.requireFile(file) as NativeAddon;
  return loaded;
}
