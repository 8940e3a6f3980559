// A CommonJS TypeScript consumer: these imports compile to require() and resolve to dist/cjs.
import { createConductor, type Conductor } from "@atomiton/conductor";
import { registerIpcChannels } from "@atomiton/conductor/desktop";
import { ErrorCode, type ExecutionResult } from "@atomiton/conductor/types";

const conductor: Conductor = createConductor({ concurrency: 8, timeout: 30_000 });
const check = async (): Promise<boolean> => {
  const result: ExecutionResult = await conductor.node.run({ id: "n", type: "transform" });
  return result.error?.code === ErrorCode.TIMEOUT && typeof registerIpcChannels === "function";
};
export = check;
