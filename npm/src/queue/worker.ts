/**
 * A queue worker: takes runs off a BullMQ queue and runs them on the native engine in this
 * process, `concurrency` at a time, recording them in the shared run history. The engine runs
 * node work on its own threads, so the JS thread stays free to renew the jobs' locks; a worker
 * that dies anyway loses its locks. With `lostRuns: "resume"` (the default) its runs are durable:
 * each is checkpointed in the shared history as it goes, and BullMQ hands a lost run's job to
 * another worker, which marks the run interrupted and resumes it from its checkpoints as the same
 * run (the engine decides which nodes run again). With `"crash"` a lost run is marked crashed
 * and never run again (a flow's effects — requests sent, files written — may have happened).
 */
import type { Job, Worker } from "bullmq";
import { failedResult, type WireRunOptions } from "../conductor/engine.js";
import type { WireEvent } from "../types/wire.js";
import { customTypesOf } from "../conductor/executors.js";
import { NativeEngine } from "../engines/native/engine.js";
import type { ConductorConfig } from "../types/execution.js";
import type { QueueWorkerOptions } from "../types/options.generated.js";
import { checkQueueWorkerOptions } from "../options/entries.js";
import { ErrorCode } from "../types/errors.js";
import { loadBullmq, resolveLocation } from "./connection.js";
import { eventsProgress, executionIdOf, readRunJob, resultText } from "./payload.js";
import { queueHistoryConfig } from "./history.js";
import { lostResults as keptLostResults } from "./lost-results.js";
import { QueueWaits, WAKE_JOB } from "./waits.js";
import { MESSAGES } from "../types/wire.generated.js";
import { otelApi } from "../telemetry/api.js";
import "../telemetry/node-api.js";
import { conductorMetrics, METRIC } from "../telemetry/metrics.js";
import { RunTelemetry, type TelemetryConfig } from "../telemetry/run.js";

export type { QueueWorkerOptions } from "../types/options.generated.js";

export type QueueWorker = {
  /** This worker's id (BullMQ's worker name): host, pid and a random part. */
  readonly id: string;
  /** Execution ids running here now. */
  running(): string[];
  /**
   * Stops taking runs and lets the ones in flight finish; those still running after `grace` ms
   * (default 30000) are cancelled (they end `CANCELLED`). Resolves when the worker has let go of
   * everything.
   */
  close(options?: { grace?: number }): Promise<void>;
};

/** How many times a run whose worker died is resumed on another; lost once more, it is crashed (a run that kills its workers must not go round the pool for ever). */
const LOST_RUN_RESUMES = 3;

/** BullMQ's reason for failing a job lost more often than that. */
const STALLED_TOO_OFTEN = "job stalled more than allowable limit";

const LOST_MESSAGE = "The worker running this flow stopped before the run ended (its lock lapsed)";

/** Cancellations that arrived before their run started here, kept this long (ms). */
const EARLY_CANCEL_TTL = 60_000;

/** The ioredis calls a cancellation subscriber makes. */
type Subscriber = {
  on(event: "error", listener: (error: Error) => void): unknown;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
  disconnect(): void;
};

/**
 * A run this worker is running: its job (the latest, when the job came back), and its end.
 * `givenUp`: its lock lapsed, so it is being stopped for the worker its job goes to; `stopped`:
 * it was (its end is no result: the run goes on where it is resumed).
 */
type Running = {
  job: Job;
  events: boolean;
  sent: Promise<unknown>;
  ended?: Promise<string>;
  retaken?: boolean;
  givenUp?: boolean;
  stopped?: boolean;
};

