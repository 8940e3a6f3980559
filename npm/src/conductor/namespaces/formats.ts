/** `conductor.formats`: flows read from and written as YAML or JSON text. */
import type { NodeDefinition } from "../../types/definition.js";
import type { EngineAdapter } from "../engine.js";
import { requireString } from "../failure.js";
import { unwrap } from "../hydrate.js";

export function createFormatsApi(engine: EngineAdapter) {
  return {
    /** Reads a flow from YAML (the flow format, with its defaults) or JSON text. */
    parseFlow: (text: string, parseOptions: { format?: "yaml" | "json"; defaults?: boolean } = {}): NodeDefinition => {
      requireString(text, "Flow text");
      return unwrap(engine.parseFlow(text, parseOptions));
    },
    /** Writes a flow as YAML that reads back to the same definition. */
    toYaml: (definition: NodeDefinition): string => unwrap(engine.flowToYaml(definition)),
  };
}
