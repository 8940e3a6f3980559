#!/usr/bin/env node
// The data-pipeline template's five steps — read a CSV file, keep the rows with salary >= 80000,
// reshape them, sort by salary (descending), write them to a file — on generated files of
// several sizes, run by this package, by plain Node doing the same steps, and by DuckDB (from
// PyPI, installed by this script into target/bench-venv; skipped with a message when it cannot
// be), turn about, each run in a process of its own: time and peak RSS per engine and size.
// A program, not a test: medians, never fails on a figure.
//
//   node npm/bench/data-pipeline.mjs                          (after scripts/build-npm.sh)
//   node npm/bench/data-pipeline.mjs --rows 1000000,4000000 --rounds 3
//   node npm/bench/data-pipeline.mjs --rows 40000000 --no-sort --engines package
//   node npm/bench/data-pipeline.mjs --wasm                   also the package's wasm engine
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { benchData, employeesCsv } from "./employees.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rowCounts = argument("--rows", "100000,1000000,4000000").split(",").map(Number);
const rounds = Number(argument("--rounds", "3"));
const sort = !process.argv.includes("--no-sort");
const engines = argument("--engines", process.argv.includes("--wasm") ? "package,wasm,node,duckdb" : "package,node,duckdb").split(",");

/** The programs each engine runs: `input`, `output`, `sort` in the environment; they print `{rows}`. */
const PROGRAMS = {
  package: (engine) => `
    import { createConductor } from "@atomiton/conductor";
    import { pipelineFlow } from ${JSON.stringify(pathToFileURL(join(here, "employees.mjs")).href)};
    const conductor = createConductor({ storage: { type: "memory" }, history: false, engine: "${engine}" });
    const result = await conductor.node.run(pipelineFlow(process.env.INPUT, process.env.OUTPUT, process.env.SORT === "1"));
    if (!result.success) { console.error(JSON.stringify(result.error)); process.exit(1); }
    console.log(JSON.stringify({ ok: true }));
    process.exit(0);
  `,
  node: () => `
    import { readFileSync, writeFileSync } from "node:fs";
    // The template's CSV rules: quotes, "" inside them, unquoted cells trimmed, CRLF.
    function parse(text) {
      const rows = []; let row = [], cell = "", quoted = false, wasQuoted = false;
      const end = () => { row.push(wasQuoted ? cell : cell.trim()); cell = ""; wasQuoted = false; };
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quoted) { if (c === '"') { if (text[i + 1] === '"') { cell += '"'; i++; } else quoted = false; } else cell += c; continue; }
        if (c === '"' && cell.trim() === "") { cell = ""; quoted = wasQuoted = true; }
        else if (c === ",") end();
        else if (c === "\\n" || c === "\\r") { end(); if (row.some((v) => v !== "")) rows.push(row); row = []; if (c === "\\r" && text[i + 1] === "\\n") i++; }
        else if (!wasQuoted) cell += c;
      }
      if (cell !== "" || row.length) { end(); rows.push(row); }
      return rows;
    }
    const [header, ...body] = parse(readFileSync(process.env.INPUT, "utf8"));
    let rows = body.map((cells) => Object.fromEntries(header.map((key, i) => [key, cells[i] ?? ""])));
    rows = rows.filter((row) => Number(row.salary) >= 80000);
    rows = rows.map((row) => ({ name: row.name, team: row.department.toLowerCase(), salary: Number(row.salary), since: Number(row.start.slice(0, 4)) }));
    if (process.env.SORT === "1") rows.sort((a, b) => b.salary - a.salary);
    writeFileSync(process.env.OUTPUT, JSON.stringify(rows));
    console.log(JSON.stringify({ ok: true }));
  `,
  duckdb: () => `
import os, duckdb
con = duckdb.connect()
con.execute("SET threads=2")
order = "ORDER BY salary DESC" if os.environ["SORT"] == "1" else ""
con.execute(f"""COPY (
  SELECT name, lower(department) AS team, CAST(salary AS DOUBLE) AS salary, CAST(substr(start, 1, 4) AS INTEGER) AS since
  FROM read_csv('{os.environ["INPUT"]}', header=true, all_varchar=true)
  WHERE CAST(salary AS DOUBLE) >= 80000 {order}
) TO '{os.environ["OUTPUT"]}' (FORMAT JSON, ARRAY true)""")
print('{"ok": true}')
`,
};

