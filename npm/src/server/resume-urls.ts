/**
 * Resume URLs: a parked run's wait can be woken by an external system that holds no credentials
 * of the server (a payment provider's webhook, a link in an approval e-mail), with a URL that
 * names the wait and carries a token: `POST /waits/<executionId>/<token>`. The token is an
 * HMAC-SHA256 of the run's id, the wait node and when the run parked there, under the server's
 * `waitSecret`: nothing is stored, a token names one wait only, and it stops working once that
 * wait has ended — woken (by it, a signal, an approval or its time), so it is single-use.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ExecutionWaiting } from "../types/answers.generated.js";
import { ConductorError, createExecutionError, ErrorCode } from "../types/errors.js";
import type { ServedConductor } from "./events.js";

/** The shortest `waitSecret` accepted (characters). */
const SHORTEST_SECRET = 32;

type Executions = NonNullable<ServedConductor["executions"]>;

/** What the resume URL of a wait answers, with its HTTP status. */
export type Redeemed = { status: number; body: Record<string, unknown> };

export class ResumeUrls {
  private readonly key: string;

  constructor(secret: string | undefined) {
    if (secret !== undefined && secret.length < SHORTEST_SECRET) {
      throw new ConductorError(
        createExecutionError(
          ErrorCode.VALIDATION_FAILED,
          `Invalid protocol server options: 'waitSecret' must be at least ${SHORTEST_SECRET} characters`,
        ),
      );
    }
    // Without one, the URLs this server gives work until it stops.
    this.key = secret ?? randomBytes(32).toString("base64url");
  }

  private token(executionId: string, waiting: ExecutionWaiting): string {
    return createHmac("sha256", this.key).update(`${executionId}\n${waiting.nodeId}\n${waiting.since}`).digest("base64url");
  }

  /** What run `executionId` waits for; `undefined` when it does not wait (or is unknown). */
  private async waitingOf(executions: Executions, executionId: string): Promise<ExecutionWaiting | undefined> {
    const record = await executions.get(executionId).catch(() => undefined);
    if (record?.status !== "waiting") return undefined;
    return record.error?.context as unknown as ExecutionWaiting | undefined;
  }

  /** The path of the resume URL of the wait run `executionId` is parked at (relative to the server's URL). */
  async path(executions: Executions, executionId: string): Promise<{ path: string; waiting: ExecutionWaiting }> {
    const waiting = await this.waitingOf(executions, executionId);
    if (!waiting) {
      throw new ConductorError(createExecutionError(ErrorCode.VALIDATION_FAILED, `Execution ${executionId} is not waiting`));
    }
    return { path: `/waits/${encodeURIComponent(executionId)}/${this.token(executionId, waiting)}`, waiting };
  }

  /**
   * A call of a resume URL with `body` (a signal's payload; an approval's `{approved, by?,
   * comment?}`): the run is woken, and goes on in the background. Refused alike whether the run
   * is unknown, not waiting, or the token is wrong or used: the answer tells a caller without the
   * token nothing.
   */
  async redeem(executions: Executions, executionId: string, token: string, body: unknown): Promise<Redeemed> {
    const waiting = await this.waitingOf(executions, executionId);
    const expected = waiting ? Buffer.from(this.token(executionId, waiting)) : undefined;
    const given = Buffer.from(token);
    if (!waiting || !expected || expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return refused(
        403,
        ErrorCode.PERMISSION_DENIED,
        "This resume URL is not valid: its token is wrong, or the wait it belongs to has ended",
      );
    }
    try {
      if (waiting.kind === "signal") {
        await executions.signal(executionId, waiting.signal ?? "", body ?? null, { resume: false });
      } else if (waiting.kind === "approval") {
        const decision = (typeof body === "object" && body !== null ? body : {}) as { approved: boolean };
        await executions.approve(executionId, waiting.nodeId, decision, { resume: false });
      } else {
        return refused(400, ErrorCode.VALIDATION_FAILED, `Execution ${executionId} waits for a time, not for a call`);
      }
    } catch (thrown) {
      const error = thrown instanceof ConductorError ? thrown.details : undefined;
      return refused(400, (error?.code as ErrorCode | undefined) ?? ErrorCode.VALIDATION_FAILED, error?.message ?? String(thrown));
    }
    // Woken: it goes on here, in the background (the caller is not held for the rest of the run).
    void executions.resume(executionId).catch(() => undefined);
    return { status: 202, body: { accepted: true, executionId } };
  }
}

function refused(status: number, code: ErrorCode, error: string): Redeemed {
  return { status, body: { error, code } };
}
