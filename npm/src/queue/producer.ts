/**
 * The producer's side of queue mode: runs become BullMQ jobs (the execution id is the job id, so
 * a run is never queued twice), their events and results come back over the queue's event
 * stream, and cancellations reach whichever worker holds the run. Everything else a conductor
 * does (the catalog, formats, validation, the shared run history) is the local engine's.
 */
import type { Job, Queue, QueueEvents } from "bullmq";
import { failedResult, type WireRunOptions } from "../conductor/engine.js";
import type { WireEvent, WireResult } from "../types/wire.js";
import type { NodeDefinition } from "../types/definition.js";
import type { RecordedRunStatus } from "../types/history.js";
import { ErrorCode } from "../types/errors.js";
import type { BullMQ, ResolvedLocation } from "./connection.js";
import { executionIdOf, jobIdOf, readEvents, readResult, runJobData } from "./payload.js";

/** What BullMQ says when a job's worker lost its lock and the job may not run again. */
const STALLED = "job stalled more than allowable limit";

/** How long finished jobs stay in Redis (results live on in the run history). */
export const KEEP_FINISHED = { age: 3600, count: 10_000 };

/** How long a resume waits for the job of the run's earlier part to end: checked every RESUME_POLL ms, so many times. */
const RESUME_POLL = 100;
const RESUME_TRIES = 50;

/** Job states in which no worker holds the job yet. */
const NOT_TAKEN = new Set(["waiting", "delayed", "prioritized", "waiting-children"]);

/**
 * How long a run whose job is gone, recorded as ended, waits for the result its worker keeps:
 * the worker records the end first, then keeps the result once its Redis connection is back
 * (as long as the worker a lost job went to waits for it, lost-results.ts).
 */
const KEPT_RESULT_GRACE_MS = 30_000;

/** How long a cancel or close waits for Redis before giving up (it may be down). */
const REDIS_PATIENCE_MS = 5000;

/** The local engine's one queue-mode duty: recording that a run's worker died. */
export type CrashRecorder = (executionId: string, message: string) => Promise<unknown>;

/**
 * A run's status in the shared history: null when it has no record, undefined when the history
 * cannot be read now, "off" when no history outlives the queue's Redis (`history: false`, or the
 * history in that same Redis: a Redis that lost the job lost the record too).
 */
export type StatusReader = (executionId: string) => Promise<RecordedRunStatus | null | undefined | "off">;

type Pending = {
  resolve: (result: WireResult) => void;
  events: boolean;
  flowId: string | undefined;
  /** What was queued, to queue it again if Redis loses the job before any worker began it. */
  flow: NodeDefinition;
  options: WireRunOptions;
  /** When a look-up first found the job gone and the run without a record. */
  goneUnrecorded?: number;
  /** When a look-up first found the job gone and the run ended, with no result kept. */
  goneEnded?: number;
};

export type ProducerOptions = {
  /** How often (ms) runs still waiting are looked up directly, in case their end went by unseen. Default 5000. */
  pollInterval?: number;
};

function failure(code: ErrorCode, message: string, executionId: string, nodeId: string | undefined): WireResult {
  return failedResult({ code, message, executionId, nodeId });
}

export class QueueProducer {
  private readonly queue: Queue;
  private events: QueueEvents | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly ready: Promise<void>;
  private listener: (events: WireEvent[]) => void = () => {};
  private poller: ReturnType<typeof setInterval> | undefined;
  private polling = false;
  /** Runs being added to the queue, by execution id. */
  private readonly adding = new Map<string, Promise<void>>();
  private closed = false;

  constructor(
    private readonly bull: BullMQ,
    private readonly where: ResolvedLocation,
    private readonly recordCrash: CrashRecorder,
    private readonly statusOf: StatusReader,
    private readonly options: ProducerOptions = {},
  ) {
    this.queue = new bull.Queue(where.queue, { connection: where.redis, prefix: where.prefix });
    // Connection trouble is retried by ioredis; runs in flight see it as a late answer.
    this.queue.on("error", () => {});
    this.ready = this.listen();
    this.ready.catch(() => {});
  }

