/**
 * Which engine a conductor in a Node process runs flows on: `engine` in the config, else
 * `ATOMITON_CONDUCTOR_ENGINE`, else `"auto"` (the native addon when a binary fits this platform,
 * the WebAssembly engine otherwise).
 */
import { ConductorError, ErrorCode } from "../types/errors.js";

export type EngineChoice = "auto" | "native" | "wasm";

/** The environment variable giving the default of `engine`. */
export const ENGINE_VARIABLE = "ATOMITON_CONDUCTOR_ENGINE";

const CHOICES: readonly string[] = ["auto", "native", "wasm"];

/** The engine asked for; anything else is a `VALIDATION_FAILED` error naming where it came from. */
export function engineChoice(engine: unknown, env: Record<string, string | undefined> = process.env): EngineChoice {
  const fromEnv = env[ENGINE_VARIABLE]?.trim();
  const value = engine ?? (fromEnv || "auto");
  if (typeof value === "string" && CHOICES.includes(value)) return value as EngineChoice;
  const source = engine !== undefined ? "engine" : ENGINE_VARIABLE;
  const message = `${source} must be "auto", "native" or "wasm", not ${JSON.stringify(value)}`;
  throw new ConductorError({ code: ErrorCode.VALIDATION_FAILED, message, timestamp: new Date() });
}
