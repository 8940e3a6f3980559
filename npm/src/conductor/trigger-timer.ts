/**
 * The one timer a conductor keeps for its flows' triggers: the engine decides which fires are due
 * (`triggers.due`: each claimed once across every process on the store, the misfire policy
 * applied) and hands back the runs to start, each with its execution id and input; this starts
 * them, reports how each ended, and asks again when the engine says the next fire comes — and at
 * least once a minute, for triggers another process activated on a shared store. However many
 * triggers there are, there is one timer, and it never keeps the process alive.
 */
import type { DueFires, FireToStart } from "../types/answers.generated.js";
import { CLOCKS_APART, LONGEST_TIMER, LOOK_EVERY, RETRY_AFTER } from "./store-timers.js";

export type TriggerDriver = {
  /** `triggers.due`: the fires to start now, and when the next comes. */
  due(): Promise<DueFires>;
  /** Starts a fire's run; resolves with whether it succeeded. */
  start(fire: FireToStart): Promise<boolean>;
  /** `triggers.ended`: how a fire's run ended. */
  ended(fire: FireToStart, success: boolean): Promise<void>;
};

export class TriggerTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private at = Number.POSITIVE_INFINITY;
  private running = false;
  private closed = false;
  private checking: Promise<void> | undefined;
  private again = false;
  /** Runs started and not yet reported, so that `close` can let them report. */
  private readonly runs = new Set<Promise<void>>();
  /** Their execution ids: a fire handed back to run again while its run goes on here starts nothing. */
  private readonly inFlight = new Set<string>();

  constructor(private readonly driver: TriggerDriver) {}

  /** Whether this conductor fires its store's active triggers. */
  get started(): boolean {
    return this.running && !this.closed;
  }

  /** Fires this store's active triggers from now on (asks at once). Idempotent. */
  start(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.running = true;
    return this.check();
  }

  /** Stops firing (the triggers stay active: other processes on the store fire them). */
  stop(): void {
    this.running = false;
    this.clear();
  }

  /** Asks the engine now (a trigger was activated or resumed here). */
  check(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = (async () => {
      do {
        this.again = false;
        await this.step();
      } while (this.again && this.started);
    })().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** No more fires from this conductor (it shut down); resolves once started runs reported. */
  async close(): Promise<void> {
    this.closed = true;
    this.clear();
    await Promise.allSettled([...this.runs]);
  }

  private clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Number.POSITIVE_INFINITY;
  }

  private arm(when: number): void {
    if (!this.started) return;
    const at = Math.min(when, Date.now() + LOOK_EVERY);
    if (this.timer !== undefined && at >= this.at) return;
    this.clear();
    this.at = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.at = Number.POSITIVE_INFINITY;
        void this.check();
      },
      Math.min(Math.max(0, at - Date.now()), LONGEST_TIMER),
    );
    (this.timer as { unref?: () => void }).unref?.();
  }

  private async step(): Promise<void> {
    let due: DueFires;
    try {
      due = await this.driver.due();
    } catch {
      this.arm(Date.now() + RETRY_AFTER);
      return;
    }
    for (const fire of due.start) this.launch(fire);
    const next = due.next ?? Number.POSITIVE_INFINITY;
    this.arm(due.start.length === 0 && next <= Date.now() ? Date.now() + CLOCKS_APART : next);
    if (this.timer === undefined) this.arm(Date.now() + LOOK_EVERY);
  }

  private launch(fire: FireToStart): void {
    if (this.inFlight.has(fire.executionId)) return;
    this.inFlight.add(fire.executionId);
    const run = this.driver
      .start(fire)
      .catch(() => false)
      .then((success) => this.driver.ended(fire, success))
      .catch(() => undefined)
      .finally(() => {
        this.runs.delete(run);
        this.inFlight.delete(fire.executionId);
      });
    this.runs.add(run);
  }
}