  /**
   * Joins the queue's event stream from its current end, read before any job is added: events
   * of every run this producer queues come after that point (`$` would mean "from whenever the
   * reader gets round to blocking", and a quick run could end before that).
   */
  private async listen(): Promise<void> {
    await this.queue.waitUntilReady();
    const client = (await this.queue.client) as unknown as {
      xrevrange(key: string, end: string, start: string, count: "COUNT", n: number): Promise<Array<[string, string[]]>>;
    };
    const last = await client.xrevrange(this.queue.toKey("events"), "+", "-", "COUNT", 1);
    // Closed meanwhile: no event stream opens after close() has let go of this producer's.
    if (this.closed) return;
    const events = new this.bull.QueueEvents(this.where.queue, {
      connection: this.where.redis,
      prefix: this.where.prefix,
      lastEventId: last[0]?.[0] ?? "0-0",
    });
    this.events = events;
    events.on("error", () => {});
    events.on("progress", ({ jobId, data }) => {
      const run = this.pending.get(executionIdOf(jobId) ?? "");
      if (run?.events) this.listener(readEvents(data));
    });
    events.on("completed", ({ jobId, returnvalue }) => this.completed(jobId, returnvalue));
    events.on("failed", ({ jobId, failedReason }) => void this.failed(jobId, failedReason));
    // A stalled job is the run's end when its workers run lost runs at most once; when they
    // resume them it is back in the queue, and ends only once lost too often.
    events.on("stalled", ({ jobId }) => void this.stalled(jobId));
    await events.waitUntilReady();
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
      return failure(
        ErrorCode.VALIDATION_FAILED,
        "breakpoints: queue mode does not pause runs (debug with a local conductor; pinned and runTo work)",
        id,
        nodeId,
      );
    }
    // BullMQ's rule for job ids (the job id is the execution id behind a fixed prefix).
    if (id.includes(":"))
      return failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}': in queue mode an execution id may not contain ':'`, id, nodeId);
    if (this.pending.has(id)) return failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}' is already running`, id, nodeId);
    let data: ReturnType<typeof runJobData>;
    try {
      data = runJobData(flow, options);
    } catch (error) {
      return failure(
        ErrorCode.SERIALIZATION_FAILED,
        `The run cannot be queued: ${error instanceof Error ? error.message : String(error)}`,
        id,
        nodeId,
      );
    }
    const result = new Promise<WireResult>((resolve) =>
      this.pending.set(id, { resolve, events: options.events, flowId: nodeId, flow, options }),
    );
    const queued = this.enqueue(id, nodeId, data, options.resume !== undefined);
    this.adding.set(id, queued);
    await queued;
    this.adding.delete(id);
    return result;
  }

  private async enqueue(id: string, nodeId: string | undefined, data: ReturnType<typeof runJobData>, resuming: boolean): Promise<void> {
    try {
      await this.ready;
      const jobId = jobIdOf(id);
      // A resume is the same run, so the same job id: the job of its interrupted attempt goes
      // (once it has ended: a run woken from a short wait may still have its job ending).
      if (resuming) {
        let state = await this.queue.getJobState(jobId);
        for (let tries = 0; state === "active" && tries < RESUME_TRIES; tries++) {
          await new Promise((resolve) => setTimeout(resolve, RESUME_POLL));
          state = await this.queue.getJobState(jobId);
        }
        if (state === "completed" || state === "failed") await this.queue.remove(jobId);
      }
      await this.queue.add("run", data, { jobId, attempts: 1, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
      // Adding an id that exists adds nothing (and says nothing): the job's data tells whose it is.
      const client = (await this.queue.client) as unknown as { hget(key: string, field: string): Promise<string | null> };
      if ((await client.hget(this.queue.toKey(jobId), "data")) !== JSON.stringify(data)) {
        this.settle(id, failure(ErrorCode.VALIDATION_FAILED, `executionId '${id}' was already queued for another run`, id, nodeId));
      }
      this.poll();
    } catch (error) {
      this.settle(
        id,
        failure(
          ErrorCode.TRANSPORT_ERROR,
          `The run could not be queued: ${error instanceof Error ? error.message : String(error)}`,
          id,
          nodeId,
        ),
      );
    }
  }

  /**
   * Cancels a run wherever it is: a queued one is taken off the queue (it never starts), a
   * running one is told to stop on its worker (it ends `CANCELLED` and is not run again). False
   * for a run that has ended or does not exist. Gives up (false) when Redis does not answer within
   * 5 s, and then changes nothing: false always means not cancelled.
   */
  cancel(executionId: string): Promise<boolean> {
    // Answered false once Redis kept it waiting: from then on it changes nothing (a cancel that
    // answered false and then went through once Redis came back would be a lie).
    const late = { answered: false };
    return withPatience(this.cancelNow(executionId, late), false, () => {
      late.answered = true;
    });
  }

  private async cancelNow(executionId: string, late: { answered: boolean }): Promise<boolean> {
    try {
      await this.ready;
      // A run this producer is still queueing is cancelled once it is queued.
      await this.adding.get(executionId);
      const jobId = jobIdOf(executionId);
      const state = await this.queue.getJobState(jobId);
      if (late.answered) return false;
      // Only a job no worker holds is removed (`remove` would also delete a finished or running one).
      if (NOT_TAKEN.has(state) && (await this.queue.remove(jobId)) === 1) {
        this.settle(
          executionId,
          failure(ErrorCode.CANCELLED, "Execution cancelled before a worker took it", executionId, this.pending.get(executionId)?.flowId),
        );
        return true;
      }
      // Taken meanwhile, or running: the worker holding it stops it.
      if (NOT_TAKEN.has(state) || state === "active") {
        const redis = (await this.queue.client) as unknown as { publish(channel: string, message: string): Promise<number> };
        if (late.answered) return false;
        await redis.publish(this.where.cancelChannel, executionId);
        return true;
      }
      return false;
    } catch {
      return false;
    }
  }

  /** Stops listening; runs still pending resolve with a failure (they go on on their workers). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.poller !== undefined) clearInterval(this.poller);
    for (const id of [...this.pending.keys()]) {
      this.settle(
        id,
        failure(
          ErrorCode.NO_TRANSPORT,
          "The queue conductor was closed before the run ended (it goes on on its worker; executions.get reads its record)",
          id,
          undefined,
        ),
      );
    }
    // Closed only once its event stream is open and ready (or failed to be): a BullMQ queue or
    // QueueEvents closed while it still connects leaves a command behind that its closing
    // connection rejects, unhandled (seen as "Connection is closed." after close resolved).
    const ready = await withPatience(
      this.ready.then(
        () => true,
        () => true,
      ),
      false,
    );
    const connections = [this.events, this.queue].filter((target) => target !== undefined);
    const closed =
      ready &&
      (await withPatience(
        Promise.allSettled(connections.map((target) => target.close())).then(() => true),
        false,
      ));
    // Redis did not answer (stopped while this producer still connected, or since): each
    // connection is dropped, not waited for. A graceful close waits behind its QUIT for as long
    // as Redis is away; BullMQ's disconnect() waits for a connection that never became ready, and
    // then for an `end` event that a connection the server already closed may never emit.
    if (!closed) for (const target of connections) dropConnection(target, ready);
  }

  private settle(executionId: string, result: WireResult | undefined): void {
    const run = this.pending.get(executionId);
    if (!run) return;
    this.pending.delete(executionId);
    run.resolve(result ?? failure(ErrorCode.SERIALIZATION_FAILED, "The worker's answer could not be read", executionId, run.flowId));
  }

  private completed(jobId: string, returnvalue: unknown): void {
    const id = executionIdOf(jobId);
    // Every producer sees every run's end; only its own are read.
    if (id !== undefined && this.pending.has(id)) this.settle(id, readResult(returnvalue));
  }

  private async failed(jobId: string, reason: string | undefined): Promise<void> {
    const id = executionIdOf(jobId);
    const run = id === undefined ? undefined : this.pending.get(id);
    if (!run || id === undefined) return;
    if (reason === STALLED) {
      const message =
        "The worker running this flow stopped before the run ended (its lock lapsed); the run is marked crashed and not run again";
      await this.recordCrash(id, message).catch(() => undefined);
      this.settle(id, failure(ErrorCode.INTERNAL_ERROR, message, id, run.flowId));
    } else {
      this.settle(
        id,
        failure(ErrorCode.INTERNAL_ERROR, `The worker could not run the job: ${reason ?? "no reason given"}`, id, run.flowId),
      );
    }
  }

  /** A run whose worker died: ended, when BullMQ will not hand its job to another worker. */
  private async stalled(jobId: string): Promise<void> {
    const id = executionIdOf(jobId);
    if (id === undefined || !this.pending.has(id)) return;
    const job = await this.queue.getJob(jobId).catch(() => undefined);
    // Gone, or failed already: the poll or the "failed" event says how it ended.
    if (job?.deferredFailure) await this.failed(jobId, STALLED);
  }

  /** A run's end read from its job: for an end the event stream did not bring (it is trimmed). */
  private async lookUp(executionId: string): Promise<void> {
    const jobId = jobIdOf(executionId);
    let job: Job | undefined;
    try {
      job = await this.queue.getJob(jobId);
    } catch {
      return; // asked again at the next poll
    }
    if (!job) {
      // Not while it is still being added (a poll may come between `pending` and `add`).
      if (!this.adding.has(executionId)) await this.gone(executionId, jobId).catch(() => undefined); // asked again at the next poll
      return;
    }
    // There: what an earlier look-up found gone came back (or was queued again).
    const run = this.pending.get(executionId);
    if (run) run.goneUnrecorded = run.goneEnded = undefined;
    if (job.finishedOn !== undefined) {
      if (job.failedReason) await this.failed(jobId, job.failedReason);
      else this.settle(executionId, readResult(job.returnvalue));
    }
  }

  /**
   * A run whose job is gone from Redis: Redis restarted without persistence (or was flushed), or
   * someone removed the job. The run is still answered as it went:
   * - its worker ended it after the job went: the result it kept is the answer (lost-results.ts);
   * - the history has it running: its worker still runs it, and keeps its result when it ends;
   * - no record twice, a look-up apart (no worker began it: the job was lost while it waited), or
   *   interrupted (its worker is gone too, and it may resume): it is queued again, as it was
   *   (resuming from its checkpoints);
   * - ended, and no result kept within a grace (the worker records the end, then keeps the
   *   result): the answer is an error naming how it ended (as it is with no history to read).
   */
  private async gone(executionId: string, jobId: string): Promise<void> {
    const run = this.pending.get(executionId);
    if (!run) return;
    const client = (await this.queue.client) as unknown as { get(key: string): Promise<string | null> };
    const kept = await client.get(`${this.where.prefix}:${this.where.queue}:lost-result:${jobId}`);
    if (kept !== null) return this.settle(executionId, readResult(kept));
    // A run that records nothing (`history: false` for it) has no record to go by.
    const status = run.options.history === false ? "off" : await this.statusOf(executionId);
    if (status === undefined || status === "running") return;
    if (status === "off") {
      const message = "The run's job is gone from the queue (removed, or lost by Redis, before it ended), and no history says how it went";
      return this.settle(executionId, failure(ErrorCode.INTERNAL_ERROR, message, executionId, run.flowId));
    }
    if (status === null && run.goneUnrecorded === undefined) {
      // A worker may have taken it a moment before Redis went, and not recorded it yet.
      run.goneUnrecorded = Date.now();
      return;
    }
    if (status === null || status === "interrupted") {
      run.goneUnrecorded = undefined;
      const options = status === "interrupted" ? { ...run.options, resume: run.options.resume ?? {} } : run.options;
      // Settled meanwhile (closed, cancelled): not queued again.
      if (this.pending.get(executionId) !== run) return;
      await this.queue.add("run", runJobData(run.flow, options), {
        jobId,
        attempts: 1,
        removeOnComplete: KEEP_FINISHED,
        removeOnFail: KEEP_FINISHED,
      });
      return;
    }
    run.goneEnded ??= Date.now();
    if (Date.now() - run.goneEnded < KEPT_RESULT_GRACE_MS) return;
    this.settle(
      executionId,
      failure(
        ErrorCode.INTERNAL_ERROR,
        `The run ended ${status} on its worker, but its result went with its job (Redis lost it); executions.get has its record`,
        executionId,
        run.flowId,
      ),
    );
  }

  private poll(): void {
    if (this.poller !== undefined) return;
    this.poller = setInterval(() => {
      if (this.pending.size === 0) {
        clearInterval(this.poller);
        this.poller = undefined;
        return;
      }
      // One round at a time, and none while Redis is away (its commands would only queue up).
      if (this.polling) return;
      this.polling = true;
      void Promise.allSettled([...this.pending.keys()].map((id) => this.lookUp(id))).then(() => (this.polling = false));
    }, this.options.pollInterval ?? 5000);
    // The pending runs' promises are what keeps a process waiting, not this timer.
    this.poller.unref?.();
  }
}

/** `work`, or `fallback` once Redis has had `REDIS_PATIENCE_MS` to answer. */
/**
 * Ends a BullMQ queue's or event stream's Redis connection without waiting for Redis, so that it
 * stops reconnecting (a connection left reconnecting to a Redis that is gone would keep the
 * process alive after close()); commands still queued on it fail. `wasReady`: it was ready, and a
 * graceful close was tried, so disconnect() no longer waits for it to be. Otherwise BullMQ's
 * forced close of the connection, the one call that ends it in any state (its disconnect() first
 * waits for the connection to become ready).
 */
function dropConnection(target: Queue | QueueEvents, wasReady: boolean): void {
  const connection = (target as unknown as { connection?: { close?: (force: boolean) => Promise<void> } }).connection;
  const dropped = !wasReady && typeof connection?.close === "function" ? connection.close(true) : target.disconnect();
  dropped.catch(() => {});
}

function withPatience<T>(work: Promise<T>, fallback: T, gaveUp?: () => void): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<T>(
    (resolve) =>
      (timer = setTimeout(() => {
        gaveUp?.();
        resolve(fallback);
      }, REDIS_PATIENCE_MS)),
  );
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
