#!/usr/bin/env node
// The paths users take, as the docs show them: async executors, group flows, the default trace,
// data crossing the JS boundary both ways — each against its budget, with plain V8 doing the
// same work in the same run (the physical limit). A program, not a test: medians, never fails.
//
//   node npm/bench/realistic.mjs                       (after scripts/build-npm.sh)
//   node npm/bench/realistic.mjs --before <npm dir>    side by side with another build's dist/
//   node npm/bench/realistic.mjs --old <module>        and with the TypeScript engine this
//       package replaces: <module> exports `createOldConductor({ executors })`, which returns
//       that engine's conductor with the given custom executors (`{type: async fn}`) beside its
//       own built-ins (the old engine is not part of this repository; build it from its source).
// Lines are written with process.stdout.write: the old engine may silence console.log.
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chainFlow, fanFlow, measure, now, paired } from "./lib.mjs";

const argument = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const load = (dir) => (dir ? import(pathToFileURL(join(resolve(dir), "dist", "index.js")).href) : import("@atomiton/conductor"));
const print = (line) => process.stdout.write(`${line}\n`);
const builds = [{ label: "this build", module: await load() }];
if (argument("--before")) builds.push({ label: "before", module: await load(argument("--before")) });
const oldEngine = argument("--old") ? await import(pathToFileURL(resolve(argument("--old"))).href) : undefined;

const factory = {
  getNodeExecutable: (type) => {
    if (type === "inc") return { execute: async (params) => (params.input?.default ?? 0) + 1 };
    if (type === "noop") return { execute: async () => 1 };
    return undefined;
  },
};
const numbers = Array.from({ length: 100_000 }, (_, i) => i);
const objects = Array.from({ length: 10_000 }, (_, i) => ({ id: i, name: `item ${i}`, price: i % 250, tags: ["a", "b"] }));
const group = (node) => ({ id: "g", type: "group", nodes: [node], edges: [] });
const doubleAll = group({ id: "m", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: numbers } });
const spreadAll = group({
  id: "s",
  type: "transform",
  parameters: { operation: "map", transformFunction: "item => ({ ...item, processed: true })", data: objects },
});

const v8 = {
  double: () => numbers.map(new Function("x", "return x * 2")),
  spread: () => objects.map((item) => ({ ...item, processed: true })),
};
const rows = [];

/** Chain lengths measured per node: the cost per node must not depend on the length. */
const CHAIN_LENGTHS = [100, 1_000, 10_000, 100_000];

/**
 * µs per node of a chain of async executors at each of `CHAIN_LENGTHS`, history and trace at
 * their defaults; each length warmed up until the JIT has settled (a few runs and 300 ms).
 */
