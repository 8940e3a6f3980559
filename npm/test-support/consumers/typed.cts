// A CommonJS TypeScript consumer: these imports compile to require() and resolve to dist/cjs.
import { conductor as shared, createConductor, SimpleExecutor, type Conductor } from "@atomiton/conductor";
import { registerIpcChannels, setupMainProcessHandler, type MainProcessHandler } from "@atomiton/conductor/desktop";
import { ErrorCode, type ExecutionResult } from "@atomiton/conductor/types";

const conductor: Conductor = createConductor({ transport: "local", concurrency: 8, timeout: 30_000, logLevel: "debug" });
const check = async (): Promise<boolean> => {
  const result: ExecutionResult = await conductor.node.run({ id: "n", type: "transform" }, { debug: true });
  const request = await shared.execute({
    flowId: "my-workflow",
    inputs: { data: "test" },
    options: { retries: 3, timeout: 10_000, fallback: "cached-data" },
  });
  conductor.configureTransport("http", { apiUrl: "http://127.0.0.1:3000" });
  const handler: MainProcessHandler = setupMainProcessHandler({ concurrency: 4, storage: { type: "memory" } });
  await handler.dispose();
  await conductor.shutdown();
  const simple = await new SimpleExecutor().executeBlueprint({ id: "b", nodes: [] });
  return (
    result.error?.code === ErrorCode.TIMEOUT &&
    request.metadata.attempts > 0 &&
    result.error?.retryable === true &&
    simple.success &&
    typeof registerIpcChannels === "function"
  );
};
export = check;
