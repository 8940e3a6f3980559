#!/usr/bin/env node
// Working and waiting, at default settings: nodes that wait (timers, HTTP) should all be in
// flight at once, CPU-heavy nodes should fill the worker pool without stalling the event loop,
// and chains should be no slower for it. A program, not a test: it prints medians and never
// fails.
//
//   node npm/bench/waiting.mjs                       (after scripts/build-npm.sh)
//   node npm/bench/waiting.mjs --before <npm dir>    side by side with another build's dist/
import { createServer } from "node:http";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { chainFlow, measure, median, now } from "./lib.mjs";

const beforeAt = process.argv.indexOf("--before");
const load = (dir) => (dir ? import(pathToFileURL(join(resolve(dir), "dist", "index.js")).href) : import("@atomiton/conductor"));
const builds = [{ label: "this build", module: await load() }];
if (beforeAt > 0) builds.push({ label: "before", module: await load(process.argv[beforeAt + 1]) });

const server = createServer((_request, response) => setTimeout(() => response.end('{"ok":true}'), 20));
await new Promise((done) => server.listen(0, "127.0.0.1", done));
const url = `http://127.0.0.1:${server.address().port}/`;

const factory = {
  getNodeExecutable: (type) => {
    if (type === "wait") return { execute: () => new Promise((done) => setTimeout(() => done(1), 5)) };
    if (type === "inc") return { execute: async (p) => (p.input?.default ?? 0) + 1 };
    return undefined;
  },
};
const fanOut = {
  id: "fan-out",
  type: "group",
  nodes: [
    { id: "root", type: "transform", parameters: { data: [1] } },
    ...Array.from({ length: 99 }, (_, i) => ({ id: `w${i}`, type: "wait" })),
  ],
  edges: Array.from({ length: 99 }, (_, i) => ({ id: `e${i}`, source: "root", target: `w${i}` })),
};
const requests = {
  id: "requests",
  type: "group",
  nodes: Array.from({ length: 100 }, (_, i) => ({ id: `r${i}`, type: "http-request", parameters: { url: `${url}${i}` } })),
  edges: [],
};
const oneRequest = { id: "one", type: "http-request", parameters: { url } };
const heavy = {
  id: "heavy",
  type: "group",
  nodes: Array.from({ length: 16 }, (_, i) => ({
    id: `t${i}`,
    type: "transform",
    parameters: {
      operation: "map",
      transformFunction: 'x => "ab".repeat(2000).split("").reverse().join("").length',
      data: Array.from({ length: 400 }, (_, k) => k),
    },
  })),
  edges: [],
};

/** Median run time (ms) and the median of each run's longest event-loop stall (ms). */
async function timed(conductor, flow, rounds) {
  await conductor.node.run(flow);
  const runs = [];
  const stalls = [];
  for (let i = 0; i < rounds; i++) {
    let last = now();
    let longest = 0;
    const timer = setInterval(() => {
      const t = now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 1);
    const start = now();
    const result = await conductor.node.run(flow);
    const end = now();
    clearInterval(timer);
    if (!result.success) throw new Error(`${flow.id}: ${result.error?.message}`);
    runs.push(end - start);
    stalls.push(Math.max(0, Math.max(longest, end - last) - 1));
  }
  return { ms: median(runs), stall: median(stalls) };
}

const rows = [];
const row = (name, cells) => rows.push([name, ...cells]);
const cells = { fan: [], http: [], one: [], heavy: [], c10: [], c100: [], c1000: [] };
for (const { module } of builds) {
  const conductor = module.createConductor({ storage: { type: "memory" }, trace: false, nodeExecutorFactory: factory });
  // Chains first: measured before the heavy scenarios leave garbage behind.
  for (const n of [10, 100, 1000]) {
    const chain = chainFlow(n, "inc");
    const rounds = n === 1000 ? 9 : 15;
    const per = n === 1000 ? 1 : 20;
    for (let i = 0; i < (n === 10 ? 1000 : per); i++) await conductor.node.run(chain);
    const ms = await measure(rounds, async () => {
      for (let i = 0; i < per; i++) await conductor.node.run(chain);
    });
    cells[`c${n}`].push(`${((ms / per) * (n === 10 ? 1000 : 1)).toFixed(n === 10 ? 0 : 1)} ${n === 10 ? "µs" : "ms"}`);
  }
  const fan = await timed(conductor, fanOut, 21);
  const one = await timed(conductor, oneRequest, 21);
  const http = await timed(conductor, requests, 11);
  const cpu = await timed(conductor, heavy, 5);
  cells.fan.push(`${fan.ms.toFixed(1)} ms`);
  cells.one.push(`${one.ms.toFixed(1)} ms`);
  cells.http.push(`${http.ms.toFixed(1)} ms (${(http.ms / one.ms).toFixed(1)}× one)`);
  cells.heavy.push(`${cpu.ms.toFixed(0)} ms, stall ${cpu.stall.toFixed(1)} ms`);
}
row("fan-out: 1 → 99 nodes waiting 5 ms (goal ≤ 10 ms)", cells.fan);
row("one http-request, server answers after 20 ms", cells.one);
row("100 http-request to that server (goal ≤ 3× one)", cells.http);
row("16 CPU-heavy transforms: run, longest stall (goal ≤ 20 ms)", cells.heavy);
row("10-node chain of async JS executors", cells.c10);
row("100-node chain", cells.c100);
row("1,000-node chain", cells.c1000);
console.log(`${"scenario (medians, default settings)".padEnd(62)}${builds.map((b) => b.label.padStart(28)).join("")}`);
for (const [name, ...values] of rows) console.log(`${name.padEnd(62)}${values.map((v) => String(v).padStart(28)).join("")}`);
server.close();
process.exit(0);
