/** `atomiton --version`: the package's version and the engine's (which one, and where it came from). */
import { readFileSync } from "node:fs";
import { engineChoice } from "../engines/choice.js";
import { catalogFunctions, localEngineKind } from "../engines/local.js";
import { hostPlatform } from "../engines/native/host-platform.js";

/** The version in the package's package.json (two levels above `dist/cli/`). */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return String((JSON.parse(text) as { version?: unknown }).version ?? "unknown");
}

/** The engine's version and kind (`native`, or `wasm` and why), or why none is available. */
export function engineVersion(): string {
  try {
    const kind = localEngineKind(engineChoice(undefined));
    const version = catalogFunctions().engineVersion();
    const which = kind.kind === "native" ? "native" : kind.fallback ? "wasm: no native binary fits" : "wasm";
    return `${version} (${which}, ${hostPlatform().triple})`;
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The package version on the first line (what scripts read), then the engine's and Node's. */
export function versionText(): string {
  return [`atomiton ${packageVersion()} (@atomiton/conductor)`, `engine   ${engineVersion()}`, `node     ${process.version}`].join("\n");
}
