/** `conductor.storage`: saved flows, kept by the engine's flow store. */
import { ErrorCode } from "../../types/errors.js";
import type { Unsubscribe } from "../../types/progress.js";
import type { FlowDefinition, FlowListResponse, ListFlowsOptions, SavedFlowEvent } from "../../types/storage.js";
import { MESSAGES } from "../../types/wire.generated.js";
import type { EngineAdapter } from "../engine.js";
import { refused, requireString } from "../failure.js";
import { unwrap } from "../hydrate.js";
import type { Listeners } from "../../util/listeners.js";

export function createStorageApi(engine: EngineAdapter, flowSaved: Listeners<SavedFlowEvent>) {
  return {
    async saveFlow(definition: FlowDefinition): Promise<FlowDefinition> {
      if (!Array.isArray(definition?.nodes) || definition.nodes.length === 0)
        throw refused(ErrorCode.VALIDATION_FAILED, MESSAGES.EMPTY_FLOW);
      return unwrap(await engine.saveFlow(definition));
    },
    async loadFlow(id: string): Promise<FlowDefinition> {
      requireString(id, "Flow id");
      return unwrap(await engine.loadFlow(id));
    },
    async listFlows(listOptions: ListFlowsOptions = {}): Promise<FlowListResponse> {
      // Only the options there are: whatever else an object holds (a cycle, a BigInt) stays here.
      const { limit, offset, sortBy, sortOrder } =
        typeof listOptions === "object" && listOptions !== null ? listOptions : ({} as ListFlowsOptions);
      return unwrap(await engine.listFlows({ limit, offset, sortBy, sortOrder }));
    },
    async deleteFlow(id: string): Promise<void> {
      requireString(id, "Flow id");
      unwrap(await engine.deleteFlow(id));
    },
    onFlowSaved: (callback: (event: SavedFlowEvent) => void): Unsubscribe => flowSaved.add(callback),
  };
}
