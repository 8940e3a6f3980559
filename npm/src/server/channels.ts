/**
 * The main-process channel servers of the TypeScript engine's protocol, as one table of handlers over a conductor:
 * `dispatch(channel, command, args, caller?)` answers with the envelope `{result}` or
 * `{error, channelError: true}`, and `subscribe` receives the broadcasts. Transports (Electron
 * IPC, HTTP, WebSocket) only move these envelopes and broadcasts.
 *
 * A `caller` (the protocol server's authenticated user, API key or anonymous loopback client)
 * narrows what a call does: its runs carry its permissions and count against its limits, it
 * sees and cancels its own runs, and with scope `"own"` its saved flows only. Without a caller
 * (Electron IPC) every call is the app's own, with the permissions given to the handlers.
 */
import { Listeners } from "../util/listeners.js";
import { optionIssues, optionsError } from "../options/check.js";
import { ContextOverrides_SHAPE } from "../types/options.generated.js";
import { executionFailure } from "../conductor/failure.js";
import { ConductorError, createExecutionError, ErrorCode, type ExecutionError } from "../types/errors.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ContextOverrides, RunPermissions } from "../types/execution.js";
import { catalogFunctions } from "../engines/local.js";
import { asServedRun } from "../telemetry/run.js";
import type { FlowDefinition, ListFlowsOptions } from "../types/storage.js";
import type { Caller, CallerLimits } from "./caller.js";
import { describeFailure } from "./errors.js";
import { forwardConductorEvents, type Broadcast, type ServedConductor } from "./events.js";
import { scopedStorage } from "./flow-scope.js";
import { ResumeUrls, type Redeemed } from "./resume-urls.js";
import { RunRegistry } from "./runs.js";
import { createWebhooks, type HookAnswer, type IncomingHook } from "./webhooks.js";
import type { ApprovalDecision } from "../types/history.js";

/**
 * `{result}`, or the failure with its message (and our additions: its `ErrorCode` when it has
 * one, and for the server's own refusals why — `reason` — or when to retry — `retryAfterMs`).
 */
export type DispatchEnvelope =
  | { result: unknown }
  | { error: string; channelError: true; code?: string; reason?: string; retryAfterMs?: number };

export type ChannelHandlersOptions = {
  /** Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command is unknown. */
  restart?: () => void | Promise<void>;
  /** Permissions of runs started without a caller (over IPC); default: unrestricted. */
  permissions?: RunPermissions;
  /** Signs the resume URLs of parked runs (see `resume-urls.ts`); default: a random one per server. */
  waitSecret?: string;
  /** The server's run limits: a webhook without its own has these. */
  limits?: CallerLimits;
};

export type ChannelHandlers = {
  /** The channel names served. */
  readonly channels: readonly string[];
  handles(channel: string, command: string): boolean;
  /** Answers one call; `caller` narrows it (see above). Never rejects. */
  dispatch(channel: string, command: string, args?: unknown, caller?: Caller): Promise<DispatchEnvelope>;
  /** Receives every broadcast until the returned function is called. */
  subscribe(broadcast: Broadcast): () => void;
  /**
   * A broadcast as `caller` may see it: its own runs' events and its own flows' (ids as it knows
   * them); `undefined` when it may not see it at all.
   */
  visibleTo(caller: Caller | undefined, channel: string, event: string, data: unknown): { data: unknown } | undefined;
  /** A call of a parked run's resume URL (`POST /waits/<executionId>/<token>`, see `resume-urls.ts`). */
  redeem(executionId: string, token: string, body: unknown): Promise<Redeemed>;
  /** A request to `/hooks/<path>` (see `webhooks.ts`). Never rejects. */
  webhook(incoming: IncomingHook): Promise<HookAnswer | "aborted">;
};

type Handler = (args: unknown, caller: Caller | undefined) => unknown;
type Args = Record<string, unknown>;
const argsOf = (args: unknown): Args => (typeof args === "object" && args !== null ? (args as Args) : {});

/**
 * A client's run context, checked as `node.run` checks its options: an unknown key or a bad value
 * is refused (`VALIDATION_FAILED`, as a failed run) rather than dropped; `permissions` come from
 * the caller's grant, and a `signal` cannot cross the wire (`node.cancel` stops a run).
 */
