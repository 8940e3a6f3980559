/**
 * Structured logging of runs (`ConductorConfig.logLevel` / `logger`, and a run's `debug: true`).
 * Entries are plain objects (`types/logging.ts`); where they go is the app's choice: a function,
 * a console-like object, or the console by default.
 */
import type { ConductorLogger, LogEntry, LogLevel, LogRecord } from "./types/logging.js";

const RANK: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Nothing is logged below this rank. */
const SILENT = Number.POSITIVE_INFINITY;

/** The console, as the default destination. */
const consoleLogger: ConductorLogger = (entry) => {
  const { level, message } = entry;
  console[level](`[atomiton] ${message}`, entry);
};

/** Decides what is logged and sends it on. */
export class RunLog {
  private readonly threshold: number;
  private readonly sink: ConductorLogger;

  constructor(config: { logLevel?: LogLevel | undefined; logger?: ConductorLogger | undefined }) {
    this.threshold = config.logLevel && Object.hasOwn(RANK, config.logLevel) ? RANK[config.logLevel] : SILENT;
    this.sink = config.logger ?? consoleLogger;
  }

  /** Whether anything at `level` is logged, for a run started with `debug: true` or not. */
  wants(level: LogLevel, debugRun = false): boolean {
    return debugRun || RANK[level] >= this.threshold;
  }

  /** Logs `entry` if its level is wanted; a logger that throws never fails the run. */
  write(entry: LogRecord, debugRun = false): void {
    if (!this.wants(entry.level, debugRun)) return;
    const given = Object.entries(entry).filter(([, value]) => value !== undefined);
    const full = { ...Object.fromEntries(given), timestamp: Date.now() } as LogEntry;
    try {
      if (typeof this.sink === "function") this.sink(full);
      else this.sink[full.level]?.(full.message, full);
    } catch {
      // Logging is an observer: its failure must not change what the run does or returns.
    }
  }
}
