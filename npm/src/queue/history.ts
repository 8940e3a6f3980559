/**
 * The run history of a queue: one store in the queue's Redis, shared by every worker (which
 * write the records of the runs they run) and every producer (which read them with
 * `executions.*`). Redis because queue mode already needs it: one server to run, back up and
 * secure, and records outlive the queue's own event stream, which is trimmed.
 */
import type { HistoryConfig } from "../types/history.js";
import type { QueueHistoryOptions } from "../types/options.generated.js";
import type { ResolvedLocation } from "./connection.js";

export type { QueueHistoryOptions } from "../types/options.generated.js";

/** The engine's history config for a queue's shared store. */
export function queueHistoryConfig(where: ResolvedLocation, options: QueueHistoryOptions = {}): HistoryConfig {
  // `redis` and `keyPrefix` are read by the native addon only; the type does not name them.
  return { ...options, redis: where.url, keyPrefix: where.historyPrefix } as HistoryConfig;
}