function runOverrides(context: unknown): { overrides: ContextOverrides } | { refused: ExecutionError } {
  if (context === undefined || context === null) return { overrides: {} };
  const issues = optionIssues(context, ContextOverrides_SHAPE, "node");
  const given = argsOf(context);
  for (const [key, message] of [
    ["permissions", "'permissions' cannot be set by a client: a run reaches what the server grants its caller"],
    ["caller", "'caller' cannot be set by a client: a run is recorded as started by the caller the server authenticated"],
    ["signal", "'signal' cannot be sent to a server: cancel a run with node.cancel(executionId)"],
  ] as const) {
    if (given[key] !== undefined) {
      const at = issues.findIndex((issue) => issue.path === key);
      if (at >= 0) issues.splice(at, 1);
      issues.unshift({ path: key, message });
    }
  }
  return issues.length > 0 ? { refused: optionsError(issues, "run options") } : { overrides: given as ContextOverrides };
}

/**
 * An approval's `by`, for an authenticated caller: who it is (its user name, or its API key's
 * id). A caller naming someone else is refused: the record says who decided.
 */
function decidedBy(decision: Args, caller: Caller | undefined): Args {
  if (!caller || caller.kind === "anonymous") return decision;
  const who = caller.user?.username ?? caller.id;
  if (decision.by !== undefined && decision.by !== null && decision.by !== who) {
    throw new ConductorError(
      createExecutionError(
        ErrorCode.PERMISSION_DENIED,
        `An approval by '${String(decision.by)}' cannot come from '${who}': leave 'by' out, or give your own name`,
      ),
    );
  }
  return { ...decision, by: who };
}

/** Refuses a caller whose grant is limited to its own flows and runs. */
function seesAllRuns(caller: Caller | undefined): void {
  if (caller && caller.grant.scope !== "all") {
    throw new ConductorError(
      createExecutionError(ErrorCode.PERMISSION_DENIED, 'Execution history needs a grant with scope "all" (runs are not kept per caller)'),
    );
  }
}

