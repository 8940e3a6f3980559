/**
 * `CONDUCTOR_CONCURRENCY` and `CONDUCTOR_TIMEOUT`: defaults for `concurrency` and `timeout` from
 * the environment of a Node process, under whatever the config says explicitly.
 */
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { ConductorConfig } from "../types/execution.js";

const VARIABLES = [
  ["CONDUCTOR_CONCURRENCY", "concurrency", 1],
  ["CONDUCTOR_TIMEOUT", "timeout", 0],
] as const;

/** `config` with the environment's values where it sets none; a malformed value is a `VALIDATION_FAILED` error naming it. */
export function withEnvironmentDefaults(config: ConductorConfig, env: Record<string, string | undefined> = process.env): ConductorConfig {
  const defaults: Partial<Record<(typeof VARIABLES)[number][1], number>> = {};
  for (const [name, key, minimum] of VARIABLES) {
    const text = env[name]?.trim();
    if (config[key] !== undefined || !text) continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < minimum) {
      const message = `${name} must be a whole number of at least ${minimum}${key === "timeout" ? " (milliseconds)" : ""}, not '${text}'`;
      throw new ConductorError({ code: ErrorCode.VALIDATION_FAILED, message, timestamp: new Date() });
    }
    defaults[key] = value;
  }
  return { ...config, ...defaults };
}
