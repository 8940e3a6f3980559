/**
 * The producer's side of queue mode: runs become BullMQ jobs (the execution id is the job id, so
 * a run is never queued twice), their events and results come back over the queue's event
 * stream, and cancellations reach whichever worker holds the run. Everything else a conductor
 * does (the catalog, formats, validation, the shared run history) is the local engine's.
 */
import type { Job, Queue, QueueEvents } from "bullmq";
import type { WireError, WireEvent, WireResult, WireRunOptions } from "../conductor/engine.js";
import type { NodeDefinition } from "../types/definition.js";
import { ErrorCode } from "../types/errors.js";
import type { BullMQ, ResolvedLocation } from "./connection.js";
import type { HashCommands } from "./flow-storage.js";
import { readEvents, readResult, runJobData } from "./payload.js";

/** What BullMQ says when a job's worker lost its lock and the job may not run again. */
const STALLED = "job stalled more than allowable limit";

/** How long finished jobs stay in Redis (results live on in the run history). */
const KEEP_FINISHED = { age: 3600, count: 10_000 };

/** The local engine's one queue-mode duty: recording that a run's worker died. */
export type CrashRecorder = (executionId: string, message: string) => Promise<unknown>;

type Pending = { resolve: (result: WireResult) => void; events: boolean; flowId: string | undefined };

export type ProducerOptions = {
  /** How often (ms) runs still waiting are looked up directly, in case their end went by unseen. Default 5000. */
  pollInterval?: number;
};

function failure(code: ErrorCode, message: string, executionId: string, nodeId: string | undefined): WireResult {
  const error: WireError = { code, message, executionId, nodeId, timestamp: Date.now() } as WireError;
  return { success: false, error, duration: 0, executedNodes: [] };
}