function handlerTable(
  conductor: ServedConductor,
  options: ChannelHandlersOptions,
  broadcast: Broadcast,
  runs: RunRegistry,
  resumeUrls: ResumeUrls,
): Record<string, Record<string, Handler>> {
  const now = () => Date.now();
  const system: Record<string, Handler> = { health: () => conductor.system.health() };
  const restart = options.restart;
  if (restart) {
    system.restart = async () => {
      broadcast("system", "appRestarting", { timestamp: now() });
      await restart();
    };
  }
  const storage = (caller: Caller | undefined) => scopedStorage(conductor.storage, caller);
  const controlRun = async (id: string, caller: Caller | undefined, command: (id: string) => Promise<boolean>) =>
    runs.visibleTo(caller, id) && (await command(id)) ? { success: true } : { success: false, error: "Execution not found" };
  const history = (caller: Caller | undefined) => {
    seesAllRuns(caller);
    if (!conductor.executions)
      throw new ConductorError(
        createExecutionError(ErrorCode.IMPLEMENTATION_NOT_FOUND, "This server's conductor keeps no execution history"),
      );
    return conductor.executions;
  };
  const waits = () => {
    if (!conductor.executions)
      throw new ConductorError(
        createExecutionError(ErrorCode.IMPLEMENTATION_NOT_FOUND, "This server's conductor keeps no execution history: no run waits"),
      );
    return conductor.executions;
  };
  // The served conductor's node result cache: entries are not kept per caller either.
  const cache = (caller: Caller | undefined) => {
    seesAllRuns(caller);
    if (!conductor.cache)
      throw new ConductorError(createExecutionError(ErrorCode.IMPLEMENTATION_NOT_FOUND, "This server's conductor has no result cache"));
    return conductor.cache;
  };
  // The served conductor's triggers: they start runs as the server, so managing them is a grant
  // of its own (never in the default channels).
  const triggers = (caller: Caller | undefined) => {
    seesAllRuns(caller);
    if (!conductor.triggers)
      throw new ConductorError(createExecutionError(ErrorCode.IMPLEMENTATION_NOT_FOUND, "This server's conductor has no triggers"));
    return conductor.triggers;
  };
  const triggerOf = (args: unknown) => {
    const { trigger, flowId, nodeId } = argsOf(args);
    return typeof trigger === "string" ? trigger : { flowId: String(flowId), nodeId: String(nodeId) };
  };
  return {
    node: {
      execute: async (args, caller) => {
        const checked = runOverrides(argsOf(args).context);
        if ("refused" in checked) {
          const node = argsOf(args).node as { id?: unknown } | undefined;
          const failed = executionFailure(ErrorCode.VALIDATION_FAILED, checked.refused.message, {
            nodeId: typeof node?.id === "string" ? node.id : undefined,
          });
          if (failed.error) failed.error.context = checked.refused.context;
          return wireResult(failed);
        }
        const overrides = checked.overrides;
        // A retry, a resume or a replay reads (and a resume takes over) another run's recorded
        // values: only for callers who may read every run.
        if (overrides.retry !== undefined || overrides.resume !== undefined || overrides.replay !== undefined) seesAllRuns(caller);
        // The id is fixed here so the run's events are known to be this caller's from the start.
        const executionId = catalogFunctions().executionId(typeof overrides.executionId === "string" ? overrides.executionId : "");
        const permissions = caller ? caller.grant.permissions : options.permissions;
        const end = runs.begin(caller, executionId);
        try {
          return wireResult(
            await conductor.node.run(
              argsOf(args).node as NodeDefinition,
              asServedRun({ ...overrides, executionId, ...(permissions ? { permissions } : {}), ...(caller ? { caller: caller.id } : {}) }),
            ),
          );
        } finally {
          end();
        }
      },
      // A missing node is `null`, which the engine refuses with a coded error (undefined cannot cross into it).
      validate: (args) => conductor.node.validate((argsOf(args).node ?? null) as NodeDefinition),
      cancel: async (executionId, caller) => {
        const id = String(executionId);
        if (!runs.visibleTo(caller, id) || !(await conductor.node.cancel(id))) return { success: false, error: "Execution not found" };
        broadcast("node", "cancelled", { executionId: id, timestamp: now() });
        return { success: true };
      },
      // Debugging a run: its caller's own runs only, like cancel.
      pause: (executionId, caller) => controlRun(String(executionId), caller, conductor.node.pause),
      resume: (executionId, caller) => controlRun(String(executionId), caller, conductor.node.resume),
      step: (executionId, caller) => controlRun(String(executionId), caller, conductor.node.step),
      health: () => ({ status: "ok", timestamp: now() }),
    },
    storage: {
      saveFlow: (args, caller) => storage(caller).saveFlow(argsOf(args).flow as FlowDefinition),
      loadFlow: (args, caller) => storage(caller).loadFlow(String(argsOf(args).id)),
      listFlows: (args, caller) => storage(caller).listFlows(argsOf(args) as ListFlowsOptions),
      deleteFlow: async (args, caller) => {
        const scoped = storage(caller);
        const id = String(argsOf(args).id);
        await scoped.deleteFlow(id);
        // The stored id: each listener then sees it as its own caller may.
        broadcast("storage", "flowDeleted", { id: scoped.storedId(id), deletedAt: new Date().toISOString() });
      },
      health: async (_args, caller) => ({ status: "ok", flowCount: (await storage(caller).listFlows({ limit: 0 })).total }),
    },
    // Every recorded run of the served conductor: callers with scope "all" (and IPC) only, since
    // runs are not kept per caller.
    executions: {
      list: (args, caller) => history(caller).list(argsOf(args)),
      counts: (args, caller) => history(caller).counts(argsOf(args)),
      get: (args, caller) => history(caller).get(String(argsOf(args).id)),
      delete: async (args, caller) => {
        await history(caller).delete(String(argsOf(args).id));
      },
      prune: (args, caller) => history(caller).prune(argsOf(args)),
      // A replay's report: the replay itself is a run (`node.execute` with `replay`, scope "all").
      differences: (args, caller) => history(caller).differences(String(argsOf(args).of), String(argsOf(args).run)),
      // Wakes the runs whose time came (the server's own timer does too); the caller resumes them.
      due: (args, caller) => history(caller).due(argsOf(args) as { executionId?: string }),
    },
    // Waking parked runs: a grant of its own (an approver need not read every run), whatever the
    // caller's scope. The server resumes a woken run itself unless told `resume: false`, and
    // answers its result.
    waits: {
      signal: async (args) => {
        const { executionId, name, payload, resume } = argsOf(args);
        const result = await waits().signal(executionId as string, name as string, payload, { resume: resume !== false });
        return result === null ? null : wireResult(result);
      },
      approve: async (args, caller) => {
        const { executionId, nodeId, resume, ...decision } = argsOf(args);
        const approval = decidedBy(decision, caller) as unknown as ApprovalDecision;
        const result = await waits().approve(executionId as string, nodeId as string, approval, { resume: resume !== false });
        return result === null ? null : wireResult(result);
      },
      // The resume URL of the wait a run is parked at (its path, relative to the server's URL):
      // whoever holds it can wake that wait once, without credentials.
      resumeUrl: async (args) => ({ path: (await resumeUrls.path(waits(), String(argsOf(args).executionId))).path }),
    },
    cache: {
      clear: (_args, caller) => cache(caller).clear(),
      invalidate: (args, caller) => {
        const { flowId, nodeId } = argsOf(args);
        return cache(caller).invalidate({
          ...(typeof flowId === "string" ? { flowId } : {}),
          ...(typeof nodeId === "string" ? { nodeId } : {}),
        });
      },
      stats: (_args, caller) => cache(caller).stats(),
    },
    triggers: {
      // The runs its triggers start get what the caller's own runs would.
      activate: (args, caller) => {
        const permissions = caller ? caller.grant.permissions : options.permissions;
        return triggers(caller).activate(String(argsOf(args).flowId), permissions ? { permissions } : {});
      },
      deactivate: (args, caller) => triggers(caller).deactivate(String(argsOf(args).flowId)),
      list: (_args, caller) => triggers(caller).list(),
      fires: (args, caller) => {
        const { limit } = argsOf(args);
        return triggers(caller).fires(triggerOf(args), typeof limit === "number" ? { limit } : {});
      },
      pause: (args, caller) => triggers(caller).pause(triggerOf(args)),
      resume: (args, caller) => triggers(caller).resume(triggerOf(args)),
    },
    flow: {
      listTemplates: () => conductor.flow.listTemplates(),
      getTemplate: (args) => conductor.flow.getTemplate(String(argsOf(args).id)),
    },
    system,
  };
}

