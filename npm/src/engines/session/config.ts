/**
 * Opening a session from a conductor's config: the fields it reads (`sessionConfigJson`,
 * generated from the declaration of `ConductorConfig`), and the engine's refusal as a coded
 * error.
 */
import { ConductorError, createExecutionError, ErrorCode } from "../../types/errors.js";
import type { ConductorConfig } from "../../types/execution.js";
import { sessionConfigJson as configJson } from "../../types/options.generated.js";
import { toBase64 } from "../../values/codec.js";

/**
 * The JSON text of the config a session reads (the fields `ConductorConfig`'s declaration says
 * it reads), with each plugin's module as base64 in `module`.
 */
export function sessionConfigJson(config: ConductorConfig): string {
  if (config.plugins === undefined) return configJson(config);
  const plugins = Object.fromEntries(
    Object.entries(config.plugins).map(([name, { wasm, ...rest }]) => [name, { ...rest, module: toBase64(moduleBytes(name, wasm)) }]),
  );
  return configJson({ ...config, plugins: plugins as unknown as ConductorConfig["plugins"] });
}

/** A plugin's module as bytes; a path here is one the entry did not read (a browser's). */
function moduleBytes(name: string, wasm: unknown): Uint8Array {
  if (wasm instanceof Uint8Array) return wasm;
  if (wasm instanceof ArrayBuffer) return new Uint8Array(wasm);
  if (ArrayBuffer.isView(wasm)) return new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength);
  const message = `Invalid conductor config: 'plugins.${name}.wasm' must be the module's bytes (a Uint8Array or ArrayBuffer) here; a path is read only in Node (fetch it: new Uint8Array(await (await fetch(url)).arrayBuffer()))`;
  throw new ConductorError(createExecutionError(ErrorCode.VALIDATION_FAILED, message));
}

const CODES = new Set<string>(Object.values(ErrorCode));

/**
 * `open()`, a session constructor; what it throws becomes a `ConductorError`. The engine
 * refuses a config as `"<CODE>: <message>"` (napi and wasm-bindgen carry no code of their own).
 */
export function openSession<T>(open: () => T): T {
  try {
    return open();
  } catch (thrown) {
    if (thrown instanceof ConductorError) throw thrown;
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    const match = /^([A-Z_]+): ([\s\S]*)$/.exec(message);
    const code = match?.[1] && CODES.has(match[1]) ? (match[1] as ErrorCode) : ErrorCode.INTERNAL_ERROR;
    throw new ConductorError(
      createExecutionError(code, match && code !== ErrorCode.INTERNAL_ERROR ? (match[2] ?? message) : message, { cause: thrown }),
    );
  }
}
