/** The serialisable part of `ConductorConfig`, as a session's constructor reads it. */
import type { ConductorConfig } from "../../types/execution.js";

export function sessionConfigJson(config: ConductorConfig): string {
  return JSON.stringify({
    concurrency: config.concurrency,
    timeout: config.timeout,
    maxRetries: config.maxRetries,
    retryDelay: config.retryDelay,
    progressThrottle: config.progressThrottle,
    trace: config.trace,
    maxDepth: config.limits?.maxDepth,
    maxNodes: config.limits?.maxNodes,
    expressionSteps: config.limits?.expressionSteps,
    maxOutputBytes: config.limits?.maxOutputBytes,
    streamBatchRows: config.streamBatchRows,
    streamSortMemory: config.streamSortMemory,
    workingDirectory: config.workingDirectory,
    workers: config.workers,
    http: config.http,
    storage: config.storage,
    history: config.history,
    cache: config.cache,
  });
}
