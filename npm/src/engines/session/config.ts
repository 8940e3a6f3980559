/**
 * Opening a session from a conductor's config: the fields it reads (`sessionConfigJson`,
 * generated from the declaration of `ConductorConfig`), and the engine's refusal as a coded
 * error.
 */
import { ConductorError, createExecutionError, ErrorCode } from "../../types/errors.js";

export { sessionConfigJson } from "../../types/options.generated.js";

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
