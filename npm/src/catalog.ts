/**
 * The node catalog and flow formats without a conductor (the TypeScript engine `@atomiton/nodes`
 * functions), backed by the engine `ATOMITON_CONDUCTOR_ENGINE` selects (native when it fits).
 */
import { catalogFunctions } from "./engines/local.js";
import { unwrap } from "./conductor/hydrate.js";
import type { Outcome } from "./types/wire.js";
import type { NodeDefinition } from "./types/definition.js";
import { decodeValue, encodeValue } from "./values/codec.js";

const read = <T>(text: string): T => unwrap(decodeValue(text) as Outcome<T>);

/** A built-in node type's definition (category, icon, defaults, ports, fields), or undefined. */
export function getNodeDefinition(type: string): NodeDefinition | undefined {
  return read<NodeDefinition | null>(catalogFunctions().nodeDefinition(type)) ?? undefined;
}

/** Every built-in node type's definition, in the TypeScript engine's registry order. */
export function getAllNodeDefinitions(): NodeDefinition[] {
  return read<NodeDefinition[]>(catalogFunctions().nodeDefinitions());
}

/** Definitions grouped by category: `[{name, title, items}]`. */
export function getNodeDefinitionsGroupedByCategory(): Array<{ name: string; title: string; items: NodeDefinition[] }> {
  return read(catalogFunctions().nodeDefinitionsByCategory());
}

/**
 * `createNodeDefinition(input)`: a node definition with the TypeScript engine's factory defaults — a
 * generated `node_<uuid>` id, version 1.0.0, name, position, metadata and `{enabled, timeout,
 * retries}` parameters when none are given; given parameters are kept as they are.
 */
export function createNodeDefinition(input: Partial<NodeDefinition> & Record<string, unknown> = {}): NodeDefinition {
  const type = typeof input.type === "string" && input.type ? input.type : "unknown";
  const metadata = (input.metadata ?? {}) as Record<string, unknown>;
  const flow = {
    ...input,
    id: input.id || `node_${globalThis.crypto.randomUUID()}`,
    type,
    version: input.version || "1.0.0",
    name: input.name || (typeof metadata.name === "string" && metadata.name) || "Unnamed Node",
    position: input.position ?? { x: 0, y: 0 },
    metadata: input.metadata ?? {},
    fields: input.fields ?? {},
    inputPorts: input.inputPorts ?? [],
    outputPorts: input.outputPorts ?? [],
  };
  // The engine's YAML flow reader applies the factory's metadata and parameter defaults.
  const normalised = read<NodeDefinition>(
    catalogFunctions().parseFlow(encodeValue(flow, { omitUndefined: true }), JSON.stringify({ format: "yaml", defaults: true })),
  );
  const parameters = input.parameters && typeof input.parameters === "object" ? input.parameters : normalised.parameters;
  return { ...normalised, name: flow.name, parameters };
}

/** Reads a flow from YAML (the flow format, with its defaults) or JSON text. */
export function parseFlow(text: string, options: { format?: "yaml" | "json"; defaults?: boolean } = {}): NodeDefinition {
  return read<NodeDefinition>(catalogFunctions().parseFlow(text, JSON.stringify(options)));
}

/** Writes a flow as YAML that reads back to the same definition. */
export function toYaml(flow: NodeDefinition): string {
  return read<string>(catalogFunctions().flowToYaml(encodeValue(flow, { omitUndefined: true })));
}
