/**
 * `conductor.triggers`: flows that start themselves (a `schedule` node as a flow's entry). The
 * engine decides everything — which nodes are triggers, when each fires, that each fire starts
 * one run across every process on the store, what a misfire policy skips — and keeps it in the
 * store beside the run history; this file shapes calls, and gives the conductor's one trigger
 * timer (`trigger-timer.ts`) a way to start a fire's run.
 */
import type {
  ActiveTriggers,
  DeactivatedTriggers,
  FireToStart,
  HookDelivery,
  HookRoute,
  HookStart,
  TriggerFires,
  TriggerInfo,
} from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ContextOverrides, ExecutionResult } from "../types/execution.js";
import type { ConductorConfig } from "../types/execution.js";
import type { RunPermissions } from "../types/options.generated.js";
import { otelApi } from "../telemetry/api.js";
import { conductorMetrics } from "../telemetry/metrics.js";
import { ATTR } from "../telemetry/node-spans.js";
import type { EngineAdapter, TriggersCall } from "./engine.js";
import { unwrap } from "./hydrate.js";
import { TriggerTimer } from "./trigger-timer.js";

type Run = (node: NodeDefinition, overrides: ContextOverrides) => Promise<ExecutionResult>;

/** A request to a webhook as the protocol server read it (see `server/webhooks.ts`). */
export type HookRequest = {
  /** The hook's trigger id, as `hook()` answered it. */
  trigger: string;
  method: string;
  /** What follows `/hooks/`. */
  path: string;
  /** The query string, without `?`. */
  query: string;
  /** Each header as received, names in any case. */
  headers: Array<[string, string]>;
  /** The body, in base64. */
  body: string;
  /** Whether the server's own authentication let the caller run flows. */
  authenticated: boolean;
  /** What the server lets a request's runs reach; the engine narrows the hook's own by it. */
  permissions?: RunPermissions;
};

/** `triggers.activate`'s options. */
export type ActivateOptions = {
  /**
   * What the runs the flow's triggers start may reach (as `node.run`'s `permissions`); a file
   * watch's folder must be within `files.roots`. Default: the conductor's own runs, unrestricted.
   */
  permissions?: RunPermissions;
};

/** A trigger: its id (`flowId/nodeId`, as `list()` gives it) or `{flowId, nodeId}`. */
export type TriggerSelector = string | { flowId: string; nodeId: string };

const named = (trigger: TriggerSelector): Record<string, unknown> =>
  typeof trigger === "string" ? { trigger } : { ...(trigger as object) };

/** The lock every tab of a page's origin takes around a trigger call (see `exclusive`). */
const TRIGGERS_LOCK = "atomiton-conductor-triggers";

type LockManager = { request<T>(name: string, callback: () => Promise<T>): Promise<T> };

/**
 * Runs `call` holding the origin's triggers lock where the WebAssembly engine keeps triggers in
 * IndexedDB that other tabs share: the engine's store reads, decides and writes in several
 * steps (IndexedDB has no transaction across them), so tabs take turns — which makes each
 * fire start one run across them. Elsewhere the store's own rules (a unique key, a
 * transaction) decide, and `call` runs as it is.
 */
function exclusive<T>(engine: EngineAdapter, call: () => Promise<T>): Promise<T> {
  const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
  return engine.kind === "wasm" && locks ? locks.request(TRIGGERS_LOCK, call) : call();
}

