/**
 * What run logging hands the app (`ConductorConfig.logLevel` / `logger`): entries as plain
 * objects, and the loggers that receive them. `RunLog` (`logging.ts`) decides what is logged.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";

/** What happened, to which run, and its details. */
export type LogRecord = {
  level: LogLevel;
  /** A stable name for what happened: `run:start`, `node:state`, `run:complete`, `run:error`, `execute:retry`, `execute:fallback`. */
  event: string;
  /** One human-readable line. */
  message: string;
  executionId?: string;
  /** The flow (root node) the run is of. */
  flowId?: string;
  nodeId?: string;
  [detail: string]: unknown;
};

/** A log entry as loggers receive it. */
export type LogEntry = LogRecord & {
  /** Epoch milliseconds. */
  timestamp: number;
};

/** A function receiving every entry, or an object whose `debug` / `info` / `warn` / `error` method is called with the message and the entry. */
export type ConductorLogger = ((entry: LogEntry) => void) | Partial<Record<LogLevel, (message: string, entry: LogEntry) => void>>;
