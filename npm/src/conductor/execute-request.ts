/**
 * `conductor.execute(request)` of the published docs: run a flow by id — a saved flow first,
 * then a bundled template — with `inputs` as the run's input. Orchestration only: each attempt
 * is an ordinary run; `options.retries` re-runs the whole flow after a retryable failure, and
 * `options.fallback` answers when every attempt failed.
 */
import type { RunLog } from "../logging.js";
import type { NodeDefinition } from "../types/definition.js";
import { isRetryableCode } from "../types/error-kind.js";
import { ErrorCode, type ExecutionError } from "../types/errors.js";
import type { ContextOverrides, ExecutionResult } from "../types/execution.js";
import type { ExecutionFallback } from "../types/execution-fallback.js";
import { executionFailure } from "./failure.js";
import { MESSAGES } from "../types/wire.generated.js";
import type { ExecutionOptions, ExecutionRequest } from "../types/options.generated.js";
import { requestError } from "../options/entries.js";
import type { RetryQuestion } from "./engine.js";

export type { ExecutionOptions, ExecutionRequest } from "../types/options.generated.js";

/** `metadata` of an `execute(request)` result. */
export type ExecutionMetadata = {
  executionId: string;
  flowId: string;
  /** Where the flow came from (absent when it was not found). */
  source?: "storage" | "template";
  /** Milliseconds from the request to its answer, over every attempt and wait. */
  duration: number;
  /** The nodes the last attempt executed. */
  executedNodes: string[];
  /** Runs made (0 when the flow was not found). */
  attempts: number;
  startTime: number;
  endTime: number;
  /** Set when `fallback` answered: the failure it replaced, and the fallback flow's id when it was one. */
  fallback?: { failure: ExecutionError; flowId?: string };
};

/** The result of `execute(request)`: every field of `ExecutionResult`, plus `outputs` (the flow's output, as `data`) and `metadata`. */
export type RequestExecutionResult<T = unknown> = ExecutionResult<T> & { outputs?: T; metadata: ExecutionMetadata };

/** A flow looked up by id: found, absent (`{}`), or the lookup failed. */
export type Lookup = { flow?: NodeDefinition; error?: ExecutionError };

/** What `executeRequest` needs from its conductor. */
export type RequestRunner = {
  run(flow: NodeDefinition, overrides: ContextOverrides): Promise<ExecutionResult>;
  loadSaved(id: string): Promise<Lookup>;
  /** A template by id or slug. */
  loadTemplate(id: string): Promise<Lookup>;
  newExecutionId(given?: string): string | Promise<string>;
  /** The wait before the next attempt, or `null`: no more attempts (the engine's retry policy). */
  retryDelay(question: RetryQuestion): number | null;
  /**
   * Registers a request in progress under its execution id until the returned function is
   * called: aborting the controller (`node.cancel`, `shutdown`) ends its runs and its waits.
   */
  track(executionId: string, controller: AbortController): () => void;
  log: RunLog;
};

/**
 * A request rather than a node: an object with keys but no string `type`, no `id` and no
 * `nodes` (a node has them; a request names its flow by `flowId`, misspelt or not).
 */
export function isExecutionRequest(value: unknown): value is ExecutionRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  if ("flowId" in candidate || "blueprintId" in candidate) return typeof candidate.type !== "string";
  return typeof candidate.type !== "string" && !("id" in candidate) && !("nodes" in candidate) && Object.keys(candidate).length > 0;
}

export async function executeRequest(runner: RequestRunner, request: ExecutionRequest): Promise<RequestExecutionResult> {
  const startTime = Date.now();
  const context = request.context ?? {};
  const executionId = await runner.newExecutionId(context.executionId);
  const rawId = request.flowId ?? request.blueprintId;
  const flowId = typeof rawId === "string" ? rawId : "";
  const answer = (result: ExecutionResult, extra: Partial<ExecutionMetadata>): RequestExecutionResult => {
    const endTime = Date.now();
    const metadata: ExecutionMetadata = {
      executionId,
      flowId,
      duration: endTime - startTime,
      executedNodes: result.executedNodes ?? [],
      attempts: 0,
      startTime,
      endTime,
      ...extra,
    };
    return { ...result, outputs: result.data, metadata };
  };
  const invalid = requestError(request);
  if (invalid) {
    const failed = executionFailure(ErrorCode.VALIDATION_FAILED, invalid.message, { executionId });
    if (failed.error) failed.error.context = invalid.context;
    return answer(failed, {});
  }
  if (flowId === "") {
    return answer(
      executionFailure(ErrorCode.VALIDATION_FAILED, "execute(request) needs a flowId (or blueprintId): a non-empty string", {
        executionId,
      }),
      {},
    );
  }
  const found = await findFlow(runner, flowId);
  if ("error" in found)
    return answer(
      { ...executionFailure(found.error.code, found.error.message), error: { ...found.error, nodeId: flowId, executionId } },
      {},
    );
  // The request's own controller: the caller's signal, node.cancel(executionId) and shutdown()
  // all end it, between attempts as well as during one.
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (context.signal?.aborted) abort();
  context.signal?.addEventListener("abort", abort, { once: true });
  const untrack = runner.track(executionId, controller);
  try {
    const overrides: ContextOverrides = {
      ...context,
      executionId,
      signal: controller.signal,
      input: { ...(context.input ?? {}), ...(request.inputs ?? {}) },
      timeout: request.options?.timeout ?? context.timeout,
      debug: context.debug ?? (request.config?.debugMode === true ? true : undefined),
    };
    const { result, attempts } = await attemptRuns(runner, found.flow, overrides, request.options ?? {});
    const fallback = request.options?.fallback;
    if (result.success || fallback === undefined || result.error?.code === ErrorCode.CANCELLED) {
      return answer(result, { source: found.source, attempts });
    }
    const failure = result.error as ExecutionError;
    const message = `Flow '${flowId}' failed (${failure.code}); answering with its fallback`;
    runner.log.write(
      { level: "warn", event: "execute:fallback", message, executionId, flowId, code: failure.code },
      overrides.debug === true,
    );
    const replaced = await useFallback(runner, fallback, result, request, overrides);
    return answer(replaced.result, {
      source: found.source,
      attempts,
      fallback: { failure, ...(replaced.flowId ? { flowId: replaced.flowId } : {}) },
    });
  } finally {
    untrack();
    context.signal?.removeEventListener("abort", abort);
  }
}