export class QueueProducer {
  private readonly queue: Queue;
  private readonly events: QueueEvents;
  private readonly pending = new Map<string, Pending>();
  private readonly ready: Promise<void>;
  private listener: (events: WireEvent[]) => void = () => {};
  private poller: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    bull: BullMQ,
    private readonly where: ResolvedLocation,
    private readonly recordCrash: CrashRecorder,
    private readonly options: ProducerOptions = {},
  ) {
    const connection = { connection: where.redis, prefix: where.prefix };
    this.queue = new bull.Queue(where.queue, connection);
    this.events = new bull.QueueEvents(where.queue, connection);
    // Connection trouble is retried by ioredis; runs in flight see it as a late answer.
    this.queue.on("error", () => {});
    this.events.on("error", () => {});
    this.events.on("progress", ({ jobId, data }) => {
      const run = this.pending.get(jobId);
      if (run?.events) this.listener(readEvents(data));
    });
    this.events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, readResult(returnvalue)));
    this.events.on("failed", ({ jobId, failedReason }) => void this.failed(jobId, failedReason));
    // Events are read from the moment the stream is joined: a job is added only after that.
    this.ready = Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]).then(() => undefined);
    this.ready.catch(() => {});
  }

  /** A Redis client of the queue's (for the shared flow storage). */
  async client(): Promise<HashCommands> {
    return (await this.queue.client) as unknown as HashCommands;
  }

  setEventListener(listener: (events: WireEvent[]) => void): void {
    this.listener = listener;
  }

  /** Queues the run and resolves with its result. Never rejects. */
  async run(flow: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
    const id = options.executionId;
    const nodeId = typeof flow?.id === "string" ? flow.id : undefined;
    if (this.closed) return failure(ErrorCode.NO_TRANSPORT, "The queue conductor has been closed", id, nodeId);
    if ((options.breakpoints?.length ?? 0) > 0) {
      return failure(ErrorCode.VALIDATION_FAILED, "breakpoints: queue mode does not pause runs (debug with a local conductor; pinned and runTo work)", id, nodeId);
    }
    // BullMQ's rule for job ids, and the execution id is the job id.
    if (/^\d+$/.test(id) || id.includes(":")) {
      return failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}': in queue mode an execution id may not be a whole number or contain ':'`, id, nodeId);
    }
    if (this.pending.has(id)) return failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}' is already running`, id, nodeId);
    let data;
    try {
      data = runJobData(flow, options);
    } catch (error) {
      return failure(ErrorCode.SERIALIZATION_FAILED, `The run cannot be queued: ${error instanceof Error ? error.message : String(error)}`, id, nodeId);
    }
    const result = new Promise<WireResult>((resolve) => this.pending.set(id, { resolve, events: options.events, flowId: nodeId }));
    try {
      await this.ready;
      const job = await this.queue.add("run", data, { jobId: id, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
      // An id already queued (by another producer, or kept from an earlier run) adds nothing.
      if (job.data.flow !== data.flow || job.data.options !== data.options) {
        this.settle(id, failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}' was already queued for another run`, id, nodeId));
      } else if (job.finishedOn !== undefined) {
        void this.lookUp(id);
      }
      this.poll();
    } catch (error) {
      this.settle(id, failure(ErrorCode.TRANSPORT_ERROR, `The run could not be queued: ${error instanceof Error ? error.message : String(error)}`, id, nodeId));
    }
    return result;
  }

  /**
   * Cancels a run wherever it is: a queued one is taken off the queue (it never starts), a
   * running one is told to stop on its worker (it ends `CANCELLED` and is not run again).
   */
  async cancel(executionId: string): Promise<boolean> {
    try {
      await this.ready;
      if ((await this.queue.remove(executionId)) === 1) {
        this.settle(executionId, failure(ErrorCode.CANCELLED, "Execution cancelled before a worker took it", executionId, this.pending.get(executionId)?.flowId));
        return true;
      }
      const job = await this.queue.getJob(executionId);
      if (!job || job.finishedOn !== undefined) return false;
      const redis = (await this.queue.client) as unknown as { publish(channel: string, message: string): Promise<number> };
      await redis.publish(this.where.cancelChannel, executionId);
      return true;
    } catch {
      return false;
    }
  }

  /** Stops listening; runs still pending resolve with a failure (they go on on their workers). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poller !== undefined) clearInterval(this.poller);
    for (const id of [...this.pending.keys()]) {
      this.settle(id, failure(ErrorCode.NO_TRANSPORT, "The queue conductor was closed before the run ended (it goes on on its worker; executions.get reads its record)", id, undefined));
    }
    await Promise.allSettled([this.events.close(), this.queue.close()]);
  }

  private settle(jobId: string, result: WireResult | undefined): void {
    const run = this.pending.get(jobId);
    if (!run) return;
    this.pending.delete(jobId);
    run.resolve(result ?? failure(ErrorCode.SERIALIZATION_FAILED, "The worker's answer could not be read", jobId, run.flowId));
  }

  private async failed(jobId: string, reason: string | undefined): Promise<void> {
    const run = this.pending.get(jobId);
    if (!run) return;
    if (reason === STALLED) {
      const message = "The worker running this flow stopped before the run ended (its lock lapsed); the run is marked crashed and not run again";
      await this.recordCrash(jobId, message).catch(() => undefined);
      this.settle(jobId, failure(ErrorCode.INTERNAL_ERROR, message, jobId, run.flowId));
    } else {
      this.settle(jobId, failure(ErrorCode.INTERNAL_ERROR, `The worker could not run the job: ${reason ?? "no reason given"}`, jobId, run.flowId));
    }
  }

  /** A run's end read from its job: for an end the event stream did not bring (it is trimmed). */
  private async lookUp(jobId: string): Promise<void> {
    let job: Job | undefined;
    try {
      job = await this.queue.getJob(jobId);
    } catch {
      return; // asked again at the next poll
    }
    if (!job) {
      this.settle(jobId, failure(ErrorCode.INTERNAL_ERROR, "The run's job is gone from the queue (removed before it ended); executions.get may still have its record", jobId, undefined));
    } else if (job.finishedOn !== undefined) {
      if (job.failedReason) await this.failed(jobId, job.failedReason);
      else this.settle(jobId, readResult(job.returnvalue));
    }
  }

  private poll(): void {
    if (this.poller !== undefined) return;
    this.poller = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.poller);
        this.poller = undefined;
        return;
      }
      for (const id of this.pending.keys()) void this.lookUp(id);
    }, this.options.pollInterval ?? 5000);
    // The pending runs' promises are what keeps a process waiting, not this timer.
    this.poller.unref?.();
  }
}
