/**
 * Results of runs that ended on a worker which had lost their job meanwhile (Redis out of its
 * reach for longer than the job's lock): BullMQ then hands the job to another worker, and the
 * first one's result would be lost with its lock. That worker keeps it in Redis; the worker the
 * job went to answers with it instead of running the run again (the run's record already says it
 * ended).
 *
 * Whether the job was lost is BullMQ's answer to finishing it, not a guess from connection
 * errors: a cut connection is often noticed only after the run has ended, while finishing a job
 * whose lock lapsed always fails once Redis answers: "Missing lock" (nobody holds it yet), "Lock
 * mismatch" (another worker does), "Missing key" (Redis restarted without the job).
 */
import type { Job } from "bullmq";

/** The Redis commands used (an ioredis client has them). */
type Commands = {
  set(key: string, value: string, mode: "EX", seconds: number): Promise<unknown>;
  get(key: string): Promise<string | null>;
};

/** How long a kept result stays (s). */
const KEPT_SECONDS = 3600;
/** How long the worker that took the job over waits for the first one to keep its result (ms). */
const WAIT_MS = 30_000;
const POLL_MS = 200;

/**
 * BullMQ's errors for finishing a job this worker no longer holds (its scripts' `finishedErrors`):
 * no lock, another worker's lock, no job at all (Redis restarted empty), or a job no longer active.
 */
const JOB_LOST =
  /^(?:Missing (?:lock|key) for job (.+?)\. |Lock mismatch for job (.+?)\. Cmd |Job (.+?) is not in the active state\. )moveToFinished/;

export type LostResults = {
  /** `job`'s run ended here with `text`: kept if finishing the job turns out to fail for its lock. */
  ending(job: Job, text: string): void;
  /** BullMQ finished the job (completed or failed): its result reached the queue. */
  finished(jobId: string | undefined): void;
  /** An error BullMQ's worker reported: when it says a job's lock was lost, that job's result is kept. */
  reported(error: Error): Promise<void>;
  /** The result the job's first worker kept, waiting a while for it; undefined when none came. */
  take(job: Job): Promise<string | undefined>;
  /** Forgets results still waiting for their job to finish (the worker is closing). */
  clear(): void;
};

export function lostResults(client: () => Promise<Commands>, keyPrefix: string): LostResults {
  const ending = new Map<string, string>();
  const keyOf = (jobId: string) => `${keyPrefix}:lost-result:${jobId}`;
  return {
    ending(job, text) {
      if (job.id !== undefined) ending.set(job.id, text);
    },
    finished(jobId) {
      if (jobId !== undefined) ending.delete(jobId);
    },
    async reported(error) {
      const found = JOB_LOST.exec(error.message);
      const jobId = found?.[1] ?? found?.[2] ?? found?.[3];
      const text = jobId === undefined ? undefined : ending.get(jobId);
      if (jobId === undefined || text === undefined) return;
      ending.delete(jobId);
      // Redis answered the finish, but may drop again before the SET: tried until it is kept or
      // the worker the job went to has stopped waiting for it.
      await poll(async () =>
        (await (await client()).set(keyOf(jobId), text, "EX", KEPT_SECONDS).then(
          () => true,
          () => false,
        ))
          ? true
          : undefined,
      );
    },
    take(job) {
      return poll(async () =>
        job.id === undefined ? undefined : ((await (await client()).get(keyOf(job.id)).catch(() => null)) ?? undefined),
      );
    },
    clear() {
      ending.clear();
    },
  };
}

/** `attempt` every POLL_MS until it gives a value or WAIT_MS have passed (then undefined). */
async function poll<T>(attempt: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await attempt();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
