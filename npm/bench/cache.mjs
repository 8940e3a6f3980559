// What the node result cache costs and saves, end to end through `conductor.node.run`
// (README "Result cache" and "Performance"; the engine's own figures are
// `cargo bench -p atomiton-core --bench cache`):
//   1. a 10-node chain whose nodes all hit, in memory and beside the SQLite history, turn about
//      with the same chain on a conductor without a cache;
//   2. the editor loop: a flow whose first node is slow (a JS executor opted in, 20 ms) run again
//      after an edit to its last node: with the cache only the edited node runs;
//   3. hashing a large input: a 10,000-record map, hit (its input hashed) against run.
// A program, not a test: medians and same-run ratios, never a verdict on this machine's speed.
//   node --expose-gc npm/bench/cache.mjs [--rounds 21]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { chainFlow, measure, paired, report } from "./lib.mjs";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 21;
const RUNS = 200;
const directory = mkdtempSync(join(tmpdir(), "atomiton-cache-bench-"));
const chain = chainFlow(10, "transform", (i) => (i === 0 ? { data: [1] } : {}));
const slowFirst = (last) => ({
  id: "editor",
  type: "group",
  nodes: [
    { id: "fetch", type: "slow", parameters: { cache: true } },
    ...Array.from({ length: 8 }, (_, i) => ({ id: `step${i}`, type: "transform", parameters: { transformFunction: "x => x + 1" } })),
    { id: "last", type: "transform", parameters: { transformFunction: last } },
  ],
  edges: Array.from({ length: 9 }, (_, i) => ({
    id: `e${i}`,
    source: i === 0 ? "fetch" : `step${i - 1}`,
    target: i === 8 ? "last" : `step${i}`,
    targetHandle: "data",
  })),
});
const slow = {
  getNodeExecutable: (type) =>
    type === "slow" ? { execute: () => new Promise((done) => setTimeout(() => done([1, 2, 3]), 20)) } : undefined,
};

const plain = createConductor({ storage: { type: "memory" }, history: false, nodeExecutorFactory: slow });
const memory = createConductor({ storage: { type: "memory" }, history: false, cache: { store: "memory" }, nodeExecutorFactory: slow });
const sqlite = createConductor({ storage: { type: "fs", directory }, cache: true, nodeExecutorFactory: slow });
const sqliteNoCache = createConductor({ storage: { type: "fs", directory }, nodeExecutorFactory: slow });

const batch = (conductor, flow) => async () => {
  for (let i = 0; i < RUNS; i++) await conductor.node.run(flow);
};

// 1. Every node a hit.
for (const [label, cached, uncached] of [
  ["in memory, history off", memory, plain],
  ["beside the SQLite history", sqlite, sqliteNoCache],
]) {
  for (let i = 0; i < 3; i++) {
    await batch(cached, chain)();
    await batch(uncached, chain)();
  }
  globalThis.gc?.();
  const { a, b, ratio } = await paired(rounds, batch(cached, chain), batch(uncached, chain));
  report(`10-node chain, every node a hit, ${label} (µs per run)`, (a / RUNS) * 1000, "µs", 50);
  report(`  the same without a cache (µs per run)`, (b / RUNS) * 1000, "µs");
  report(`  cached / uncached, median of round ratios`, ratio, "×");
}

// 2. The editor loop.
let edit = 0;
const editedRun = (conductor) => () => conductor.node.run(slowFirst(`x => x * ${++edit}`));
await editedRun(memory)();
const loopCached = await measure(rounds, editedRun(memory));
const loopPlain = await measure(rounds, editedRun(plain));
report("editor loop: slow first node, last node edited, with the cache (ms)", loopCached, "ms");
report("  the same without a cache (ms)", loopPlain, "ms");

// 3. A large input hashed.
const records = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `user ${i}`, dept: "engineering", salary: 50_000 + i }));
const big = {
  id: "big",
  type: "transform",
  parameters: { operation: "map", transformFunction: "r => ({ ...r, done: true })", data: records },
};
await memory.node.run(big);
const { a: hit, b: ran } = await paired(
  rounds,
  () => memory.node.run(big),
  () => plain.node.run(big),
);
report("10,000-record map: a hit (input hashed, output handed back) (ms)", hit, "ms");
report("  the same run without a cache (ms)", ran, "ms");

await Promise.all([plain, memory, sqlite, sqliteNoCache].map((c) => c.shutdown()));
rmSync(directory, { recursive: true, force: true });
process.exit(0);
