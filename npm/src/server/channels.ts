/**
 * The main-process channel servers of reference §8.3, as one table of handlers over a conductor:
 * `dispatch(channel, command, args)` answers with the envelope `{result}` or
 * `{error, channelError: true}`, and `subscribe` receives the broadcasts. Transports (Electron
 * IPC, HTTP, WebSocket) only move these envelopes and broadcasts.
 */
import { Listeners } from "../conductor/listeners.js";
import type { NodeDefinition } from "../types/definition.js";
import type { ContextOverrides } from "../types/execution.js";
import type { FlowDefinition, ListFlowsOptions } from "../types/storage.js";
import { forwardConductorEvents, type Broadcast, type ServedConductor } from "./events.js";

/** `{result}`, or the failure with its message (and our addition: its `ErrorCode` when it has one). */
export type DispatchEnvelope = { result: unknown } | { error: string; channelError: true; code?: string };

export type ChannelHandlersOptions = {
  /** Enables `system.restart` (e.g. Electron's `app.relaunch(); app.exit()`); without it the command is unknown. */
  restart?: () => void | Promise<void>;
};

export type ChannelHandlers = {
  /** The channel names served. */
  readonly channels: readonly string[];
  handles(channel: string, command: string): boolean;
  dispatch(channel: string, command: string, args?: unknown): Promise<DispatchEnvelope>;
  /** Receives every broadcast until the returned function is called. */
  subscribe(broadcast: Broadcast): () => void;
};

type Handler = (args: unknown) => unknown;
type Args = Record<string, unknown>;
const argsOf = (args: unknown): Args => (typeof args === "object" && args !== null ? (args as Args) : {});

/** The context keys a client may set (reference §8.3 `executionContextSchema`, plus `timeout`). */
const CONTEXT_KEYS = ["nodeId", "executionId", "variables", "input", "parentContext", "slowMo", "debug", "timeout"] as const;

function runOverrides(context: unknown): ContextOverrides {
  const given = argsOf(context);
  const overrides: Args = {};
  for (const key of CONTEXT_KEYS) if (given[key] !== undefined) overrides[key] = given[key];
  return overrides as ContextOverrides;
}

function handlerTable(conductor: ServedConductor, options: ChannelHandlersOptions, broadcast: Broadcast): Record<string, Record<string, Handler>> {
  const now = () => Date.now();
  const system: Record<string, Handler> = { health: () => conductor.system.health() };
  const restart = options.restart;
  if (restart) {
    system.restart = async () => {
      broadcast("system", "appRestarting", { timestamp: now() });
      await restart();
    };
  }
  return {
    node: {
      execute: async (args) => wireResult(await conductor.node.run(argsOf(args).node as NodeDefinition, runOverrides(argsOf(args).context))),
      validate: (args) => conductor.node.validate(argsOf(args).node as NodeDefinition),
      cancel: async (executionId) => {
        const id = String(executionId);
        if (!(await conductor.node.cancel(id))) return { success: false, error: "Execution not found" };
        broadcast("node", "cancelled", { executionId: id, timestamp: now() });
        return { success: true };
      },
      health: () => ({ status: "ok", timestamp: now() }),
    },
    storage: {
      saveFlow: (args) => conductor.storage.saveFlow(argsOf(args).flow as FlowDefinition),
      loadFlow: (args) => conductor.storage.loadFlow(String(argsOf(args).id)),
      listFlows: (args) => conductor.storage.listFlows(argsOf(args) as ListFlowsOptions),
      deleteFlow: async (args) => {
        const id = String(argsOf(args).id);
        await conductor.storage.deleteFlow(id);
        broadcast("storage", "flowDeleted", { id, deletedAt: new Date().toISOString() });
      },
      health: async () => ({ status: "ok", flowCount: (await conductor.storage.listFlows({ limit: 0 })).total }),
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
  const table = handlerTable(conductor, options, broadcast);
  // Forward the conductor's events only while someone listens: progress snapshots cost.
  let stopForwarding: (() => void) | undefined;

  const find = (channel: string, command: string): Handler | undefined =>
    Object.hasOwn(table, channel) && Object.hasOwn(table[channel]!, command) ? table[channel]![command] : undefined;

  return {
    channels: Object.keys(table),
    handles: (channel, command) => find(channel, command) !== undefined,
    async dispatch(channel, command, args) {
      const handler = find(channel, command);
      if (!handler) return { error: `No handler for method: ${command}`, channelError: true };
      try {
        return { result: await handler(args) };
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
  };
}

/**
 * A result as the protocol carries it: the error's `timestamp` as ISO text, as the original
 * wrote it (a `Date` in the data is the data's, carried exactly).
 */
function wireResult(result: Awaited<ReturnType<ServedConductor["node"]["run"]>>): unknown {
  const error = (result as { error?: { timestamp?: unknown } }).error;
  if (!(error?.timestamp instanceof Date)) return result;
  return { ...result, error: { ...error, timestamp: error.timestamp.toISOString() } };
}

function failureEnvelope(thrown: unknown): DispatchEnvelope {
  const failure = thrown as { message?: unknown; code?: unknown } | null;
  const message = typeof failure?.message === "string" ? failure.message : String(thrown);
  return typeof failure?.code === "string" ? { error: message, channelError: true, code: failure.code } : { error: message, channelError: true };
}
