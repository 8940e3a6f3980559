#!/usr/bin/env node
// What durable runs cost: the 10-node run from JS (a chain of JS executors, each adding one, and
// the same chain of built-in `transform` nodes) with history and durability off, history on, and
// history with durability on, and durability with `sync: true` (each node with effects waits for
// its start mark to reach the disk: a custom executor is one, a `transform` is not) —
// interleaved in one process, each round's medians taken at the same moment of the machine. A program, not a test: it prints medians and never fails.
//
//   node npm/bench/durability.mjs             (after scripts/build-npm.sh)
//   node npm/bench/durability.mjs --rounds 41
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { chainFlow, median, now } from "./lib.mjs";

const roundsAt = process.argv.indexOf("--rounds");
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 21;
const perRound = 200;
const directory = mkdtempSync(join(tmpdir(), "atomiton-durability-bench-"));
process.on("exit", () => rmSync(directory, { recursive: true, force: true }));

const factory = { getNodeExecutable: (type) => (type === "inc" ? { execute: (p) => (p.input?.default ?? 0) + 1 } : undefined) };
const conductors = {
  off: createConductor({ storage: { directory }, nodeExecutorFactory: factory, history: false }),
  history: createConductor({ storage: { directory }, nodeExecutorFactory: factory }),
  durable: createConductor({ storage: { directory }, nodeExecutorFactory: factory, durability: {} }),
  synced: createConductor({ storage: { directory: join(directory, "synced") }, nodeExecutorFactory: factory, durability: { sync: true } }),
};
const flows = {
  "JS executors": { flow: chainFlow(10, "inc"), input: { default: 0 } },
  "built-in transform": {
    flow: chainFlow(10, "transform", () => ({ transformFunction: "x => x + 1" })),
    input: { default: [0] },
  },
};

for (const [name, { flow, input }] of Object.entries(flows)) {
  for (let i = 0; i < 300; i++) for (const conductor of Object.values(conductors)) await conductor.node.run(flow, { input });
  const medians = { off: [], history: [], durable: [], synced: [] };
  for (let round = 0; round < rounds; round++) {
    // Rotating which goes first, so none always runs on a warmer machine.
    const order = Object.keys(medians);
    for (let shift = 0; shift < round % 4; shift++) order.push(order.shift());
    for (const which of order) {
      const times = [];
      for (let i = 0; i < perRound; i++) {
        const start = now();
        const result = await conductors[which].node.run(flow, { input });
        times.push((now() - start) * 1000);
        if (!result.success) throw new Error(`${which}: ${result.error?.message}`);
      }
      medians[which].push(median(times));
    }
  }
  const ratio = (a, b) => median(medians[a].map((value, i) => value / medians[b][i]));
  const us = (which) => median(medians[which]).toFixed(1);
  console.log(`10-node chain of ${name}, median of ${rounds} rounds x ${perRound} runs:`);
  console.log(`  off ${us("off")} us, history ${us("history")} us, durable ${us("durable")} us, durable with sync ${us("synced")} us`);
  console.log(`  sync / durable ${ratio("synced", "durable").toFixed(3)}`);
  console.log(
    `  durable / off ${ratio("durable", "off").toFixed(3)} (goal <= 1.25), durable / history ${ratio("durable", "history").toFixed(3)}, history / off ${ratio("history", "off").toFixed(3)}`,
  );
}
for (const conductor of Object.values(conductors)) await conductor.shutdown();
