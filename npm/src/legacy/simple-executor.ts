/**
 * The older README's `SimpleExecutor` and `createSimpleNode`: a blueprint is a list of nodes,
 * each a function of the previous node's output. Kept as a thin adapter: the list becomes a
 * chain of custom node types on the engine, which runs it (with its timeouts, cancellation and
 * errors). Values pass between nodes as JSON, as everywhere in this engine.
 */
import type { Conductor } from "../conductor/api.js";
import { createNativeConductor, type DesktopConductorConfig } from "../desktop/native-conductor.js";
import type { NodeDefinition } from "../types/definition.js";
import type { NodeExecutable } from "../types/execution.js";

/** A node of a simple blueprint: its output is `logic(input)`. */
export type SimpleNode = { id: string; type: string; logic: (input: unknown) => unknown };

export type SimpleBlueprint = { id: string; nodes: SimpleNode[] };
/** The later name of `SimpleBlueprint`. */
export type SimpleComposite = SimpleBlueprint;

/** `error` is the failure's message. */
export type SimpleResult = { success: boolean; outputs?: unknown; error?: string };

export function createSimpleNode(id: string, type: string, logic: (input: unknown) => unknown): SimpleNode {
  return { id, type, logic };
}

let nextCall = 1;

export class SimpleExecutor {
  private readonly executables = new Map<string, NodeExecutable>();
  private engine: Conductor | undefined;

  /** `config`: the conductor's settings (default: flows kept in memory). */
  constructor(private readonly config: DesktopConductorConfig = {}) {}

  private conductor(): Conductor {
    this.engine ??= createNativeConductor({
      storage: { type: "memory" },
      ...this.config,
      nodeExecutorFactory: {
        getNodeExecutable: (type) => this.executables.get(type) ?? this.config.nodeExecutorFactory?.getNodeExecutable(type),
      },
    });
    return this.engine;
  }

  /** Runs the nodes in order, each on the previous one's output (the first on `input`); stops at the first failure. */
  async executeBlueprint(blueprint: SimpleBlueprint, input?: unknown): Promise<SimpleResult> {
    const call = nextCall++;
    const nodes = Array.isArray(blueprint?.nodes) ? blueprint.nodes : [];
    // Each node its own type for this call: two nodes of one type have different logic.
    const types = nodes.map((node, index) => {
      const type = `simple:${call}:${index}`;
      this.executables.set(type, { execute: (params) => node.logic((params.input as { default?: unknown } | undefined)?.default) });
      return type;
    });
    const flow: NodeDefinition = {
      id: typeof blueprint?.id === "string" && blueprint.id ? blueprint.id : `simple-${call}`,
      type: "group",
      nodes: nodes.map((node, index) => ({ id: node.id, name: node.id, type: types[index]!, parameters: {} })),
      edges: nodes.slice(1).map((node, index) => ({ id: `${nodes[index]!.id}->${node.id}`, source: nodes[index]!.id, target: node.id })),
    };
    try {
      const result = await this.conductor().node.run(flow, { input: { default: input } });
      return result.success ? { success: true, outputs: result.data } : { success: false, error: result.error?.message };
    } finally {
      for (const type of types) this.executables.delete(type);
    }
  }

  /** The later name of `executeBlueprint`. */
  executeComposite(composite: SimpleComposite, input?: unknown): Promise<SimpleResult> {
    return this.executeBlueprint(composite, input);
  }
}
