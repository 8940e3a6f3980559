// A process that records a run and is killed in the middle of it (npm/test/history.test.mjs):
// node `first` ends, node `stuck` waits forever; once the record shows `first`, the run's id is
// printed and the process waits to be killed.
import { createConductor } from "@atomiton/conductor";

const [directory] = process.argv.slice(2);
const conductor = createConductor({
  storage: { directory },
  nodeExecutorFactory: {
    getNodeExecutable: (type) =>
      type === "count"
        ? { execute: (p) => (p.input?.default ?? 0) + 1 }
        : type === "stuck"
          ? { execute: () => new Promise(() => {}) }
          : undefined,
  },
});
const flow = {
  id: "dies",
  type: "group",
  nodes: [
    { id: "first", type: "count" },
    { id: "stuck", type: "stuck" },
  ],
  edges: [{ source: "first", target: "stuck" }],
};
const executionId = "exec-killed-1";
void conductor.node.run(flow, { executionId, input: { default: 41 } });
for (;;) {
  const record = await conductor.executions.get(executionId).catch(() => undefined);
  if (record?.nodes.some((n) => n.nodeId === "first")) break;
  await new Promise((resolve) => setTimeout(resolve, 10));
}
process.stdout.write(`recorded ${executionId}\n`);
setInterval(() => {}, 1000);