/** DuckDB's Python, installed once into target/bench-venv; `undefined` when it cannot be. */
function duckdbPython() {
  const venv = join(root, "target", "bench-venv");
  const python = join(venv, "bin", "python");
  const ready = () => spawnSync(python, ["-c", "import duckdb"]).status === 0;
  if (existsSync(python) && ready()) return python;
  console.log("installing duckdb from PyPI into target/bench-venv ...");
  if (spawnSync("python3", ["-m", "venv", venv], { stdio: "inherit" }).status !== 0) return undefined;
  if (spawnSync(join(venv, "bin", "pip"), ["install", "-q", "duckdb==2.0.0"], { stdio: "inherit" }).status !== 0) return undefined;
  return ready() ? python : undefined;
}

/** One run in a process of its own: seconds of wall time and peak RSS (MB) from /usr/bin/time. */
function runOnce(engine, input, output) {
  const env = { ...process.env, INPUT: input, OUTPUT: output, SORT: sort ? "1" : "0" };
  const command =
    engine === "duckdb"
      ? [python, ["-c", PROGRAMS.duckdb()]]
      : [
          process.execPath,
          [
            "--input-type=module",
            "--max-old-space-size=8192",
            "-e",
            engine === "node" ? PROGRAMS.node() : PROGRAMS.package(engine === "wasm" ? "wasm" : "native"),
          ],
        ];
  const timed = existsSync("/usr/bin/time") ? ["/usr/bin/time", ["-f", "TIME %e %M", command[0], ...command[1]]] : command;
  const started = process.hrtime.bigint();
  const child = spawnSync(timed[0], timed[1], { cwd: join(root, "npm"), env, encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const measured = /TIME ([\d.]+) (\d+)/.exec(child.stderr ?? "");
  if (child.status !== 0)
    return {
      failed: (child.stderr ?? "")
        .split("\n")
        .filter((line) => !line.startsWith("TIME"))
        .join(" ")
        .slice(0, 300),
    };
  return { seconds, rssMb: measured ? Number(measured[2]) / 1024 : NaN, bytes: statSync(output).size };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const python = engines.includes("duckdb") ? duckdbPython() : undefined;
if (engines.includes("duckdb") && !python) console.log("DuckDB is not available here (no python3 venv or no PyPI): its column is left out");
const rows = [];
for (const count of rowCounts) {
  const input = await employeesCsv(count);
  const sizeMb = statSync(input).size / 1e6;
  const results = Object.fromEntries(engines.map((engine) => [engine, []]));
  for (let round = 0; round < rounds; round++) {
    for (const engine of engines) {
      if (engine === "duckdb" && !python) continue;
      if (results[engine].some((r) => r.failed)) continue;
      results[engine].push(runOnce(engine, input, join(benchData, `out-${engine}-${count}.json`)));
    }
  }
  for (const engine of engines) {
    const runs = results[engine];
    if (runs.length === 0) continue;
    const failed = runs.find((r) => r.failed);
    rows.push({
      count,
      sizeMb,
      engine,
      failed: failed?.failed,
      seconds: failed ? NaN : median(runs.map((r) => r.seconds)),
      rssMb: failed ? NaN : median(runs.map((r) => r.rssMb)),
    });
  }
}
const pad = (text, width) => String(text).padStart(width);
console.log(
  `\n${"rows".padEnd(12)}${pad("CSV MB", 8)}${pad("engine", 10)}${pad("time s", 9)}${pad("peak RSS MB", 13)}${pad("× DuckDB time", 15)}${pad("× DuckDB RSS", 14)}${pad("Node ÷ this", 13)}`,
);
for (const row of rows) {
  const duck = rows.find((r) => r.count === row.count && r.engine === "duckdb");
  const node = rows.find((r) => r.count === row.count && r.engine === "node");
  const vsDuck = duck && !row.failed ? (row.seconds / duck.seconds).toFixed(2) : "";
  const vsDuckRss = duck && !row.failed ? (row.rssMb / duck.rssMb).toFixed(2) : "";
  const nodeOver = node && !row.failed && row.engine !== "node" ? (node.seconds / row.seconds).toFixed(2) : "";
  const time = row.failed ? `failed: ${row.failed}` : row.seconds.toFixed(2);
  console.log(
    `${row.count.toLocaleString("en").padEnd(12)}${pad(row.sizeMb.toFixed(0), 8)}${pad(row.engine, 10)}${pad(time, 9)}${pad(row.failed ? "" : row.rssMb.toFixed(0), 13)}${pad(vsDuck, 15)}${pad(vsDuckRss, 14)}${pad(nodeOver, 13)}`,
  );
}
console.log(
  `\n${sort ? "with" : "without"} the sort; medians of ${rounds} runs, each in its own process (wall time includes the process's start).`,
);
