/**
 * Calling a custom executor from `nodeExecutorFactory` on the engine's behalf: glue only. The
 * engine decides when to call, with what, how long to wait and whether to retry.
 */
import type { NodeDefinition } from "../types/definition.js";
import type { NodeExecutorFactory } from "../types/execution.js";

/** What an executor call produced, as the engine reads it. */
export type ExecutorOutcome = { ok: true; value?: unknown } | { ok: false; error: { message: string; code?: string; stack?: string } };

/**
 * Runs `factory`'s executable for `type`; a throw (or rejection) becomes `{ok: false}`. An
 * executor that returns a plain value is answered synchronously, so a chain of synchronous
 * executors never waits for the microtask queue.
 */
export function callExecutor(
  factory: NodeExecutorFactory | undefined,
  type: string,
  params: Record<string, unknown> & { signal: AbortSignal },
): ExecutorOutcome | Promise<ExecutorOutcome> {
  try {
    const executable = factory?.getNodeExecutable(type);
    if (!executable)
      return { ok: false, error: { message: `No implementation found for node type: ${type}`, code: "NODE_TYPE_NOT_FOUND" } };
    const value: unknown = executable.execute(params);
    if (isThenable(value)) return Promise.resolve(value).then(succeeded, failed);
    return succeeded(value);
  } catch (thrown) {
    return failed(thrown);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function succeeded(value: unknown): ExecutorOutcome {
  return value === undefined ? { ok: true } : { ok: true, value };
}

function failed(thrown: unknown): ExecutorOutcome {
  const error = thrown as { message?: unknown; code?: unknown; stack?: unknown } | null;
  return {
    ok: false,
    error: {
      message: typeof error?.message === "string" ? error.message : String(thrown),
      code: typeof error?.code === "string" ? error.code : undefined,
      stack: typeof error?.stack === "string" ? error.stack : undefined,
    },
  };
}

/** An executor outcome as JSON text; a value JSON cannot carry fails the call clearly. */
export function outcomeJson(outcome: ExecutorOutcome): string {
  try {
    return JSON.stringify(outcome);
  } catch (error) {
    return JSON.stringify({
      ok: false,
      error: { message: `Executor result is not JSON-serialisable: ${String(error)}`, code: "SERIALIZATION_FAILED" },
    });
  }
}

/**
 * The `signal` of one executor call, made only when the executor reads it: an
 * `AbortController` costs more than the rest of a call's glue together.
 */
export class CallSignal {
  private controller: AbortController | undefined;
  private abortedWith: { reason: unknown } | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.controller) this.controller.abort(reason);
    else this.abortedWith ??= { reason };
  }

  /** `params` with a `signal` property backed by this object. */
  attachTo(params: Record<string, unknown>): Record<string, unknown> & { signal: AbortSignal } {
    return Object.defineProperty(params, "signal", { get: () => this.signal, enumerable: true, configurable: true }) as Record<
      string,
      unknown
    > & { signal: AbortSignal };
  }
}

/**
 * The node types of a flow's atomic nodes that the factory provides (it is consulted first for
 * every type): the engine routes those to JS and the rest to its built-ins, so it must know them
 * before the run. Each type is asked once, in the order the flow first names it; a group with
 * children runs no executor, so its type is not asked.
 */
export function customTypesOf(flow: NodeDefinition, factory: NodeExecutorFactory | undefined): string[] {
  if (!factory) return [];
  const seen = new Set<string>();
  const stack: unknown[] = [flow];
  while (stack.length > 0) {
    const node = stack.pop() as { type?: unknown; nodes?: unknown } | null;
    if (!node || typeof node !== "object") continue;
    if (Array.isArray(node.nodes) && node.nodes.length > 0) {
      for (let index = node.nodes.length - 1; index >= 0; index--) stack.push(node.nodes[index]);
    } else if (typeof node.type === "string") {
      seen.add(node.type);
    }
  }
  const provided: string[] = [];
  for (const type of seen) {
    try {
      if (factory.getNodeExecutable(type)) provided.push(type);
    } catch {
      // A factory that throws for a type does not provide it.
    }
  }
  return provided;
}
