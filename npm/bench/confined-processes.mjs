#!/usr/bin/env node
// What confining a run's processes costs: a 10-node chain of `shell-command` nodes (each runs
// `sh -c "cat <file>"` on a file under the run's root), run unrestricted and run with
// `permissions: {shell: true, files: {roots: [dir]}}` (Landlock on Linux), alternating, in one
// process; the median per run and the ratio. Both runs go through the supervisor that ends a
// node's processes with it (there is no way to turn that off): the ratio is Landlock's cost, the
// first line's time the whole cost of a process per node. A program, not a test: it prints
// numbers and never fails.
//
//   node npm/bench/confined-processes.mjs            (after scripts/build-npm.sh)
//   node npm/bench/confined-processes.mjs --runs 100
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { median, now } from "./lib.mjs";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 50;
const dir = mkdtempSync(join(tmpdir(), "atomiton-confined-bench-"));
writeFileSync(join(dir, "data.txt"), "a line\n");

const nodes = Array.from({ length: 10 }, (_, i) => ({
  id: `sh${i}`,
  type: "shell-command",
  parameters: { program: "sh", args: ["-c", `cat '${join(dir, "data.txt")}'`] },
}));
const flow = {
  id: "shell-chain",
  type: "group",
  nodes,
  edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id })),
};
const conductor = createConductor({ storage: { type: "memory" }, history: false });
const modes = {
  unconfined: undefined,
  confined: { shell: true, files: { roots: [dir] } },
};
const times = { unconfined: [], confined: [] };
for (let i = 0; i < runs + 3; i++) {
  for (const [mode, permissions] of Object.entries(modes)) {
    const start = now();
    const result = await conductor.node.run(flow, permissions ? { permissions } : {});
    const took = now() - start;
    if (!result.success) throw new Error(`${mode}: ${result.error.message}`);
    if (i >= 3) times[mode].push(took);
  }
}
await conductor.shutdown();
rmSync(dir, { recursive: true, force: true });
const base = median(times.unconfined);
for (const mode of Object.keys(modes)) {
  const ms = median(times[mode]);
  console.log(`${mode.padEnd(11)} median ${ms.toFixed(2).padStart(7)} ms per 10-node run  (${(ms / base).toFixed(2)}x unconfined)`);
}
