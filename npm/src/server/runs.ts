/**
 * The runs started through the protocol server: who started each (so its events and its
 * cancellation belong to that caller), and each caller's limits — runs at once, and runs per
 * rolling minute — refused with `RATE_LIMIT_EXCEEDED` before anything runs.
 */
import { ErrorCode } from "../types/errors.js";
import type { Caller } from "./caller.js";
import { rateLimited, ServerError } from "./errors.js";

const MINUTE_MS = 60_000;

type Usage = { running: number; starts: number[] };

/**
 * How long a finished run stays attributed to its caller: events about it (a `cancelled` sent
 * just after it ended) still reach the caller, never anyone else.
 */
const ATTRIBUTION_MS = 10_000;

export class RunRegistry {
  private readonly running = new Set<string>();
  private readonly owners = new Map<string, string>();
  private readonly usage = new Map<string, Usage>();

  /**
   * Records a run `executionId` of `caller` (none: an unrestricted in-process caller such as
   * Electron's renderer) and returns what ends it. Throws when the id is in use or a limit is
   * reached.
   */
  begin(caller: Caller | undefined, executionId: string): () => void {
    if (this.running.has(executionId)) {
      throw new ServerError(ErrorCode.VALIDATION_FAILED, `Execution id ${executionId} is already in use`, 409);
    }
    const owner = caller?.id ?? "";
    const usage = this.admit(caller);
    const now = Date.now();
    const limits = caller?.grant.limits;
    usage.running++;
    if (limits && Number.isFinite(limits.runsPerMinute)) usage.starts.push(now);
    this.usage.set(owner, usage);
    this.running.add(executionId);
    this.owners.set(executionId, owner);
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.running.delete(executionId);
      const forget = setTimeout(() => {
        if (!this.running.has(executionId)) this.owners.delete(executionId);
      }, ATTRIBUTION_MS);
      forget.unref?.();
      usage.running--;
      if (usage.running === 0 && usage.starts.every((at) => at <= Date.now() - MINUTE_MS)) this.usage.delete(owner);
    };
  }

  /**
   * Throws when `caller` may not start a run now (a limit is reached), recording nothing: a
   * webhook asks before its request is read, and begins the run once the engine accepted it.
   */
  admit(caller: Caller | undefined): Usage {
    const usage = this.usage.get(caller?.id ?? "") ?? { running: 0, starts: [] };
    const now = Date.now();
    usage.starts = usage.starts.filter((at) => at > now - MINUTE_MS);
    const limits = caller?.grant.limits;
    if (limits && usage.running >= limits.concurrentRuns) {
      throw rateLimited(`Rate limit exceeded: ${limits.concurrentRuns} runs at once is the limit for this caller`, 1000);
    }
    if (limits && usage.starts.length >= limits.runsPerMinute) {
      const retryAfter = (usage.starts[usage.starts.length - limits.runsPerMinute] ?? now) + MINUTE_MS - now;
      throw rateLimited(`Rate limit exceeded: ${limits.runsPerMinute} runs per minute is the limit for this caller`, retryAfter);
    }
    return usage;
  }

  /** Whether `caller` may watch and cancel `executionId`: its own runs, or every run with scope `"all"`. */
  visibleTo(caller: Caller | undefined, executionId: unknown): boolean {
    if (!caller || caller.grant.scope === "all") return true;
    return typeof executionId === "string" && this.owners.get(executionId) === caller.id;
  }
}
