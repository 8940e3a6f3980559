/** `atomiton --version`: the package's version and the native engine's. */
import { readFileSync } from "node:fs";
import { loadAddon } from "../engines/native/addon.js";

/** The version in the package's package.json (two levels above `dist/cli/`). */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return String((JSON.parse(text) as { version?: unknown }).version ?? "unknown");
}

/** The native engine's version, or why it is unavailable. */
export function engineVersion(): string {
  try {
    return loadAddon().engineVersion();
  } catch (error) {
    return `unavailable (${error instanceof Error ? error.message : String(error)})`;
  }
}

/** The package version on the first line (what scripts read), then the engine's and Node's. */
export function versionText(): string {
  return [
    `atomiton ${packageVersion()} (@atomiton/conductor)`,
    `engine   ${engineVersion()} (native, ${process.platform}-${process.arch})`,
    `node     ${process.version}`,
  ].join("\n");
}