export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  checkQueueWorkerOptions(options);
  const bull = loadBullmq();
  const where = resolveLocation(options);
  const factory = options.nodeExecutorFactory;
  const resumeLost = (options.lostRuns ?? "resume") === "resume";
  const config: ConductorConfig = {
    // No `storage`: the engine keeps saved flows and credentials beside the shared history (the
    // queue's Redis, or the pool's PostgreSQL), where the producers keep them, so a worker's
    // runs read the credentials `conductor.credentials.set` put there (given the same key).
    // Lost runs resume on another worker from their checkpoints, when a worker takes their job.
    durability: resumeLost ? { resume: "manual" } : undefined,
    workingDirectory: options.workingDirectory,
    timeout: options.timeout,
    history: queueHistoryConfig(where, options.history, options.store),
    cache: options.cache,
    // Results go back without their trace (the shared history records each node instead).
    trace: false,
  };
  const engine = new NativeEngine(config);
  engine.setExecutorFactory(factory);
  const running = new Map<string, Running>();
  const lockDuration = options.lockDuration ?? 10_000;
  // Set once the BullMQ worker exists (its Redis client keeps the results of runs it lost).
  let redisClient: () => Promise<{
    set(key: string, value: string, mode: "EX", seconds: number): Promise<unknown>;
    get(key: string): Promise<string | null>;
  }>;
  const lostResults = keptLostResults(() => redisClient(), `${where.prefix}:${where.queue}`);
  const cancelledEarly = new Map<string, ReturnType<typeof setTimeout>>();
  const report = options.onRun ?? (() => {});

  // A run's events go out as its job's progress, in order, batch by batch.
  engine.setEventListener((events: WireEvent[]) => {
    const byRun = new Map<string, WireEvent[]>();
    for (const event of events) {
      const id = (event as { executionId?: unknown }).executionId;
      if (typeof id === "string" && running.get(id)?.events) byRun.set(id, [...(byRun.get(id) ?? []), event]);
    }
    for (const [id, batch] of byRun) {
      const run = running.get(id);
      if (!run) continue;
      const progress = eventsProgress(batch);
      // A progress update that fails (the lock went) loses only those events.
      run.sent = run.sent.then(() => run.job.updateProgress(progress)).catch(() => undefined);
    }
  });

  const waits = new QueueWaits(bull, where, engine);
  const id = `${process.env.HOSTNAME ?? "host"}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  const processor = async (job: Job, token?: string): Promise<string> => {
    // A run parked at a wait whose time came (see waits.ts).
    if (job.name === WAKE_JOB) return waits.wake(job, token);
    const { flow, options: runOptions } = readRunJob(job.id, job.data);
    const executionId = runOptions.executionId;
    const flowId = typeof flow.id === "string" ? flow.id : "";
    if (cancelledEarly.has(executionId)) {
      return resultText(failedResult({ code: ErrorCode.CANCELLED, message: MESSAGES.EXECUTION_CANCELLED, executionId, nodeId: flowId }));
    }
    // The job came back to the worker still running it (its lock lapsed while Redis did not
    // answer, and the pool took it for lost): the run goes on here, and this job ends with it.
    const mine = running.get(executionId);
    if (mine?.ended && !mine.givenUp) {
      mine.job = job;
      mine.retaken = true;
      return await mine.ended;
    }
    // It came back while this worker was stopping it (its lock had lapsed): once stopped, it is
    // taken over like any lost run (below). Had it ended after all, that end is its result.
    if (mine?.ended) {
      const text = await mine.ended.catch(() => undefined);
      if (text !== undefined && !mine.stopped) return text;
    }
    // The job comes back after its worker died: the run goes on from its checkpoints, or ends.
    let resume: WireRunOptions["resume"];
    if (job.stalledCounter > 0 || mine?.stopped) {
      const takeOver = await lostRun(engine, executionId, resumeLost && runOptions.history !== false, () => lostResults.take(job));
      if ("text" in takeOver) return takeOver.text;
      if ("result" in takeOver) return resultText(failedResult({ ...takeOver.result, executionId, nodeId: flowId }));
      resume = takeOver.resume;
    }
    const run: Running = { job, events: runOptions.events, sent: Promise.resolve() };
    running.set(executionId, run);
    report({ type: resume ? "resumed" : "started", executionId, flowId });
    const api = otelApi(options.telemetry?.api);
    const metrics = options.telemetry?.enabled === false ? undefined : conductorMetrics(api);
    // The producer's span travels with the job (the run options' `telemetry`): this run's span is its child.
    const telemetry = RunTelemetry.begin(api, options.telemetry, flow, executionId, {
      parent: runOptions.telemetry,
      propagate: runOptions.telemetry?.propagate,
      input: runOptions.input,
      redactKeys: options.history?.redactKeys,
      attributes: {
        "messaging.system": "bullmq",
        "messaging.destination.name": where.queue,
        "messaging.operation.type": "process",
        "messaging.message.id": String(job.id),
      },
      kind: "consumer",
      // The worker writes the run's record (the producer that queued it counts none).
      recordsHistory: config.history !== false && runOptions.history !== false,
    });
    metrics?.queueWait.record(Math.max(0, (job.processedOn ?? Date.now()) - job.timestamp) / 1000, {
      "messaging.destination.name": where.queue,
    });
    metrics?.workerSlotsBusy.add(1, { "messaging.destination.name": where.queue });
    const ended = (async () => {
      const telemetryOption = telemetry ? { ...telemetry.wireOption(), ...telemetry.carrier() } : undefined;
      const result = await engine.run(flow, {
        ...runOptions,
        ...(resume ? { resume } : {}),
        telemetry: telemetryOption,
        customTypes: customTypesOf(flow, factory),
      });
      telemetry?.end(result);
      engine.flushEvents();
      // Taken over as lost, then ended after all by the worker that lost it (its end reached the
      // history between this worker's look and its claim, so the resume was refused): that
      // worker's kept result is the run's.
      if (resume && result.error?.code === ErrorCode.VALIDATION_FAILED && (await endedElsewhere(engine, executionId))) {
        const kept = await lostResults.take(job);
        if (kept !== undefined) return kept;
      }
      // Every event is in the stream before the result: producers see progress end, then the end.
      await run.sent;
      // The run's record is not waited for: it follows within milliseconds (the history store
      // batches writes; waiting for each run's cost a worker much of its throughput:
      // docs/PERFORMANCE.md, "Queue mode").
      report({ type: "ended", executionId, flowId, success: result.success, code: result.error?.code, duration: result.duration ?? 0 });
      // Parked waiting for a time: a delayed job wakes it then (on whichever worker takes it).
      await waits.ended(result).catch(() => undefined);
      const text = resultText(result);
      // Stopped here because its lock lapsed: the worker its job went to resumes it, so this
      // end (a cancellation) must not be kept as the run's result.
      if (run.givenUp && result.error?.code === ErrorCode.CANCELLED) {
        run.stopped = true;
        return text;
      }
      // The run ended here, but its lock may have lapsed meanwhile (Redis out of reach for longer
      // than the lock): the job then goes to another worker, and this result would be lost with
      // the lock. Should finishing the job say so, it is kept where that worker looks for it.
      lostResults.ending(run.job, text);
      return text;
    })();
    run.ended = ended;
    try {
      return await ended;
    } catch (thrown) {
      telemetry?.abandon(thrown);
      throw thrown;
    } finally {
      // The job may have come back meanwhile and be running here again under a new entry.
      if (running.get(executionId) === run) running.delete(executionId);
      metrics?.workerSlotsBusy.add(-1, { "messaging.destination.name": where.queue });
    }
  };

  const worker: Worker = new bull.Worker(where.queue, processor, {
    connection: where.redis,
    prefix: where.prefix,
    name: id,
    concurrency: options.concurrency ?? 4,
    lockDuration,
    stalledInterval: options.stalledInterval ?? 5_000,
    // What becomes of a run whose worker died (see the module comment): its job goes back to the
    // queue to be resumed, so many times; or it fails at once (at most once).
    maxStalledCount: resumeLost ? LOST_RUN_RESUMES : 0,
    // Runs are taken only once cancellations can reach them (below).
    autorun: false,
  });
  redisClient = async () => (await worker.client) as unknown as Awaited<ReturnType<typeof redisClient>>;
  worker.on("error", (error) => {
    void lostResults.reported(error);
    process.emitWarning(`queue worker ${id}: ${error.message}`, { code: "ATOMITON_QUEUE_WORKER" });
  });
  const crashed = (jobId: string | undefined) => {
    const executionId = jobId === undefined ? undefined : executionIdOf(jobId);
    if (executionId === undefined) return;
    report({ type: "crashed", executionId });
    void engine.markCrashed(executionId, `${LOST_MESSAGE}; the run is marked crashed and not run again`);
  };
  // At most once: a stalled job is the run's end. Resumed: its job is back in the queue, and
  // ends only once lost too often (BullMQ fails it when a worker next takes it).
  worker.on("stalled", (jobId) => {
    if (!resumeLost) crashed(jobId);
  });
  worker.on("completed", (job) => lostResults.finished(job.id));
  worker.on("failed", (job, error) => {
    lostResults.finished(job?.id);
    if (resumeLost && error?.message === STALLED_TOO_OFTEN) crashed(job?.id);
  });
  // This worker could not renew a run's lock (its JS thread was blocked too long, or Redis was
  // away): the pool takes the run for lost, so it must not go on here. A durable run is stopped
  // as suspended (recorded interrupted, its checkpoints kept) for the worker that takes it over;
  // once that worker has claimed it, nothing more this one writes lands.
  worker.on("lockRenewalFailed", (jobIds: string[]) => {
    for (const jobId of jobIds) {
      const executionId = executionIdOf(jobId);
      const run = executionId === undefined ? undefined : running.get(executionId);
      // A run whose job came back here holds the job's new lock: it goes on.
      if (executionId === undefined || run === undefined || run.retaken) continue;
      run.givenUp = true;
      if (resumeLost) void engine.executions("suspend", executionId).catch(() => engine.cancel(executionId));
      else void engine.cancel(executionId);
    }
  });

  // Cancellations for runs anywhere in the pool; the worker holding the run acts on it.
  let subscriber: Subscriber | undefined;
  try {
    subscriber = ((await worker.client) as unknown as { duplicate(): Subscriber }).duplicate();
    subscriber.on("error", () => {});
    subscriber.on("message", (_channel: string, executionId: string) => {
      if (running.has(executionId)) {
        void engine.cancel(executionId);
      } else {
        clearTimeout(cancelledEarly.get(executionId));
        const timer = setTimeout(() => cancelledEarly.delete(executionId), EARLY_CANCEL_TTL);
        timer.unref?.();
        cancelledEarly.set(executionId, timer);
      }
    });
    await subscriber.subscribe(where.cancelChannel);
    await worker.waitUntilReady();
  } catch (error) {
    // Nothing is left running when the worker cannot start.
    subscriber?.disconnect();
    await worker.close(true).catch(() => undefined);
    engine.close();
    throw error;
  }
  const depth = observeQueueDepth(bull, where, options.telemetry);
  // Timed waits whose wake job Redis lost (it restarted empty) get it again.
  void waits.sweep().catch(() => undefined);
  void worker
    .run()
    .catch((error: Error) => process.emitWarning(`queue worker ${id} stopped: ${error.message}`, { code: "ATOMITON_QUEUE_WORKER" }));

  let closing: Promise<void> | undefined;
  return {
    id,
    running: () => [...running.keys()],
    close(closeOptions = {}) {
      closing ??= (async () => {
        const grace = closeOptions.grace ?? 30_000;
        const stopped = worker.close();
        const timer = setTimeout(() => {
          for (const executionId of running.keys()) void engine.cancel(executionId);
        }, grace);
        try {
          await stopped;
        } finally {
          clearTimeout(timer);
          lostResults.clear();
          for (const timer of cancelledEarly.values()) clearTimeout(timer);
          subscriber?.disconnect();
          await depth?.close().catch(() => undefined);
          await waits.close();
          await engine.executions("flush", "");
          engine.close();
        }
      })();
      return closing;
    },
  };
}

/**
 * `atomiton.queue.depth` (runs waiting, delayed and active in the queue), read from Redis when
 * the metric is collected; only with a meter provider registered.
 */
function observeQueueDepth(bull: ReturnType<typeof loadBullmq>, where: ReturnType<typeof resolveLocation>, telemetry?: TelemetryConfig) {
  const metrics = telemetry?.enabled === false ? undefined : conductorMetrics(otelApi(telemetry?.api));
  if (!metrics) return undefined;
  const queue = new bull.Queue(where.queue, { connection: where.redis, prefix: where.prefix });
  queue.on("error", () => {});
  metrics.meter.createObservableGauge(METRIC.queueDepth, { description: "Runs in the queue, by state" }).addCallback(async (result) => {
    const counts = await queue.getJobCounts("waiting", "delayed", "active", "prioritized").catch(() => undefined);
    for (const [state, count] of Object.entries(counts ?? {})) {
      result.observe(count, { "messaging.destination.name": where.queue, state });
    }
  });
  return queue;
}

/** What a worker taking over a lost run's job does: resume it, answer with the result its first worker kept, or with a failure. */
type TakeOver = { resume: WireRunOptions["resume"] } | { text: string } | { result: { code: ErrorCode; message: string } };

/**
 * A run whose worker died, taken over here: marked interrupted in the shared history (crashed,
 * when it was not durable) while the dead worker still holds it there, then resumed from its
 * checkpoints. A run the history never saw (its worker died before its first write reached
 * Redis) had no node with effects start yet (one starts only once everything before it is
 * stored): it starts from the beginning.
 */
/** Whether the run's record says it ended (not running, not waiting to be resumed). */
async function endedElsewhere(engine: NativeEngine, executionId: string): Promise<boolean> {
  const record = await engine.executions("get", executionId).catch(() => undefined);
  return record?.ok === true && !["running", "interrupted"].includes(record.value.status);
}

async function lostRun(
  engine: NativeEngine,
  executionId: string,
  resumable: boolean,
  keptResult: () => Promise<string | undefined>,
): Promise<TakeOver> {
  if (!resumable) {
    await engine.markCrashed(executionId, `${LOST_MESSAGE}; the run is marked crashed and not run again`);
    return { result: { code: ErrorCode.INTERNAL_ERROR, message: `${LOST_MESSAGE}; the run is marked crashed and not run again` } };
  }
  const status = await engine.markLost(executionId, LOST_MESSAGE);
  if (status === "interrupted" || status === "") return { resume: status === "" ? undefined : {} };
  // Ended on the worker that lost it (cut off from Redis past its lock): the result it kept.
  if (status !== "crashed") {
    const text = await keptResult();
    if (text !== undefined) return { text };
  }
  const why =
    status === "crashed" ? "it is marked crashed and not run again" : `it had already ended (${status}): executions.get has its record`;
  return { result: { code: ErrorCode.INTERNAL_ERROR, message: `${LOST_MESSAGE}; ${why}` } };
}
