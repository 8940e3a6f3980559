/**
 * Queue mode's durable waits. A run that parks at a `wait` node ends its job like any run (the
 * worker is free at once; the producer's `node.run` resolves with the `WAITING` result), and:
 * - a signal or an approval (`executions.signal` / `approve` on any queue conductor) wakes it in
 *   the shared store and queues it to go on, as the same run, on whichever worker is free;
 * - a time (a duration, a date, a `waitTimeout`) is a BullMQ delayed job, added by the worker the
 *   run parked on: when it comes due, the worker that takes it wakes the run — the store decides,
 *   so a run is woken once, whatever else woke it first — and queues it to go on.
 * A worker that starts adds the delayed job of every timed wait in the store (the same job id for
 * the same wait, so adding it again adds nothing): a wait whose job went with a Redis that lost
 * its data is still woken, by the next worker to start.
 */
import type { Job, Queue } from "bullmq";
import type { NativeEngine } from "../engines/native/engine.js";
import type { ExecutionWaiting } from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import { ErrorCode } from "../types/errors.js";
import type { WireResult } from "../types/wire.js";
import type { BullMQ } from "./connection.js";
import type { resolveLocation } from "./connection.js";
import { jobIdOf, runJobData } from "./payload.js";
import { KEEP_FINISHED } from "./producer.js";

/** The name of the jobs that wake a run at its time (runs' jobs are named `run`). */
export const WAKE_JOB = "wake";

/** The wake job of run `executionId`'s wait that parked at `since`: one per wait. */
function wakeJobId(executionId: string, since: number): string {
  return `wake.${executionId}.${since}`;
}

/** Timed waits looked at by one worker's start. */
const SWEPT = 100_000;

/** How long a run's job may still be ending after it parked: checked every ENDING_POLL ms, so many times. */
const ENDING_POLL = 100;
const ENDING_TRIES = 300;

/** Job states in which the job waits for a worker. */
const NOT_TAKEN = new Set(["waiting", "delayed", "prioritized", "waiting-children"]);

export class QueueWaits {
  private queue: Queue | undefined;

  constructor(
    private readonly bull: BullMQ,
    private readonly where: ReturnType<typeof resolveLocation>,
    private readonly engine: NativeEngine,
  ) {}

  private jobs(): Queue {
    if (!this.queue) {
      this.queue = new this.bull.Queue(this.where.queue, { connection: this.where.redis, prefix: this.where.prefix });
      this.queue.on("error", () => {});
    }
    return this.queue;
  }

  /** A run ended here: when it parked waiting for a time, the job that wakes it then. */
  async ended(result: WireResult): Promise<void> {
    if (result.error?.code !== ErrorCode.WAITING) return;
    const executionId = result.error.executionId ?? result.context?.executionId;
    await this.schedule(String(executionId), result.error.context as unknown as ExecutionWaiting);
  }

  private async schedule(executionId: string, waiting: ExecutionWaiting | undefined): Promise<void> {
    if (typeof waiting?.wakeAt !== "number") return;
    await this.jobs().add(
      WAKE_JOB,
      { executionId },
      {
        jobId: wakeJobId(executionId, waiting.since),
        delay: Math.max(0, waiting.wakeAt - Date.now()),
        // A store that did not answer: tried again, not lost.
        attempts: 5,
        backoff: { type: "exponential", delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /**
   * A wake job: wakes its run if its time came and queues it to go on. A run that still waits
   * (this host's clock ahead of the one that parked it) has its job moved to later; a run this
   * job woke is queued (again, when an attempt failed to).
   */
  async wake(job: Job, token: string | undefined): Promise<string> {
    const executionId = (job.data as { executionId?: unknown } | null)?.executionId;
    if (typeof executionId !== "string") return "not a wake";
    const due = await this.engine.executions("due", JSON.stringify({ executionId }));
    if (!due.ok) throw new Error(due.error.message);
    // Woken by this job (now, or by an attempt of it whose queueing failed): it is this job's to
    // queue. A run something else woke is not (a signal resumed it; it may be suspended since).
    const woken = due.value.woken.includes(executionId) || (job.data as { woken?: unknown }).woken === true;
    if (due.value.woken.includes(executionId)) await job.updateData({ executionId, woken: true });
    const record = await this.engine.executions("get", executionId);
    if (!record.ok) return "gone";
    if (record.value.status === "waiting" && due.value.next !== null && token !== undefined) {
      await job.moveToDelayed(Math.max(due.value.next, Date.now() + 100), token);
      throw new this.bull.DelayedError();
    }
    if (!woken || record.value.status !== "interrupted") return "nothing to wake";
    await this.goOn(executionId, record.value.flow);
    return "woken";
  }

  /**
   * Queues woken run `executionId` to go on, as the same run (its job id, the job of its earlier
   * part removed once it has ended), on whichever worker takes it. Nobody waits on its result:
   * its record has it. A run whose job is queued or running already is left to it.
   */
  private async goOn(executionId: string, flow: NodeDefinition): Promise<void> {
    const jobId = jobIdOf(executionId);
    const queue = this.jobs();
    let state = await queue.getJobState(jobId);
    // The worker it parked on may still be ending its job (a short wait).
    for (let tries = 0; state === "active" && tries < ENDING_TRIES; tries++) {
      await new Promise((resolve) => setTimeout(resolve, ENDING_POLL));
      state = await queue.getJobState(jobId);
    }
    if (state === "active" || NOT_TAKEN.has(state)) return;
    if (state === "completed" || state === "failed") await queue.remove(jobId);
    await queue.add("run", runJobData(flow, { executionId, resume: {}, events: false, customTypes: [] }), {
      jobId,
      attempts: 1,
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    });
  }

  /** At a worker's start: every timed wait in the store has its wake job. */
  async sweep(): Promise<void> {
    const page = await this.engine.executions("list", JSON.stringify({ status: "waiting", limit: SWEPT }));
    if (!page.ok) return;
    for (const run of page.value.executions) {
      await this.schedule(run.id, run.error?.context as unknown as ExecutionWaiting | undefined);
    }
  }

  async close(): Promise<void> {
    await this.queue?.close().catch(() => undefined);
  }
}
