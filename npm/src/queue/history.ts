/**
 * The run history of a queue: one store shared by every worker (which write the records of the
 * runs they run) and every producer (which read them with `executions.*`). The queue's Redis by
 * default (one server to run, back up and secure; records outlive the queue's own event stream,
 * which is trimmed), or a PostgreSQL database (`store`), where a fleet's operators keep their
 * data and query it at any size.
 */
import type { HistoryConfig } from "../types/history.js";
import type { QueueHistoryOptions } from "../types/options.generated.js";
import type { ResolvedLocation } from "./connection.js";

export type { QueueHistoryOptions } from "../types/options.generated.js";

/** The environment variable that names a PostgreSQL store when the options do not. */
const DATABASE_VARIABLE = "ATOMITON_DATABASE_URL";

/**
 * The PostgreSQL database runs are kept in: the one `given` (an option, a CLI flag), else the
 * environment's `ATOMITON_DATABASE_URL`, else none. The one place the variable is read.
 */
export function databaseUrl(given?: string): string | undefined {
  return given ?? (process.env[DATABASE_VARIABLE] || undefined);
}

/**
 * The engine's history config for a queue's shared store: the PostgreSQL database `store` names
 * (else the environment's `ATOMITON_DATABASE_URL`), or the queue's Redis.
 */
export function queueHistoryConfig(where: ResolvedLocation, options: QueueHistoryOptions = {}, store?: string): HistoryConfig {
  const database = databaseUrl(store);
  if (database) return { ...options, store: database };
  // `redis` and `keyPrefix` are read by the native addon only; the type does not name them.
  return { ...options, redis: where.url, keyPrefix: where.historyPrefix } as HistoryConfig;
}
