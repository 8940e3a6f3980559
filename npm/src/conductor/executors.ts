/**
 * Calling a custom executor from `nodeExecutorFactory` on the engine's behalf: glue only. The
 * engine decides when to call, with what, how long to wait and whether to retry.
 */
import type { NodeDefinition } from "../types/definition.js";
import type { NodeExecutorFactory } from "../types/execution.js";

/** What an executor call produced, as the engine reads it. */
export type ExecutorOutcome =
  | { ok: true; value?: unknown }
  | { ok: false; error: { message: string; code?: string; stack?: string } };

/** Runs `factory`'s executable for `type`; a throw (or rejection) becomes `{ok: false}`. */
export async function callExecutor(
  factory: NodeExecutorFactory | undefined,
  type: string,
  params: Record<string, unknown>,
  signal: AbortSignal,
): Promise<ExecutorOutcome> {
  try {
    const executable = factory?.getNodeExecutable(type);
    if (!executable) return { ok: false, error: { message: `No implementation found for node type: ${type}`, code: "NODE_TYPE_NOT_FOUND" } };
    const value = await executable.execute({ ...params, signal });
    return value === undefined ? { ok: true } : { ok: true, value };
  } catch (thrown) {
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
}

/** Node types in a flow that the factory provides (it is consulted first for every type). */
export function customTypesOf(flow: NodeDefinition, factory: NodeExecutorFactory | undefined): string[] {
  if (!factory) return [];
  const seen = new Set<string>();
  const stack: unknown[] = [flow];
  while (stack.length > 0) {
    const node = stack.pop() as { type?: unknown; nodes?: unknown } | null;
    if (!node || typeof node !== "object") continue;
    if (typeof node.type === "string") seen.add(node.type);
    if (Array.isArray(node.nodes)) for (const child of node.nodes) stack.push(child);
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
