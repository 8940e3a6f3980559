#!/usr/bin/env node
// What a custom node costs per call, by runtime: one-node runs of a JS executor, a WebAssembly
// plugin (tests/plugins/vowels_as.wasm, AssemblyScript) and a `python` node, each passing a
// small value through, one run at a time; the median per run and its ratio to the JS
// executor's, in the same process. A program, not a test: it prints numbers and never fails.
//
//   node npm/bench/custom-nodes.mjs               (after scripts/build-npm.sh)
//   node npm/bench/custom-nodes.mjs --runs 2000
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { median, now } from "./lib.mjs";

const runsAt = process.argv.indexOf("--runs");
const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 1000;
const repo = fileURLToPath(new URL("../..", import.meta.url));

const conductor = createConductor({
  storage: { type: "memory" },
  history: false,
  plugins: { vowels: { wasm: join(repo, "tests", "plugins", "vowels_as.wasm") } },
  python: { workers: 1 },
  nodeExecutorFactory: { getNodeExecutable: (type) => (type === "echo" ? { execute: ({ data }) => data } : undefined) },
});

const kinds = {
  "JS executor": { id: "n", type: "echo", parameters: { data: "Programming in AssemblyScript" } },
  "WebAssembly plugin": { id: "n", type: "vowels", parameters: { data: "Programming in AssemblyScript" } },
  "python node": {
    id: "n",
    type: "python",
    parameters: { code: "def main(data):\n    return data\n", data: "Programming in AssemblyScript" },
  },
};

const medians = {};
for (const [kind, node] of Object.entries(kinds)) {
  // Warm: the plugin's function translated, the Python worker started.
  for (let i = 0; i < 20; i++) await conductor.node.run(node);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    const result = await conductor.node.run(node);
    times.push(now() - start);
    if (!result.success) throw new Error(`${kind}: ${result.error.message}`);
  }
  medians[kind] = median(times);
}
const base = medians["JS executor"];
for (const [kind, ms] of Object.entries(medians)) {
  console.log(`${kind.padEnd(20)} median ${(ms * 1000).toFixed(0).padStart(6)} µs per run  (${(ms / base).toFixed(2)}x the JS executor's)`);
}