export function createChannelHandlers(conductor: ServedConductor, options: ChannelHandlersOptions = {}): ChannelHandlers {
  const subscribers = new Listeners<{ channel: string; event: string; data: unknown }>();
  const broadcast: Broadcast = (channel, event, data) => subscribers.emit({ channel, event, data });
  const runs = new RunRegistry();
  const resumeUrls = new ResumeUrls(options.waitSecret);
  const table = handlerTable(conductor, options, broadcast, runs, resumeUrls);
  const webhook = createWebhooks(conductor, { runs, limits: options.limits ?? {}, permissions: options.permissions });
  // Forward the conductor's events only while someone listens: progress snapshots cost.
  let stopForwarding: (() => void) | undefined;

  const find = (channel: string, command: string): Handler | undefined =>
    Object.hasOwn(table, channel) && Object.hasOwn(table[channel]!, command) ? table[channel]![command] : undefined;

  return {
    channels: Object.keys(table),
    handles: (channel, command) => find(channel, command) !== undefined,
    async redeem(executionId, token, body) {
      if (!conductor.executions) return { status: 404, body: { error: "Not found", code: ErrorCode.IMPLEMENTATION_NOT_FOUND } };
      return resumeUrls.redeem(conductor.executions, executionId, token, body);
    },
    webhook,
    async dispatch(channel, command, args, caller) {
      const handler = find(channel, command);
      if (!handler) return { error: `No handler for method: ${command}`, channelError: true, code: ErrorCode.IMPLEMENTATION_NOT_FOUND };
      try {
        return { result: await handler(args, caller) };
      } catch (thrown) {
        return failureEnvelope(thrown);
      }
    },
    subscribe(listener) {
      const unsubscribe = subscribers.add(({ channel, event, data }) => listener(channel, event, data));
      stopForwarding ??= forwardConductorEvents(conductor, broadcast);
      return () => {
        unsubscribe();
        if (subscribers.size === 0) {
          stopForwarding?.();
          stopForwarding = undefined;
        }
      };
    },
    visibleTo(caller, channel, _event, data) {
      if (!caller || caller.grant.scope === "all") return { data };
      if (channel === "node") return runs.visibleTo(caller, argsOf(data).executionId) ? { data } : undefined;
      if (channel === "storage") {
        const shown = scopedStorage(conductor.storage, caller).event(data);
        return shown === undefined ? undefined : { data: shown };
      }
      return { data };
    },
  };
}

/**
 * A result as the protocol carries it: the error's `timestamp` as ISO text, as the TypeScript
 * engine wrote it (a `Date` in the data is the data's, carried exactly).
 */
function wireResult(result: Awaited<ReturnType<ServedConductor["node"]["run"]>>): unknown {
  const error = (result as { error?: { timestamp?: unknown } }).error;
  if (!(error?.timestamp instanceof Date)) return result;
  return { ...result, error: { ...error, timestamp: error.timestamp.toISOString() } };
}

/** The envelope of a thrown failure: its message, its code, and the server's details when it has them. */
function failureEnvelope(thrown: unknown): DispatchEnvelope {
  const { status: _status, ...fields } = describeFailure(thrown);
  return { ...fields, channelError: true };
}
