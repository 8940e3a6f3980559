/** `conductor.flow`: flow templates, and runs of flows (groups with child nodes). */
import type { NodeDefinition } from "../../types/definition.js";
import { ErrorCode } from "../../types/errors.js";
import type { ContextOverrides, ExecutionResult } from "../../types/execution.js";
import type { FlowTemplateInfo } from "../../types/storage.js";
import type { EngineAdapter } from "../engine.js";
import { refused } from "../failure.js";
import { unwrap } from "../hydrate.js";
import type { Run } from "../run.js";
import type { RunSubscriptions } from "./node.js";

export function createFlowApi(engine: EngineAdapter, run: Run, { onProgress, onComplete, onError }: RunSubscriptions) {
  const flow = {
    async listTemplates(): Promise<{ templates: FlowTemplateInfo[] }> {
      return unwrap(await engine.listTemplates());
    },
    async getTemplate(id: string): Promise<{ definition: NodeDefinition }> {
      // The engine answers NODE_NOT_FOUND, naming the templates there are, when none answers to
      // `id`; a remote server of an earlier version answers null.
      const definition = unwrap(await engine.getTemplate(id));
      if (!definition) throw refused(ErrorCode.NODE_NOT_FOUND, `Flow template ${id} not found`);
      return { definition };
    },
    async loadFlow(id: string): Promise<NodeDefinition> {
      return (await flow.getTemplate(id)).definition;
    },
    async run(flowDefinition: NodeDefinition, overrides: ContextOverrides = {}): Promise<ExecutionResult> {
      if (!Array.isArray(flowDefinition?.nodes) || flowDefinition.nodes.length === 0) {
        throw refused(ErrorCode.INVALID_NODE, "Flow must be a group node with child nodes. Use conductor.node.run() for atomic nodes.");
      }
      return run(flowDefinition, overrides);
    },
    onProgress,
    onComplete,
    onError,
  };
  return flow;
}
