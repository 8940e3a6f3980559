/** `conductor.catalog`: the node types the engine knows, as the UI presents them. */
import type { NodeDefinition } from "../../types/definition.js";
import type { EngineAdapter } from "../engine.js";
import { unwrap } from "../hydrate.js";

export function createCatalogApi(engine: EngineAdapter) {
  return {
    getNodeDefinition: (type: string): NodeDefinition | undefined => unwrap(engine.nodeDefinition(type)) ?? undefined,
    getAllNodeDefinitions: (): NodeDefinition[] => unwrap(engine.nodeDefinitions()),
    getNodeDefinitionsGroupedByCategory: () => unwrap(engine.nodeDefinitionsByCategory()),
  };
}
