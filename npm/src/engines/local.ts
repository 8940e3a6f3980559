/**
 * The engine a Node process runs flows on: the native addon, or the WebAssembly engine with a
 * Node host. `"auto"` (the default) takes the native addon when a binary fits this platform and
 * otherwise the WebAssembly engine, saying so once with a process warning and in the
 * conductor's `getEnvironment()`; `"native"` throws `NativeEngineUnavailableError` instead.
 */
import { fullCatalog, type FullCatalog } from "./session/catalog.js";
import type { EngineAdapter } from "../conductor/engine.js";
import type { ConductorConfig } from "../types/execution.js";
import { engineChoice, ENGINE_VARIABLE, type EngineChoice } from "./choice.js";
import { NativeEngine } from "./native/engine.js";
import { loadNative, type NativeAddon } from "./native/loader.js";
import { NativeEngineUnavailableError } from "./native/unavailable.js";
import { createNodeWasmEngine } from "./wasm/node-engine.js";
import { nodeWasmInstance } from "./wasm/node-module.js";

/** Which engine runs, and, when `"auto"` fell back to wasm, why. */
export type LocalEngineKind = { kind: "native"; addon: NativeAddon } | { kind: "wasm"; fallback?: NativeEngineUnavailableError };

/** The warning's code (`process.on("warning")` sees it; `--no-warnings` hides it). */
export const WASM_FALLBACK_WARNING = "ATOMITON_WASM_FALLBACK";

let warned = false;

function warnFallback(error: NativeEngineUnavailableError): void {
  if (warned) return;
  warned = true;
  const message =
    `@atomiton/conductor: no native binary fits ${error.platform}; flows run on the WebAssembly engine instead ` +
    `(the same results, slower). Choose it with engine: "wasm" or ${ENGINE_VARIABLE}=wasm to silence this warning.`;
  process.emitWarning(message, { type: "AtomitonConductorWarning", code: WASM_FALLBACK_WARNING, detail: error.message });
}

/** The engine for `choice` (see the module's comment). */
export function localEngineKind(choice: EngineChoice): LocalEngineKind {
  if (choice === "wasm") return { kind: "wasm" };
  const native = loadNative();
  if (native.ok) return { kind: "native", addon: native.addon };
  const error = new NativeEngineUnavailableError(native.host, native.attempts);
  if (choice === "native") throw error;
  warnFallback(error);
  return { kind: "wasm", fallback: error };
}

/** A new engine of `kind` for `config`. */
export function createLocalEngine(kind: LocalEngineKind, config: ConductorConfig): EngineAdapter {
  return kind.kind === "native" ? new NativeEngine(config) : createNodeWasmEngine(config);
}

/** The catalog and format functions of the engine `ATOMITON_CONDUCTOR_ENGINE` selects (the package-level helpers have no config). */
export function catalogFunctions(): FullCatalog {
  const kind = localEngineKind(engineChoice(undefined));
  return fullCatalog(kind.kind === "native" ? kind.addon : nodeWasmInstance().glue);
}