export function createTriggersApi(engine: EngineAdapter, run: Run, config: ConductorConfig = {}) {
  // A conductor whose runs go to a server leaves firing to the server; one whose runs go to a
  // queue fires here, and each fire's run goes to the queue's workers like any other.
  const firesHere = engine.handsRunsTo?.to !== "server" && (engine.kind !== "remote" || engine.handsRunsTo?.to === "queue");
  const call = <C extends TriggersCall>(op: C, arg: string) => exclusive(engine, () => engine.triggers(op, arg));
  const telemetry = (config as { telemetry?: { enabled?: boolean; api?: unknown } }).telemetry;
  // Looked up per fire: an app may register its metrics SDK after making the conductor.
  const metrics = () => (telemetry?.enabled === false ? undefined : conductorMetrics(otelApi(telemetry?.api)));
  const timer = new TriggerTimer({
    async due() {
      const due = unwrap(await call("due", ""));
      const recorded = due.missed.length > 0 ? metrics() : undefined;
      for (const { flowId, nodeId, skipped } of due.missed) {
        recorded?.triggerMisfires.add(skipped.count, { [ATTR.flowId]: flowId, [ATTR.nodeId]: nodeId, [ATTR.misfire]: skipped.reason });
      }
      return due;
    },
    async start(fire: FireToStart): Promise<boolean> {
      const recorded = metrics();
      if (recorded) {
        const attributes = { [ATTR.flowId]: fire.flowId, [ATTR.nodeId]: fire.nodeId };
        recorded.triggerFires.add(1, attributes);
        const late = Date.parse(fire.trigger.firedAt) - fire.scheduledAt;
        if (Number.isFinite(late)) recorded.triggerLateness.record(Math.max(0, late) / 1000, attributes);
      }
      const flow = unwrap(await engine.loadFlow(fire.flowId)) as unknown as NodeDefinition;
      const { executionId, trigger, permissions } = fire;
      const result = await run(flow, { executionId, input: { trigger }, ...(permissions ? { permissions } : {}) });
      return result.success;
    },
    async ended(fire: FireToStart, success: boolean): Promise<void> {
      const { flowId, nodeId, scheduledAt, recorded } = fire;
      // A file event that found no free key for its record has none to update.
      if (!recorded) return;
      unwrap(await call("ended", JSON.stringify({ flowId, nodeId, scheduledAt, success })));
    },
  });
  const triggers = {
    /**
     * Activates the trigger nodes of saved flow `flowId` on the conductor's store (every process
     * on the store may fire them, each fire once), and starts this conductor's timer. Activating
     * an edited flow again keeps each trigger's place and pause; a removed trigger node stops.
     * Refused with a coded `ConductorError` for a flow with no trigger node or a trigger it
     * cannot read. `permissions` bound what the runs it starts may reach.
     */
    async activate(flowId: string, options: ActivateOptions = {}): Promise<TriggerInfo[]> {
      const answer: ActiveTriggers = unwrap(await call("activate", JSON.stringify({ flowId, permissions: options.permissions })));
      if (firesHere) void timer.start();
      return answer.triggers;
    },
    /** Deactivates every trigger of flow `flowId`, in every process on the store: `{removed}`. */
    async deactivate(flowId: string): Promise<DeactivatedTriggers> {
      return unwrap(await call("deactivate", flowId));
    },
    /** The active triggers, with when each fires next. */
    async list(): Promise<TriggerInfo[]> {
      return unwrap(await call("list", "")).triggers;
    },
    /**
     * A trigger's latest fires, newest first (`limit`, 50 by default): each fire's time, its run's
     * execution id and status, and the ranges of fires that did not run, with why.
     */
    async fires(trigger: TriggerSelector, options: { limit?: number } = {}): Promise<TriggerFires["fires"]> {
      const arg = JSON.stringify({ ...named(trigger), limit: options?.limit });
      return unwrap(await call("fires", arg)).fires;
    },
    /** Pauses a trigger in every process on the store; `false` when it is not active. */
    async pause(trigger: TriggerSelector): Promise<boolean> {
      return unwrap(await call("pause", JSON.stringify(named(trigger))));
    },
    /** Resumes a paused trigger (what it missed follows its misfire policy); `false` when it is not active. */
    async resume(trigger: TriggerSelector): Promise<boolean> {
      const resumed = unwrap(await call("resume", JSON.stringify(named(trigger))));
      void timer.check();
      return resumed;
    },
    /**
     * Fires the store's active triggers from this conductor (`activate` does this too): an app or
     * `atomiton serve` calls it once at start. The timer never keeps the process alive. A
     * conductor whose runs go to a server does nothing here: the server fires its triggers. A
     * queue's conductor fires here and hands each fire's run to the queue's workers.
     */
    start(): Promise<void> {
      return firesHere ? timer.start() : Promise.resolve();
    },
    /** Stops firing from this conductor; the triggers stay active for other processes on the store. */
    stop(): void {
      timer.stop();
    },
    /**
     * The protocol server's first step with a request to `/hooks/<path>`: the active webhook
     * there (its body limit, whether it needs the server's login, its run limits), or why the
     * request is refused before its body is read.
     */
    async hook(path: string, method: string): Promise<HookRoute> {
      return unwrap(await call("hook", JSON.stringify({ path, method })));
    },
    /**
     * The protocol server's second step: the request checked by the engine (method, size,
     * authentication, a replayed signature, a retried `Idempotency-Key`) and made the run's input.
     * The answer says the run to start, the run an earlier delivery started, or the refusal.
     */
    async deliver(request: HookRequest): Promise<HookDelivery> {
      const delivery: HookDelivery = unwrap(await call("deliver", JSON.stringify(request)));
      // A delivery that starts a run is one of the hook's fires, counted as a schedule's are.
      if (delivery.start) metrics()?.triggerFires.add(1, { [ATTR.flowId]: delivery.start.flowId, [ATTR.nodeId]: delivery.start.nodeId });
      return delivery;
    },
    /**
     * The protocol server's last step: how the run a delivery started ended, for the hook's
     * fire record (`fires()` lists each delivery that started a run). A start without a record
     * (`scheduledAt` absent) has nothing to report.
     */
    async delivered(start: HookStart, success: boolean): Promise<void> {
      const { flowId, nodeId, scheduledAt } = start;
      if (scheduledAt === undefined) return;
      unwrap(await call("ended", JSON.stringify({ flowId, nodeId, scheduledAt, success })));
    },
  };
  return { triggers, timer };
}
