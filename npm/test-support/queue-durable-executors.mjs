// The `effect` node type for the durable queue-mode test (npm/test/queue-durability.test.mjs),
// loaded by workers with `atomiton worker --executors`: appends `<run> <node> <pid>` to the file
// ATOMITON_TEST_EFFECT_LOG names (its effect, counted by the test), waits `waitMs`, and adds `k`
// to every number of its input.
import { appendFileSync } from "node:fs";

export default {
  effect: {
    execute: async (p) => {
      appendFileSync(process.env.ATOMITON_TEST_EFFECT_LOG, `${p.run} ${p.nodeId} ${process.pid}\n`);
      await new Promise((resolve) => setTimeout(resolve, p.waitMs ?? 0));
      return (Array.isArray(p.input?.default) ? p.input.default : []).map((x) => x + p.k);
    },
  },
};
