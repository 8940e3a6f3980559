// A process that starts a durable run of a for-each over `count` items, whose body's `effect`
// node appends `item <n>` to `log` (and takes a few milliseconds), and waits to be killed
// (npm/test/flow-language.test.mjs): prints `started` once the run is under way.
import { appendFileSync } from "node:fs";
import { createConductor } from "@atomiton/conductor";

const [directory, log, executionId, count, engine = "native"] = process.argv.slice(2);
const conductor = createConductor({
  engine,
  storage: { directory },
  durability: { resume: "manual" },
  nodeExecutorFactory: {
    getNodeExecutable: (type) =>
      type === "effect"
        ? {
            execute: async (p) => {
              appendFileSync(log, `item ${p.input.item}\n`);
              await new Promise((resolve) => setTimeout(resolve, 5));
              return p.input.item * 10;
            },
          }
        : undefined,
  },
});
const flow = (n) => ({
  id: "per-item",
  type: "group",
  nodes: [
    {
      id: "each",
      type: "for-each",
      parameters: { items: Array.from({ length: n }, (_, i) => i) },
      nodes: [{ id: "call", type: "effect", parameters: { idempotent: true } }],
      edges: [],
    },
  ],
  edges: [],
});
const run = conductor.node.run(flow(Number(count)), { executionId });
process.stdout.write("started\n");
const result = await run;
process.stdout.write(`ended ${result.success}\n`);
setInterval(() => {}, 1000);
