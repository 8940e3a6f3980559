/**
 * Requests to `/hooks/<path>`: flows started by an HTTP call (a `webhook` node at the flow's
 * entry, its flow activated). The engine decides everything about a request — which active hook
 * the path names, the method, the size, who may call, a replayed signature, a retried
 * `Idempotency-Key`, what the run's input is — in two steps: `hook` before the body is read (so
 * an oversized or misdirected request costs no more than its headers) and `deliver` with it.
 * This file reads the request, keeps each hook's run limits as the server keeps a caller's, starts
 * the run as the server, and answers as the hook says: `202` at once, the run's result, or one
 * node's output.
 */
import type { IncomingMessage } from "node:http";
import type { HookDelivery, HookRefusal } from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ExecutionResult, RunPermissions } from "../types/execution.js";
import { ErrorCode } from "../types/errors.js";
import { toWire } from "../values/codec.js";
import { resolveGrant, type Caller, type CallerLimits } from "./caller.js";
import { describeFailure, retryAfterHeader } from "./errors.js";
import type { ServedConductor } from "./events.js";
import type { RunRegistry } from "./runs.js";

/** An answer to the caller of a hook. */
export type HookAnswer = { status: number; body: unknown; headers?: Record<string, string> };

/** What reading a request's body gave: its bytes, more than the limit, or nothing (the client left). */
export type BodyRead = Buffer | "too-large" | "aborted";

/** A request to a hook, as the HTTP handler hands it over. */
export type IncomingHook = {
  /** What follows `/hooks/`, decoded. */
  path: string;
  request: IncomingMessage;
  /** The query string, without `?`. */
  query: string;
  readBody(limit: number): Promise<BodyRead>;
  /** Whether the request's bearer token or API key names a caller who may run flows. */
  authenticated(): boolean;
};

export type WebhookOptions = {
  runs: RunRegistry;
  /** The server's own run limits, where a hook sets none. */
  limits: CallerLimits;
  /** What a hook's runs may do at most: the server's `permissions` (default unrestricted). */
  permissions: RunPermissions | undefined;
};

const refused = ({ status, code, error, allow }: HookRefusal): HookAnswer => ({
  status,
  body: { error, code },
  headers: allow ? { Allow: allow.join(", ") } : undefined,
});

/** Answers requests to `/hooks/*` on a server of `conductor`; `"aborted"` when the client left. */
export function createWebhooks(conductor: ServedConductor, options: WebhookOptions) {
  return async function answer(incoming: IncomingHook): Promise<HookAnswer | "aborted"> {
    const triggers = conductor.triggers;
    if (!triggers) return { status: 404, body: { error: "This server has no triggers", code: ErrorCode.IMPLEMENTATION_NOT_FOUND } };
    const { request } = incoming;
    const method = (request.method ?? "GET").toUpperCase();
    try {
      const route = await triggers.hook(incoming.path, method);
      if (route.refused || !route.trigger)
        return refused(route.refused ?? { status: 404, code: ErrorCode.IMPLEMENTATION_NOT_FOUND, error: "Not found" });
      const tooLarge = refused({
        status: 413,
        code: ErrorCode.MEMORY_LIMIT_EXCEEDED,
        error: `Request body larger than ${route.maxBytes} bytes`,
      });
      if (Number(request.headers["content-length"]) > route.maxBytes) return { ...tooLarge, headers: { Connection: "close" } };
      // Each hook is a caller of its own for the server's limits: one busy hook does not starve the others.
      const limits = { concurrentRuns: route.concurrentRuns, runsPerMinute: route.runsPerMinute };
      const caller: Caller = {
        id: `hook:${route.trigger}`,
        kind: "anonymous",
        grant: resolveGrant({ channels: {}, limits }, options.limits),
      };
      options.runs.admit(caller);
      const body = await incoming.readBody(route.maxBytes);
      if (body === "aborted") return "aborted";
      if (body === "too-large") return { ...tooLarge, headers: { Connection: "close" } };
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) headers.push([request.rawHeaders[i]!, request.rawHeaders[i + 1]!]);
      const delivery = await triggers.deliver({
        trigger: route.trigger,
        method,
        path: incoming.path,
        query: incoming.query,
        headers,
        body: body.toString("base64"),
        authenticated: route.serverAuth && incoming.authenticated(),
        ...(options.permissions ? { permissions: options.permissions } : {}),
      });
      if (delivery.refused) return refused(delivery.refused);
      if (delivery.replayed)
        return { status: 202, body: { executionId: delivery.replayed, replayed: true }, headers: { "Idempotent-Replayed": "true" } };
      if (!delivery.start) return { status: 500, body: { error: "The engine started nothing", code: ErrorCode.INTERNAL_ERROR } };
      return await started(conductor, options, caller, delivery);
    } catch (thrown) {
      const { status, ...fields } = describeFailure(thrown);
      const headers: Record<string, string> = {};
      if (status === 429 && typeof fields.retryAfterMs === "number") headers["Retry-After"] = retryAfterHeader(fields.retryAfterMs);
      return { status: status ?? 500, body: { error: fields.error, code: fields.code }, headers };
    }
  };
}

