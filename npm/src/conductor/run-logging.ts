/**
 * Logging what runs do, as an engine wrapper: a run's start and end, and — at debug level — each
 * node's state changes, read from the run's own progress snapshots. It observes only: what a run
 * does and returns is the engine's.
 */
import type { RunLog } from "../logging.js";
import type { NodeDefinition } from "../types/definition.js";
import type { NodeRunState, ProgressNode } from "../types/progress.js";
import { delegatingEngine } from "./delegate.js";
import type { EngineAdapter, WireRunOptions } from "./engine.js";
import type { WireEvent, WireResult } from "../types/wire.js";

/** A run logged at debug level: the node states seen so far. */
type Watched = { flowId: string; states: Map<string, NodeRunState> };

const VERBS: Partial<Record<NodeRunState, string>> = {
  executing: "executing",
  completed: "completed",
  error: "failed",
  skipped: "skipped",
};

function nodes(count: number): string {
  return `${count} node${count === 1 ? "" : "s"}`;
}

function childCount(flow: NodeDefinition): number {
  return Array.isArray(flow?.nodes) ? flow.nodes.length : 1;
}

/** Milliseconds for a message: sub-millisecond times keep two decimals. */
function ms(value: number | undefined): string {
  const time = value ?? 0;
  return `${time < 1 ? time.toFixed(2) : Math.round(time)} ms`;
}

function nodeMessage(node: ProgressNode, verb: string): string {
  const took = node.state === "completed" && typeof node.duration === "number" ? ` in ${ms(node.duration)}` : "";
  const why = node.state === "error" && node.error ? `: ${node.error}` : "";
  return `Node '${node.id}' (${node.type}) ${verb}${took}${why}`;
}

export function withRunLogging(engine: EngineAdapter, log: RunLog): EngineAdapter {
  const watched = new Map<string, Watched>();

  function observe(events: WireEvent[]): void {
    for (const event of events) {
      if (event.type !== "progress") continue;
      const executionId = event.executionId as string | undefined;
      const run = executionId === undefined ? undefined : watched.get(executionId);
      if (!run || !Array.isArray(event.nodes)) continue;
      for (const node of event.nodes as ProgressNode[]) {
        const verb = VERBS[node.state];
        if (!verb || run.states.get(node.id) === node.state) continue;
        run.states.set(node.id, node.state);
        const details = { nodeId: node.id, nodeType: node.type, state: node.state, duration: node.duration, error: node.error };
        log.write(
          { level: "debug", event: "node:state", message: nodeMessage(node, verb), executionId, flowId: run.flowId, ...details },
          true,
        );
      }
    }
  }

  function finished(flowId: string, options: WireRunOptions, result: WireResult, debugRun: boolean): void {
    const { executionId } = options;
    for (const entry of result.logs ?? []) {
      const message = `Run ${executionId} of '${flowId}': node '${entry.nodeId}' printed on ${entry.stream}: ${entry.text.trimEnd()}`;
      const level = entry.stream === "stderr" || entry.stream === "warn" ? "warn" : entry.stream === "error" ? "error" : "info";
      log.write({ level, event: "node:log", message, executionId, flowId, nodeId: entry.nodeId, stream: entry.stream }, debugRun);
    }
    for (const warning of result.warnings ?? []) {
      const where = warning.nodeId ? `node '${warning.nodeId}' of ` : "";
      const message = `Run ${executionId} of '${flowId}': ${where}${warning.message}`;
      log.write({ level: "warn", event: "run:warning", message, executionId, flowId, nodeId: warning.nodeId }, debugRun);
    }
    const executedNodes = result.executedNodes ?? [];
    if (result.success) {
      const message = `Run ${executionId} of '${flowId}' completed in ${ms(result.duration)} (${nodes(executedNodes.length)} executed)`;
      log.write({ level: "info", event: "run:complete", message, executionId, flowId, duration: result.duration, executedNodes }, debugRun);
      return;
    }
    const error = result.error;
    const message = `Run ${executionId} of '${flowId}' failed: ${error?.code} ${error?.message}`;
    log.write(
      {
        level: "error",
        event: "run:error",
        message,
        executionId,
        flowId,
        nodeId: error?.nodeId,
        code: error?.code,
        error: error?.message,
        duration: result.duration,
      },
      debugRun,
    );
  }

  return delegatingEngine(() => engine, {
    setEventListener(listener) {
      engine.setEventListener((events) => {
        observe(events);
        listener(events);
      });
    },
    async run(flow, options) {
      const debugRun = options.debug === true;
      if (!log.wants("error", debugRun)) return engine.run(flow, options);
      const flowId = typeof flow?.id === "string" ? flow.id : "";
      const detailed = log.wants("debug", debugRun);
      if (detailed) {
        watched.set(options.executionId, { flowId, states: new Map() });
        const message = `Run ${options.executionId} of '${flowId}' started (${nodes(childCount(flow))})`;
        log.write(
          {
            level: "debug",
            event: "run:start",
            message,
            executionId: options.executionId,
            flowId,
            timeout: options.timeout,
            slowMo: options.slowMo,
          },
          true,
        );
      }
      try {
        // Node states come from progress snapshots, which are only made when asked for.
        const result = await engine.run(flow, detailed ? { ...options, events: true } : options);
        engine.flushEvents();
        finished(flowId, options, result, debugRun);
        return result;
      } finally {
        watched.delete(options.executionId);
      }
    },
  });
}
