#!/usr/bin/env node
// What a Node.js upgrade does to us: the 10-node chain of async JS executors (the default trace)
// and the 1M-row data pipeline (the data-pipeline template's steps, streamed, with the sort), on
// each Node.js line the suite runs on (22, 24, 26: scripts/lib/setup-node-lines.sh installs
// them), side by side in one run — the lines take turns, round after round, so each meets the
// same moments of a noisy machine. A program, not a test: medians, never fails.
//
//   node npm/bench/node-lines.mjs                 (after scripts/build-npm.sh)
//   node npm/bench/node-lines.mjs --rounds 5 --rows 1000000
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rounds = Number(argument("--rounds", "3"));
const rows = Number(argument("--rows", "1000000"));
const LINES = ["22", "24", "26"];

/** The 10-node chain as `realistic.mjs` runs it (memory storage, default trace), timed in the process of the line under test: µs a run, median of 15 × 100 runs. */
const CHAIN = `
  import { createConductor } from "@atomiton/conductor";
  import { chainFlow, measure } from ${JSON.stringify(join(here, "lib.mjs"))};
  const conductor = createConductor({ storage: { type: "memory" }, nodeExecutorFactory: { getNodeExecutable: (type) =>
    type === "inc" ? { execute: async (params) => (params.input?.default ?? 0) + 1 } : undefined } });
  const chain = chainFlow(10, "inc");
  for (let i = 0; i < 1000; i++) await conductor.node.run(chain);
  const ms = await measure(15, async () => { for (let i = 0; i < 100; i++) await conductor.node.run(chain); });
  process.stdout.write(String(ms * 10));
  await conductor.shutdown();
`;

function nodeOf(line) {
  const node = join(root, "target", "node", line, "bin", "node");
  if (!existsSync(node)) throw new Error(`Node.js ${line} is not installed: run scripts/lib/setup-node-lines.sh`);
  return node;
}

function run(node, args) {
  const done = spawnSync(node, args, { cwd: join(root, "npm"), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
  if (done.status !== 0) throw new Error(`${node} ${args.join(" ")} failed: ${done.stderr}`);
  return done.stdout;
}

const samples = Object.fromEntries(LINES.map((line) => [line, { chain: [], seconds: [], rss: [] }]));
const versions = Object.fromEntries(LINES.map((line) => [line, run(nodeOf(line), ["--version"]).trim()]));
for (let round = 0; round < rounds; round++) {
  for (const line of LINES) {
    const node = nodeOf(line);
    samples[line].chain.push(Number(run(node, ["--input-type=module", "-e", CHAIN])));
    const table = run(node, [join(here, "data-pipeline.mjs"), "--rows", String(rows), "--rounds", "1", "--engines", "package"]);
    // "1,000,000   41   package   0.83   165": rows, CSV MB, engine, seconds, peak RSS MB.
    const cells = table
      .split("\n")
      .find((l) => /^\s*[\d,]+\s+\d+\s+package\s/.test(l))
      ?.trim()
      .split(/\s+/);
    if (!cells) throw new Error(`no pipeline row in:\n${table}`);
    samples[line].seconds.push(Number(cells[3]));
    samples[line].rss.push(Number(cells[4]));
  }
}

const base = samples["24"];
const print = (line) => process.stdout.write(`${line}\n`);
print(`medians of ${rounds} rounds, the lines taking turns; ratios against Node.js 24 (same run)`);
print(
  `${"Node.js".padEnd(10)}${"10-node JS chain µs".padStart(22)}${"× 24".padStart(7)}${`${rows.toLocaleString("en")} rows s`.padStart(18)}${"× 24".padStart(7)}${"peak RSS MB".padStart(13)}`,
);
for (const line of LINES) {
  const s = samples[line];
  print(
    `${versions[line].padEnd(10)}${median(s.chain).toFixed(1).padStart(22)}${(median(s.chain) / median(base.chain)).toFixed(2).padStart(7)}` +
      `${median(s.seconds).toFixed(2).padStart(18)}${(median(s.seconds) / median(base.seconds)).toFixed(2).padStart(7)}${String(median(s.rss)).padStart(13)}`,
  );
}
