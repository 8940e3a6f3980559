/**
 * Failed login attempts, counted per key (a user name, a client address) in a rolling window:
 * past `max` failures a key is blocked until its oldest failure leaves the window, without the
 * password even being checked. A success clears the key. Keys are bounded in number, so guessing
 * with many names cannot grow memory without end.
 */
export type AttemptOptions = {
  /** Failures allowed per key within the window (default 5). */
  max?: number;
  /** The window, ms (default 15 minutes). */
  windowMs?: number;
};

/** Keys tracked at most; past it the least recently failing ones are forgotten. */
const MAX_KEYS = 10_000;

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly max: number;
  private readonly windowMs: number;

  constructor(options: AttemptOptions = {}) {
    this.max = Math.max(1, Math.floor(options.max ?? 5));
    this.windowMs = Math.max(1, options.windowMs ?? 15 * 60 * 1000);
  }

  /** How long `key` stays blocked, in ms; 0 when it may try. */
  blockedFor(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.max) return 0;
    return Math.max(1, (recent[recent.length - this.max] ?? 0) + this.windowMs - Date.now());
  }

  fail(key: string): void {
    const recent = this.recent(key);
    recent.push(Date.now());
    if (recent.length > this.max) recent.splice(0, recent.length - this.max);
    // Re-inserted: the map's order is then least recently failing first.
    this.failures.delete(key);
    this.failures.set(key, recent);
    for (const oldest of this.failures.keys()) {
      if (this.failures.size <= MAX_KEYS) break;
      this.failures.delete(oldest);
    }
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const since = Date.now() - this.windowMs;
    const all = this.failures.get(key);
    if (!all) return [];
    const recent = all.filter((at) => at > since);
    if (recent.length === 0) this.failures.delete(key);
    else this.failures.set(key, recent);
    return recent;
  }
}
