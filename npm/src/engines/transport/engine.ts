/**
 * `ConductorConfig.transport` (a custom `{execute, health?}`, as the TypeScript engine accepted): runs
 * go through it, everything else (validation, storage, templates, catalog) is answered by the local
 * engine. A transport that throws ends the run with `TRANSPORT_ERROR` at once: `execute` is not
 * idempotent, so it is not retried behind the caller's back.
 */
import { delegatingEngine } from "../../conductor/delegate.js";
import type { EngineAdapter, WireRunOptions } from "../../conductor/engine.js";
import type { WireResult } from "../../types/wire.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { ConductorExecutionContext, ConductorTransport } from "../../types/execution.js";
import { executionContext, failedRun, toWireResult } from "../remote/wire.js";

export function executionTransportEngine(transport: ConductorTransport, local: EngineAdapter): EngineAdapter {
  const overrides: Partial<EngineAdapter> = {
    // The app's transport takes runs elsewhere (a server of its own, typically).
    handsRunsTo: { to: "server" },
    async run(node: NodeDefinition, options: WireRunOptions): Promise<WireResult> {
      try {
        return toWireResult(await transport.execute(node, executionContext(node, options) as unknown as ConductorExecutionContext));
      } catch (thrown) {
        return failedRun(node, options, thrown);
      }
    },
  };
  if (transport.health) overrides.health = () => transport.health!();
  return delegatingEngine(() => local, overrides);
}
