/**
 * The one timer a conductor keeps for runs parked at `wait` nodes (durable runs only): the engine
 * decides which parked runs are due (`executions.due`: a duration or a date came, or a
 * `waitTimeout` passed) and wakes them; this only calls it when the earliest comes, and resumes
 * the runs it woke. However many runs are parked, there is one timer, and it never keeps the
 * process alive: a run parked in a process that exits is woken by the next conductor on the store.
 * It also looks once a minute, for runs another process parked on a shared store.
 */
import type { ExecutionResult } from "../types/execution.js";
import type { WokenRuns } from "../types/answers.generated.js";
import { CLOCKS_APART, LONGEST_TIMER, LOOK_EVERY, RETRY_AFTER } from "./store-timers.js";

type Waker = {
  /** `executions.due`: wakes the parked runs whose time came. */
  due(): Promise<WokenRuns>;
  /** `executions.resume`: a woken run goes on. */
  resume(executionId: string): Promise<ExecutionResult>;
};

export class WaitTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the timer fires (ms since the epoch); infinite when none is set. */
  private at = Number.POSITIVE_INFINITY;
  private closed = false;
  private checking: Promise<void> | undefined;
  /** A check was asked for while one was under way: it runs again once that one ends. */
  private again = false;

  constructor(private readonly waker: Waker) {}

  /** A run parked until `wakeAt` (ms since the Unix epoch): the timer fires then at the latest. */
  arm(wakeAt: number | null | undefined): void {
    if (this.closed || typeof wakeAt !== "number" || !Number.isFinite(wakeAt)) return;
    const when = Math.min(wakeAt, Date.now() + LOOK_EVERY);
    if (this.timer !== undefined && when >= this.at) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.at = when;
    const delay = Math.min(Math.max(0, when - Date.now()), LONGEST_TIMER);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Number.POSITIVE_INFINITY;
      void this.check();
    }, delay);
    // A parked run never holds a process open: the next conductor on the store wakes it.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Wakes the parked runs that are due now, resumes them, and arms the timer for the next. */
  check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.wake();
      } while (this.again && !this.closed);
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async wake(): Promise<void> {
    if (this.closed) return;
    let due: WokenRuns;
    try {
      due = await this.waker.due();
    } catch {
      this.arm(Date.now() + RETRY_AFTER);
      return;
    }
    // A run that another conductor resumed first, or that fails, is not this timer's to report.
    for (const id of due.woken) void this.waker.resume(id).catch(() => undefined);
    const next = due.next ?? Number.POSITIVE_INFINITY;
    // Looks again at the latest after LOOK_EVERY; sooner when a time comes; not at once when
    // the engine said a time had not come that this clock says has.
    this.arm(Math.max(next, due.woken.length === 0 && next <= Date.now() ? Date.now() + CLOCKS_APART : 0));
    if (this.timer === undefined) this.arm(Date.now() + LOOK_EVERY);
  }

  /** No more wakes from this conductor (it shut down). */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
