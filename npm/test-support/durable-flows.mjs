// Random flows for the durable-run tests (npm/test/durability.test.mjs and its child process):
// a chain of pure `transform` nodes and `effect` nodes — a JS executor that appends its node id to
// a log file (its effect, counted by the test), waits a few ms, and adds `k` to every number.
import { appendFileSync } from "node:fs";
import { random } from "./expression-generator.mjs";

export { random };

/** Flow `seed`: 4–8 nodes in a chain, about half of them effects, some of those idempotent. */
export function flowFor(seed) {
  const next = random(seed);
  const size = 4 + Math.floor(next() * 5);
  const nodes = [];
  for (let i = 0; i < size; i++) {
    if (next() < 0.5) {
      nodes.push({ id: `t${i}`, type: "transform", parameters: { transformFunction: `item => item * 2 + ${i}` } });
    } else {
      const idempotent = next() < 0.5;
      const parameters = { k: 1 + Math.floor(next() * 100), waitMs: Math.floor(next() * 40) };
      if (idempotent) parameters.idempotent = true;
      nodes.push({ id: `e${i}`, type: "effect", parameters });
    }
  }
  const edges = nodes.slice(1).map((node, i) => ({ source: nodes[i].id, target: node.id }));
  return { id: `durable-${seed}`, type: "group", nodes, edges };
}

/** The executors of `effect` nodes, appending to `log`; node `hang` has its effect, then never ends. */
export function effectsLoggingTo(log, hang) {
  return {
    getNodeExecutable: (type) =>
      type === "effect"
        ? {
            execute: async (p) => {
              appendFileSync(log, `${p.nodeId}\n`);
              if (p.nodeId === hang) await new Promise(() => {});
              await new Promise((resolve) => setTimeout(resolve, p.waitMs ?? 0));
              return (Array.isArray(p.input?.default) ? p.input.default : []).map((x) => x + p.k);
            },
          }
        : undefined,
  };
}

/** The input every run of these flows takes. */
export const INPUT = { default: [1, 2, 3] };
