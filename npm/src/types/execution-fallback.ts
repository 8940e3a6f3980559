/** `execute(request)`'s `options.fallback`: what answers when every attempt of a request failed. */
import type { ExecutionResult } from "./execution.js";

/** What `fallback` may be: another flow's id, a function of the failure, or the outputs themselves. */
export type ExecutionFallback =
  | string
  | ((failure: ExecutionResult) => unknown)
  | Record<string, unknown>
  | unknown[]
  | number
  | boolean
  | null;