async function chainsPerNode(conductor) {
  const perNode = [];
  for (const n of CHAIN_LENGTHS) {
    const flow = chainFlow(n, "inc");
    const run = async () => {
      const result = await conductor.node.run(flow);
      if (result.data !== n) throw new Error(`chain of ${n}: ${JSON.stringify(result.error ?? result.data)}`);
    };
    const warm = now();
    for (let i = 0; i < 3 || now() - warm < 300; i++) await run();
    perNode.push(((await measure(n >= 100_000 ? 3 : n >= 10_000 ? 5 : 9, run)) / n) * 1000);
  }
  return perNode;
}
/** This build's group rows, each measured turn about with V8 doing the same map alone. */
let beside;
/** This build's conductor, for the old engine's turn-about rows. */
let first;
for (const { label, module } of builds) {
  const traced = module.createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  const chain10 = chainFlow(10, "inc");
  const chain100 = chainFlow(100, "inc");
  const builtin100 = chainFlow(100, "transform", (i) => (i === 0 ? { data: [] } : {}));
  const fan1000 = fanFlow(1000, "noop");
  const builtinFan = fanFlow(1000, "transform");
  for (let i = 0; i < 1000; i++) await traced.node.run(chain10);
  const c10 =
    (await measure(15, async () => {
      for (let i = 0; i < 100; i++) await traced.node.run(chain10);
    })) * 10;
  for (let i = 0; i < 20; i++) {
    await traced.node.run(chain100);
    await traced.node.run(builtin100);
  }
  const c100 = await measure(15, async () => {
    for (let i = 0; i < 10; i++) await traced.node.run(chain100);
  });
  const b100 = await measure(15, async () => {
    for (let i = 0; i < 10; i++) await traced.node.run(builtin100);
  });
  await traced.node.run(fan1000);
  await traced.node.run(builtinFan);
  const f1000 = await measure(9, () => traced.node.run(fan1000));
  const bf1000 = await measure(9, () => traced.node.run(builtinFan));
  for (let i = 0; i < 5; i++) {
    await traced.node.run(doubleAll);
    await traced.node.run(spreadAll);
  }
  let dbl, spr;
  first ??= traced;
  if (!beside) {
    beside = {
      double: await paired(41, () => traced.node.run(doubleAll), v8.double),
      spread: await paired(41, () => traced.node.run(spreadAll), v8.spread),
    };
    [dbl, spr] = [beside.double.a, beside.spread.a];
  } else {
    dbl = await measure(21, () => traced.node.run(doubleAll));
    spr = await measure(21, () => traced.node.run(spreadAll));
  }
  const perNode = await chainsPerNode(traced);
  // A build without its wasm engines (a checkout where only the native addon was built) has no wasm rows.
  let wasmPerNode = CHAIN_LENGTHS.map(() => NaN);
  try {
    const wasm = module.createConductor({ storage: { type: "memory" }, engine: "wasm", nodeExecutorFactory: factory });
    wasmPerNode = await chainsPerNode(wasm);
    await wasm.shutdown?.();
  } catch (error) {
    print(`${label}: no wasm rows (${error.message})`);
  }
  rows.push({
    label,
    cells: [
      ["10-node chain of async executors, default trace (µs)", c10, 100],
      ...CHAIN_LENGTHS.map((n, i) => [`chain of ${n.toLocaleString("en")} async executors, per node (µs)`, perNode[i], undefined]),
      ...CHAIN_LENGTHS.map((n, i) => [`the same, ${n.toLocaleString("en")} nodes, on the wasm engine (µs)`, wasmPerNode[i], undefined]),
      ["async executor overhead per node, 100-node chain (µs)", ((c100 - b100) / 10 / 100) * 1000, 10],
      ["async executor overhead per node, 1000-node fan-out (µs)", ((f1000 - bf1000) / 1000) * 1000, 10],
      ["group: transform x => x * 2 over 100k numbers (ms)", dbl, 10],
      ["group: transform { ...item, processed: true } over 10k objects (ms)", spr, 8],
    ],
  });
}
let oldTurnAbout;
if (oldEngine) {
  // The old engine: the same flows, fewer rounds (its 1,000-node chain takes seconds).
  const executors = { inc: async (params) => (params.input?.default ?? 0) + 1 };
  const old = await oldEngine.createOldConductor({ executors, silenceEngineLogs: true });
  const chain10 = chainFlow(10, "inc");
  for (let i = 0; i < 5; i++) await old.node.run(chain10);
  const c10 = (await measure(9, () => old.node.run(chain10))) * 1000;
  // Its cost per node grows with the chain (a 1,000-node chain takes seconds): 100 and 1,000 only.
  const oldPerNode = [];
  for (const n of CHAIN_LENGTHS.slice(0, 2)) oldPerNode.push(((await measure(1, () => old.node.run(chainFlow(n, "inc")))) / n) * 1000);
  for (let i = 0; i < 3; i++) {
    await old.node.run(doubleAll);
    await old.node.run(spreadAll);
  }
  // Turn about with this build: each engine's garbage slows the other, so both pay alike.
  const dbl = await paired(
    21,
    () => old.node.run(doubleAll),
    () => first.node.run(doubleAll),
  );
  const spr = await paired(
    21,
    () => old.node.run(spreadAll),
    () => first.node.run(spreadAll),
  );
  const chains = CHAIN_LENGTHS.map((_, i) => ["", oldPerNode[i] ?? NaN]);
  rows.push({
    label: "old engine",
    cells: [["", c10], ...chains, ...CHAIN_LENGTHS.map(() => ["", NaN]), ["", NaN], ["", NaN], ["", dbl.a], ["", spr.a]],
  });
  oldTurnAbout = { dbl, spr };
}

const names = rows[0].cells.map(([name]) => name);
const cell = (v) => (Number.isNaN(v) ? "—" : v.toFixed(v < 10 ? 2 : 1)).padStart(14);
print(`${"scenario (medians)".padEnd(66)}${rows.map((r) => r.label.padStart(14)).join("")}${"budget".padStart(10)}`);
names.forEach((name, i) => {
  const budget = rows[0].cells[i][2];
  const values = rows.map((r) => r.cells[i][1]);
  const verdict = budget === undefined ? "" : values[0] <= budget ? "within" : "OVER";
  print(`${name.padEnd(66)}${values.map(cell).join("")}${String(budget ?? "").padStart(10)}  ${verdict}`);
});
if (oldTurnAbout) {
  const { dbl, spr } = oldTurnAbout;
  // Old over new: the ratio of the medians, and the median of the rounds' ratios.
  const line = (name, p) =>
    `${name} ${p.a.toFixed(2)} / ${p.b.toFixed(2)} ms = ${(p.a / p.b).toFixed(2)}× (rounds: ${p.ratio.toFixed(2)}×)`;
  print(`old engine / this build, turn about: ${line("numbers", dbl)}; ${line("spread", spr)}`);
}
// The ratio is the median of the rounds' ratios (each round ran both back to back).
print(
  `${"V8 alone, turn about: numbers.map(x => x * 2) (ms)".padEnd(66)}${beside.double.b.toFixed(2).padStart(14)}   → this build ${beside.double.ratio.toFixed(1)}× V8`,
);
print(
  `${"V8 alone, turn about: objects.map(spread) (ms)".padEnd(66)}${beside.spread.b.toFixed(2).padStart(14)}   → this build ${beside.spread.ratio.toFixed(1)}× V8`,
);
process.exit(0);
