// An ES module TypeScript consumer of the same entries.
import { createConductor, type Conductor } from "@atomiton/conductor";
import { registerIpcChannels } from "@atomiton/conductor/desktop";
import { conductor as browserConductor, createConductor as createBrowserConductor } from "@atomiton/conductor/browser";
import { engineWorker } from "@atomiton/conductor/browser/engine-worker";
import { ErrorCode, type ExecutionResult } from "@atomiton/conductor/types";

const conductor: Conductor = createConductor({ concurrency: 8, timeout: 30_000 });
// Only built when called: it starts a Web Worker.
export const workerConductor = () => createBrowserConductor({ worker: engineWorker });
export async function check(): Promise<boolean> {
  const result: ExecutionResult = await conductor.node.run({ id: "n", type: "transform" });
  const request = await conductor.execute({
    blueprintId: "complex-workflow",
    inputs: { source: "api" },
    config: { parallel: true, debugMode: true },
  });
  await browserConductor.ready;
  const fromBrowser = await browserConductor.execute({ flowId: "hello-world" });
  return (
    result.error?.type === "timeout" &&
    request.outputs !== undefined &&
    fromBrowser.metadata.flowId === "hello-world" &&
    result.error?.code === ErrorCode.TIMEOUT &&
    typeof registerIpcChannels === "function"
  );
}
