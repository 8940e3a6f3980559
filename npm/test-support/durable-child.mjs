// A process that starts a durable run of flow `seed` and waits to be killed
// (npm/test/durability.test.mjs) on `engine` (native or wasm): prints `started` once the run is
// under way. Effect node `hang`
// (optional) has its effect and never ends.
import { createConductor } from "@atomiton/conductor";
import { effectsLoggingTo, flowFor, INPUT } from "./durable-flows.mjs";

const [directory, log, seed, executionId, hang, engine = "native"] = process.argv.slice(2);
const conductor = createConductor({
  engine,
  storage: { directory },
  durability: { resume: "manual" },
  nodeExecutorFactory: effectsLoggingTo(log, hang),
});
// ATOMITON_DURABLE_FLOW: a flow of the test's own (JSON) instead of flow `seed`.
const flow = process.env.ATOMITON_DURABLE_FLOW ? JSON.parse(process.env.ATOMITON_DURABLE_FLOW) : flowFor(Number(seed));
const run = conductor.node.run(flow, { executionId, input: INPUT });
process.stdout.write("started\n");
const result = await run;
process.stdout.write(`ended ${result.success}\n`);
setInterval(() => {}, 1000);