type Found = { flow: NodeDefinition; source: "storage" | "template" } | { error: ExecutionError };

/** Saved flows first, then templates; a failed lookup is reported only when neither has the id. */
async function findFlow(runner: RequestRunner, id: string): Promise<Found> {
  const saved = await runner.loadSaved(id);
  // Saved flows may lack `type` (storage only needs `nodes`): a flow is a group.
  if (saved.flow)
    return {
      flow: { ...saved.flow, type: typeof saved.flow.type === "string" && saved.flow.type ? saved.flow.type : "group" },
      source: "storage",
    };
  const template = await runner.loadTemplate(id);
  if (template.flow) return { flow: template.flow, source: "template" };
  const failed = saved.error ?? template.error;
  if (failed) return { error: failed };
  const message = `Flow '${id}' not found: no saved flow or template has this id`;
  return { error: executionFailure(ErrorCode.NODE_NOT_FOUND, message).error as ExecutionError };
}

/** Runs `flow` until it succeeds, fails for good, or the retries run out. */
async function attemptRuns(
  runner: RequestRunner,
  flow: NodeDefinition,
  overrides: ContextOverrides,
  options: ExecutionOptions,
): Promise<{ result: ExecutionResult; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    const result = await runner.run(flow, overrides);
    const code = result.error?.code;
    if (result.success || code === undefined || !isRetryableCode(code) || overrides.signal?.aborted) {
      return { result, attempts: attempt };
    }
    const retryAfterMs = Number(result.error?.context?.retryAfterMs);
    const delay = runner.retryDelay({
      attempt,
      retries: options.retries,
      retryDelay: options.retryDelay,
      retryAfterMs: Number.isFinite(retryAfterMs) ? retryAfterMs : undefined,
    });
    if (delay === null) return { result, attempts: attempt };
    const message = `Flow '${flow.id}' failed with ${code}; retry ${attempt} of ${options.retries} in ${Math.round(delay)} ms`;
    runner.log.write(
      { level: "warn", event: "execute:retry", message, executionId: overrides.executionId, flowId: flow.id, code, attempt, delay },
      overrides.debug === true,
    );
    if (!(await wait(delay, overrides.signal))) {
      return {
        result: executionFailure(ErrorCode.CANCELLED, MESSAGES.EXECUTION_CANCELLED, {
          nodeId: flow.id,
          executionId: overrides.executionId,
        }),
        attempts: attempt,
      };
    }
  }
}

/** Waits `ms`; false when `signal` aborted first. */
function wait(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(true), ms);
    const abort = () => finish(false);
    function finish(waited: boolean) {
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
      resolve(waited);
    }
    signal?.addEventListener("abort", abort, { once: true });
  });
}

async function useFallback(
  runner: RequestRunner,
  fallback: ExecutionFallback,
  failed: ExecutionResult,
  request: ExecutionRequest,
  overrides: ContextOverrides,
): Promise<{ result: ExecutionResult; flowId?: string }> {
  if (typeof fallback === "string") {
    const context = { ...overrides, executionId: undefined, signal: request.context?.signal };
    const {
      metadata: _metadata,
      outputs: _outputs,
      ...result
    } = await executeRequest(runner, { flowId: fallback, inputs: request.inputs, context });
    return { result, flowId: fallback };
  }
  try {
    const outputs = typeof fallback === "function" ? await fallback(failed) : fallback;
    return {
      result: {
        success: true,
        data: outputs,
        duration: failed.duration,
        executedNodes: failed.executedNodes ?? [],
        context: failed.context,
      },
    };
  } catch (thrown) {
    const reason = thrown instanceof Error ? thrown.message : String(thrown);
    const error = failed.error ? { ...failed.error, context: { ...failed.error.context, fallbackError: reason } } : undefined;
    return { result: { ...failed, error } };
  }
}
