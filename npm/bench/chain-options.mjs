#!/usr/bin/env node
// What the default options cost a 10-node chain of async JS executors: four conductors in one
// process (defaults; history off; trace off; both off), warmed, then measured in alternation so
// that the machine's drift falls on all four alike. Medians of 40 blocks of 50 runs, µs per run.
//
//   node npm/bench/chain-options.mjs            (after scripts/build-npm.sh)
import { createConductor } from "@atomiton/conductor";
import { chainFlow } from "./lib.mjs";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const flow = chainFlow(10, "inc");
const factory = {
  getNodeExecutable: (type) => (type === "inc" ? { execute: async (params) => (params.input?.default ?? 0) + 1 } : undefined),
};
const variants = [
  ["defaults (trace and history on)", {}],
  ["history: false", { history: false }],
  ["trace: false", { trace: false }],
  ["history: false, trace: false", { history: false, trace: false }],
];
const conductors = variants.map(([, options]) =>
  createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory, ...options }),
);
for (const conductor of conductors) for (let i = 0; i < 2000; i++) await conductor.node.run(flow);
const samples = conductors.map(() => []);
for (let block = 0; block < 40; block++) {
  for (let k = 0; k < conductors.length; k++) {
    const start = performance.now();
    for (let i = 0; i < 50; i++) await conductors[k].node.run(flow);
    samples[k].push(((performance.now() - start) / 50) * 1000);
  }
}
const base = median(samples[0]);
for (let k = 0; k < variants.length; k++) {
  const m = median(samples[k]);
  console.log(
    `${variants[k][0].padEnd(34)} ${m.toFixed(1).padStart(7)} µs   ${k === 0 ? "(budget 100 µs)" : `${(m - base).toFixed(1)} µs against the defaults`}`,
  );
}
await Promise.all(conductors.map((c) => c.shutdown()));
