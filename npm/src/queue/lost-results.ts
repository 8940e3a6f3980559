/**
 * Results of runs that ended on a worker which had lost their job meanwhile (Redis out of its
 * reach for longer than the job's lock): BullMQ then hands the job to another worker, and the
 * first one's result would be lost with its lock. That worker keeps it in Redis; the worker the
 * job went to answers with it instead of running the run again (the run's record already says it
 * ended).
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

export type LostResults = {
  /** Redis could not be reached, or a lock was not renewed: the runs ending now check their lock. */
  trouble(): void;
  /** Keeps `text` when `job`'s lock is no longer this worker's (checked only after trouble since `since`). */
  keepIfLost(job: Job, text: string, since: number): Promise<void>;
  /** The result the job's first worker kept, waiting a while for it; undefined when none came. */
  take(job: Job): Promise<string | undefined>;
};

export function lostResults(client: () => Promise<Commands>, keyPrefix: string, lockDuration: number): LostResults {
  let troubleAt = Number.NEGATIVE_INFINITY;
  const keyOf = (job: Job) => `${keyPrefix}:lost-result:${job.id}`;
  return {
    trouble() {
      troubleAt = Date.now();
    },
    async keepIfLost(job, text, since) {
      if (troubleAt < since || job.token === undefined) return;
      const held = await job.extendLock(job.token, lockDuration).catch(() => 0);
      if (held === 1) return;
      // Redis may still be out of reach (what made the lock lapse): tried again until it is kept
      // or the worker the job went to has stopped waiting for it.
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const kept = await (await client()).set(keyOf(job), text, "EX", KEPT_SECONDS).then(
          () => true,
          () => false,
        );
        if (kept || Date.now() > deadline) return;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async take(job) {
      const deadline = Date.now() + WAIT_MS;
      for (;;) {
        const text = await (await client()).get(keyOf(job)).catch(() => null);
        if (text !== null) return text;
        if (Date.now() > deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}
