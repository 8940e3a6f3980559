/**
 * `atomiton worker`: a queue worker process (docs/queue.md). Takes runs off the queue in
 * Redis and runs them on the native engine, `--concurrency` at a time; prints a line as each
 * starts and ends. SIGTERM or Ctrl-C: stop taking runs, let those in flight finish (cancelling
 * what is left after `--grace` ms), exit 0.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { databaseUrl } from "../queue/history.js";
import { startQueueWorker, type QueueWorkerEvent } from "../queue/index.js";
import type { NodeExecutable, NodeExecutorFactory } from "../types/execution.js";
import { integerOption, parseCommandArgs, QUEUE_OPTIONS } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { setupObservability } from "./observability.js";
import { writeOut } from "./output.js";
import { stopSignal } from "./stop-signal.js";
import { probe } from "./store-probe.js";

/** The environment variable naming the Redis server when `--redis` is not given. */
export const REDIS_VARIABLE = "ATOMITON_REDIS_URL";

/**
 * The node types an `--executors` module provides: its `nodeExecutorFactory` export or default
 * export, either a factory (`getNodeExecutable(type)`) or an object of executables by type.
 */
async function loadExecutors(file: string): Promise<NodeExecutorFactory> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(file)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`cannot load --executors ${file}: ${error instanceof Error ? error.message : String(error)}`, "worker");
  }
  const given = module.nodeExecutorFactory ?? module.default;
  if (typeof given === "object" && given !== null) {
    if (typeof (given as NodeExecutorFactory).getNodeExecutable === "function") return given as NodeExecutorFactory;
    const byType = given as Record<string, NodeExecutable>;
    return { getNodeExecutable: (type) => (Object.hasOwn(byType, type) ? byType[type] : undefined) };
  }
  throw new UsageError(
    `--executors ${file}: export a nodeExecutorFactory (or default) with getNodeExecutable(type), or an object of executors by node type`,
    "worker",
  );
}

function describe(event: QueueWorkerEvent): string {
  if (event.type === "started") return `started ${event.executionId} (${event.flowId})`;
  if (event.type === "resumed") return `resumed ${event.executionId} (${event.flowId}) from its checkpoints: its worker stopped`;
  if (event.type === "crashed") return `crashed ${event.executionId} (its worker stopped)`;
  return `${event.success ? "completed" : `failed ${event.code ?? ""}`} ${event.executionId} (${event.flowId}) in ${Math.round(event.duration)} ms`;
}

/** How long `atomiton worker` waits for its stores by default (ms). */
const STORE_WAIT_MS = 300_000;

/** Delays between tries to reach the stores (ms): growing, then every 15 s. */
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15_000];

/**
 * `start()`, tried again while its stores (Redis, PostgreSQL) cannot be reached, for up to
 * `waitMs`: a worker started before its stores (a machine booting, a restart) waits for them
 * instead of exiting, saying so each time. A mistake in the options fails at once.
 */
async function waitingForStores<T>(waitMs: number, quiet: boolean, start: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const unreachable = /cannot (reach|connect to)|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|Connection is closed/i.test(
        error instanceof Error ? error.message : String(error),
      );
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)] ?? 15_000;
      if (!unreachable || Date.now() + delay > deadline) throw error;
      if (!quiet || attempt === 0) {
        writeOut(`waiting for the stores (${error instanceof Error ? error.message : String(error)}); trying again in ${delay / 1000} s`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function lostRunsOption(value: unknown): "resume" | "crash" | undefined {
  if (value === undefined || value === "resume" || value === "crash") return value;
  throw new UsageError(`--lost-runs takes resume or crash, not '${String(value)}'`, "worker");
}

export async function workerCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("worker", args, {
    ...QUEUE_OPTIONS,
    concurrency: { type: "string", short: "c" },
    executors: { type: "string" },
    grace: { type: "string" },
    "lock-duration": { type: "string" },
    "stalled-interval": { type: "string" },
    "lost-runs": { type: "string" },
    wait: { type: "string" },
    store: { type: "string" },
    timeout: { type: "string" },
    cwd: { type: "string" },
    cache: { type: "boolean" },
    quiet: { type: "boolean", short: "q" },
    "metrics-port": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.worker ?? "");
    return ExitCode.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, "worker");
  const redis = typeof values.redis === "string" ? values.redis : process.env[REDIS_VARIABLE];
  if (!redis) throw new UsageError(`give the Redis server with --redis redis://host:port (or ${REDIS_VARIABLE})`, "worker");
  const grace = integerOption("worker", "grace", values.grace, 0) ?? 30_000;
  const quiet = values.quiet === true;
  const observability = await setupObservability("worker", { port: integerOption("worker", "metrics-port", values["metrics-port"], 0) });
  const waitMs = integerOption("worker", "wait", values.wait, 0) ?? STORE_WAIT_MS;
  let worker: Awaited<ReturnType<typeof startQueueWorker>>;
  try {
    const store = databaseUrl(typeof values.store === "string" ? values.store : undefined);
    worker = await waitingForStores(waitMs, quiet, async () => {
      await probe("Redis", redis, 6379);
      if (store) await probe("PostgreSQL", store, 5432);
      return startQueueWorker({
        telemetry: observability ? { api: observability.api } : undefined,
        connection: redis,
        queue: typeof values.queue === "string" ? values.queue : undefined,
        prefix: typeof values.prefix === "string" ? values.prefix : undefined,
        concurrency: integerOption("worker", "concurrency", values.concurrency, 1),
        lockDuration: integerOption("worker", "lock-duration", values["lock-duration"], 100),
        stalledInterval: integerOption("worker", "stalled-interval", values["stalled-interval"], 100),
        lostRuns: lostRunsOption(values["lost-runs"]),
        store,
        timeout: integerOption("worker", "timeout", values.timeout, 1),
        workingDirectory: typeof values.cwd === "string" ? resolve(values.cwd) : process.cwd(),
        cache: values.cache === true,
        nodeExecutorFactory: typeof values.executors === "string" ? await loadExecutors(values.executors) : undefined,
        onRun: quiet ? undefined : (event) => writeOut(describe(event)),
      });
    });
  } catch (error) {
    await observability?.shutdown();
    if (error instanceof UsageError) throw error;
    throw new UsageError(error instanceof Error ? error.message : String(error), "worker");
  }
  const stopped = stopSignal();
  writeOut(`worker ${worker.id} ready: queue on ${redis}`);
  if (observability?.metricsUrl) writeOut(`Prometheus metrics: ${observability.metricsUrl}`);
  const signal = await stopped;
  // A second signal while draining: stop at once (the runs left are then found crashed).
  const force = (again: NodeJS.Signals) => {
    writeOut(`${again}: stopping now, without waiting for the runs in flight`);
    process.exit(ExitCode.INTERRUPTED);
  };
  process.removeAllListeners("SIGINT").removeAllListeners("SIGTERM").once("SIGINT", force).once("SIGTERM", force);
  const inFlight = worker.running().length;
  writeOut(`${signal}: taking no more runs; finishing ${inFlight} in flight (grace ${grace} ms; the same signal again stops at once)`);
  await worker.close({ grace });
  await observability?.shutdown();
  writeOut("worker stopped");
  return ExitCode.OK;
}