/** Starts the run `delivery` names and answers as its hook says. */
async function started(conductor: ServedConductor, options: WebhookOptions, caller: Caller, delivery: HookDelivery): Promise<HookAnswer> {
  const start = delivery.start!;
  const { executionId } = start;
  const end = options.runs.begin(caller, executionId);
  const flow = (await conductor.storage.loadFlow(start.flowId).catch((error: unknown) => {
    end();
    throw error;
  })) as unknown as NodeDefinition;
  const overrides = {
    executionId,
    input: { trigger: start.trigger },
    // The hook's activation's permissions narrowed by the server's (the engine's doing).
    ...(start.permissions ? { permissions: start.permissions } : {}),
  };
  const run = conductor.node.run(flow, overrides).finally(end);
  // The hook's fire record says how its run ended (a record that cannot be updated loses only that).
  run.then(
    (result) => conductor.triggers?.delivered(start, result.success).catch(() => undefined),
    () => conductor.triggers?.delivered(start, false).catch(() => undefined),
  );
  const accepted: HookAnswer = { status: 202, body: { executionId } };
  if (delivery.respond === "accepted") {
    run.catch(() => undefined);
    return accepted;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), delivery.responseTimeout ?? 30_000);
  });
  const result = await Promise.race([run, late]).finally(() => clearTimeout(timer));
  if (result === "late") {
    run.catch(() => undefined);
    return { ...accepted, body: { executionId, status: "running" } };
  }
  if (!result.success) return failed(result, executionId);
  if (delivery.respond === "result") return { status: 200, body: toWire(result.data ?? null), headers: { "X-Execution-Id": executionId } };
  return nodeOutput(conductor, executionId, delivery.responseNode ?? "");
}

function failed(result: ExecutionResult, executionId: string): HookAnswer {
  const error = result.error;
  return { status: 500, body: { error: error?.message ?? "The run failed", code: error?.code ?? ErrorCode.EXECUTION_FAILED, executionId } };
}

/** The output node `nodeId` of run `executionId` recorded, as the answer. */
async function nodeOutput(conductor: ServedConductor, executionId: string, nodeId: string): Promise<HookAnswer> {
  const record = await conductor.executions?.get(executionId);
  const node = record?.nodes.find((recorded) => recorded.nodeId === nodeId);
  if (!node || !["completed", "cached", "pinned"].includes(node.state))
    return { status: 500, body: { error: `Node '${nodeId}' gave no output in this run`, code: ErrorCode.EXECUTION_FAILED, executionId } };
  return { status: 200, body: toWire(node.output ?? null), headers: { "X-Execution-Id": executionId } };
}
