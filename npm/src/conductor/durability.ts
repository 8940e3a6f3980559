/**
 * `durability: {resume: "auto"}`: a conductor that opens a store resumes the runs a process left
 * interrupted (the engine checkpoints and resumes them; this only asks it to, once, at the start).
 * A run that needs a decision on a node with effects stays interrupted until the app gives one
 * with `executions.resume(id, {rerun | skip})`.
 */
import type { ExecutionResult } from "../types/execution.js";
import type { ExecutionListResponse } from "../types/history.js";

type Executions = {
  list(options: { status: "interrupted"; limit: number }): Promise<ExecutionListResponse>;
  resume(executionId: string): Promise<ExecutionResult>;
};

/** Interrupted runs listed at once at most: the rest wait for the next start (or a manual resume). */
const RESUMED_AT_START = 10_000;

/**
 * Resumes every interrupted run when `durability.resume` is `"auto"`; resolves once they have
 * ended. `listed` is called once the runs to resume are known (at once without `"auto"`): what
 * wakes parked runs starts then, so that a run it wakes (interrupted, to be resumed by it) is not
 * in this list too.
 */
export async function resumeInterrupted(durability: unknown, executions: Executions, listed: () => void = () => {}): Promise<void> {
  if ((durability as { resume?: unknown } | undefined)?.resume !== "auto") return listed();
  // A store that cannot be read resumes nothing: the runs stay listed as interrupted.
  const page = await executions.list({ status: "interrupted", limit: RESUMED_AT_START }).catch(() => undefined);
  listed();
  if (!page) return;
  await Promise.allSettled(page.executions.map((run) => executions.resume(run.id)));
}
