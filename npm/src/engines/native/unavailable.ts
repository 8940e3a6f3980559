/**
 * The error thrown when the native engine is required (`engine: "native"`) but no binary fits
 * this platform. It replaces Node's bare `ERR_DLOPEN_FAILED` / "Cannot find module" with what
 * was tried, why each failed, what is supported and what to do.
 */
import { describeHost, type HostPlatform } from "./host-platform.js";
import { ENGINE_VARIABLE } from "../choice.js";
import { NATIVE_PATH_VARIABLE, type LoadAttempt } from "./loader.js";
import { PLATFORM_TARGETS, supportedPlatformsText } from "./platforms.js";

/** The code of `NativeEngineUnavailableError` (Node's style for errors of the environment). */
export const NATIVE_UNAVAILABLE = "ERR_ATOMITON_NATIVE_UNAVAILABLE";

/** No native binary could be loaded on this platform; `attempts` says where it looked and why each failed. */
export class NativeEngineUnavailableError extends Error {
  readonly code = NATIVE_UNAVAILABLE;
  /** The platform as the packages name it (`linux-x64-gnu`, `darwin-arm64`, ...). */
  readonly platform: string;
  readonly attempts: LoadAttempt[];
  /** The platforms a prebuilt binary is published for. */
  readonly supported: string[];

  constructor(host: HostPlatform, attempts: LoadAttempt[]) {
    super(message(host, attempts));
    this.name = "NativeEngineUnavailableError";
    this.platform = host.triple;
    this.attempts = attempts;
    this.supported = PLATFORM_TARGETS.map((t) => t.triple);
  }
}

function message(host: HostPlatform, attempts: LoadAttempt[]): string {
  const published = host.target !== undefined;
  const wasm = `run on the WebAssembly engine: createConductor({ engine: "wasm" }) or ${ENGINE_VARIABLE}=wasm (the default, "auto", does this by itself)`;
  const steps = published
    ? [
        `install on the machine that runs the app, without --omit=optional or --no-optional, so that npm adds the package for this platform (node_modules copied from another OS, CPU or C library do not have it)`,
        `or ${wasm}`,
        `or set ${NATIVE_PATH_VARIABLE} to a binary built for this platform`,
      ]
    : [wasm, `or set ${NATIVE_PATH_VARIABLE} to a binary built for this platform`];
  return [
    `@atomiton/conductor: no native engine for ${describeHost(host)}, Node.js ${process.version}.`,
    "Tried:",
    ...attempts.map((a) => `  - ${a.source} (${a.path}): ${a.reason}`),
    `Prebuilt binaries exist for: ${supportedPlatformsText()}.`,
    "What to do:",
    ...steps.map((step) => `  - ${step}`),
  ].join("\n");
}
