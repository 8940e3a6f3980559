/** `conductor.execute`: runs a flow by id, with retries, or a node as `node.run` does. */
import type { RunLog } from "../../logging.js";
import { ErrorCode } from "../../types/errors.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { ContextOverrides, ExecutionResult } from "../../types/execution.js";
import type { Outcome } from "../../types/wire.js";
import {
  executeRequest,
  isExecutionRequest,
  type ExecutionRequest,
  type Lookup,
  type RequestExecutionResult,
  type RequestRunner,
} from "../execute-request.js";
import { publicError } from "../failure.js";
import type { Run } from "../run.js";
import type { ConductorState } from "../state.js";

/** An engine's answer to a lookup by id: absent when it has no such flow (or the id cannot be one). */
function lookup(outcome: Outcome<unknown>): Lookup {
  if (outcome.ok) return outcome.value ? { flow: outcome.value as NodeDefinition } : {};
  const absent = outcome.error.code === ErrorCode.NODE_NOT_FOUND || outcome.error.code === ErrorCode.VALIDATION_FAILED;
  return absent ? {} : { error: publicError(outcome.error) };
}

/** `execute`, and the requests it has in progress by execution id (`node.cancel` and `shutdown` abort them). */
export function createExecute({ engine, config }: ConductorState, run: Run, log: RunLog) {
  const requests = new Map<string, AbortController>();
  const requestRunner: RequestRunner = {
    run,
    loadSaved: async (id) => lookup(await engine.loadFlow(id)),
    loadTemplate: async (id) => lookup(await engine.getTemplate(id)),
    newExecutionId: (given) => engine.executionId(given),
    // The conductor's caps and first wait; the engine fills what the config leaves out.
    retryDelay: (question) =>
      engine.retryDelay({ ...question, maxRetries: config.maxRetries, retryDelay: question.retryDelay ?? config.retryDelay }),
    track(executionId, controller) {
      requests.set(executionId, controller);
      return () => {
        if (requests.get(executionId) === controller) requests.delete(executionId);
      };
    },
    log,
  };

  /**
   * `execute(request)` runs a flow by id (`{flowId | blueprintId, inputs, context, options}`);
   * `execute(node, overrides)` is `node.run`. A node has a string `type`; a request does not.
   */
  function execute(request: ExecutionRequest): Promise<RequestExecutionResult>;
  function execute(node: NodeDefinition, overrides?: ContextOverrides): Promise<ExecutionResult>;
  function execute(
    target: NodeDefinition | ExecutionRequest,
    overrides?: ContextOverrides,
  ): Promise<ExecutionResult | RequestExecutionResult> {
    return isExecutionRequest(target) ? executeRequest(requestRunner, target) : run(target as NodeDefinition, overrides);
  }

  return { execute, requests };
}
