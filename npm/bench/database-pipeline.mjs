#!/usr/bin/env node
// A million rows from PostgreSQL, sorted by a column, written to a file: the package's flow (a
// `database` query streamed into a sort and a `file-system` write, in a process of its own),
// against `psql -c "\copy (...) TO STDOUT"` piped to GNU `sort`, and DuckDB's postgres scanner
// where its extension installs (it is downloaded from DuckDB's own site, which a machine
// limited to the package registries cannot reach: the column then says why it is missing).
// Turn about, each run in a process of its own: wall time and peak RSS (from /usr/bin/time),
// medians and same-round ratios. PostgreSQL is started on 127.0.0.1 by scripts/postgres.sh.
// A program, not a test: it never fails on a figure.
//
//   node npm/bench/database-pipeline.mjs                   (after scripts/build-npm.sh)
//   node npm/bench/database-pipeline.mjs --rows 4000000 --rounds 5
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor/desktop";
import { BIG_QUERY, bigTable } from "../test-support/database-tables.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { median } from "./lib.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rowCount = Number(argument("--rows", "1000000"));
const rounds = Number(argument("--rounds", "3"));
const TIME = '/usr/bin/time -f "TIME %M"';

const postgres = await startPostgres();
const dir = mkdtempSync(join(tmpdir(), "atomiton-database-bench-"));
try {
  const loader = createConductor({ storage: { type: "memory" }, history: false });
  await loader.credentials.set("big", { type: "postgres", url: postgres.url });
  for (const query of bigTable(rowCount)) {
    const made = await loader.node.run({
      id: "make",
      type: "database",
      parameters: { credential: "big", query, statementTimeout: 3_600_000 },
    });
    if (!made.success) throw new Error(JSON.stringify(made.error));
  }
  await loader.shutdown();

  const psql = spawnSync("sh", ["-c", "command -v psql || ls /usr/lib/postgresql/*/bin/psql | sort -V | tail -1"], {
    encoding: "utf8",
  }).stdout.trim();
  const duckdb = duckdbWithPostgres();
  const commands = {
    package: [
      process.execPath,
      [join(root, "npm", "test-support", "database-stream-run.mjs"), postgres.url, join(dir, "package.jsonl"), "stream"],
      join(dir, "package.jsonl"),
    ],
    // Each side of the pipe timed on its own (/usr/bin/time reads only the shell's own peak for
    // a pipeline): the two run at once, so the run's peak is about their sum.
    "psql | sort": [
      "bash",
      [
        "-c",
        `set -o pipefail; ${TIME} -o "${join(dir, "psql.rss")}" "${psql}" "${postgres.url}" -c "\\copy (${BIG_QUERY}) TO STDOUT" | LC_ALL=C ${TIME} -o "${join(dir, "sort.rss")}" sort -t $'\\t' -k3,3nr > "${join(dir, "psql.tsv")}"`,
      ],
      join(dir, "psql.tsv"),
      [join(dir, "psql.rss"), join(dir, "sort.rss")],
    ],
  };
  if (duckdb.python) {
    const program = `
import duckdb
con = duckdb.connect()
con.execute("SET threads=2")
con.execute("LOAD postgres")
con.execute("ATTACH '${postgres.url}' AS pg (TYPE postgres, READ_ONLY)")
con.execute("COPY (SELECT * FROM pg.public.big ORDER BY score DESC) TO '${join(dir, "duckdb.jsonl")}' (FORMAT JSON)")
`;
    commands.duckdb = [duckdb.python, ["-c", program], join(dir, "duckdb.jsonl")];
  }
  const results = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(commands)) results[name].push(timed(command));
  }
  const base = results.package;
  console.log(`\n${rowCount.toLocaleString("en")} rows: PostgreSQL → sort by score (descending) → file; medians of ${rounds} rounds`);
  console.log(
    `${"engine".padEnd(14)}${"time s".padStart(9)}${"peak RSS MB".padStart(13)}${"× package time".padStart(16)}${"output MB".padStart(11)}`,
  );
  for (const [name, runs] of Object.entries(results)) {
    const failed = runs.find((r) => r.failed);
    if (failed) {
      console.log(`${name.padEnd(14)} failed: ${failed.failed}`);
      continue;
    }
    const ratio = median(runs.map((r, i) => r.seconds / base[i].seconds));
    console.log(
      `${name.padEnd(14)}${median(runs.map((r) => r.seconds))
        .toFixed(2)
        .padStart(9)}${median(runs.map((r) => r.rssMb))
        .toFixed(0)
        .padStart(13)}${ratio.toFixed(2).padStart(16)}${(runs[0].bytes / 1e6).toFixed(0).padStart(11)}`,
    );
  }
  if (!duckdb.python) console.log(`duckdb        not run: ${duckdb.why}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
  await postgres.stop();
}

/**
 * One run: wall seconds, peak RSS (MB: the largest process of the run's, as /usr/bin/time reads
 * it) and the output's size, or why it failed.
 */
function timed([program, args, output, rssFiles]) {
  const started = process.hrtime.bigint();
  const child = spawnSync("/usr/bin/time", ["-f", "TIME %M", program, ...args], {
    cwd: join(root, "npm"),
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    return {
      failed: (child.stderr ?? "")
        .replace(/TIME \d+/, "")
        .trim()
        .slice(0, 300),
    };
  const peaks = (rssFiles ?? []).map((file) => readFileSync(file, "utf8"));
  if (peaks.length === 0) peaks.push(child.stderr ?? "");
  const kb = peaks.map((text) => Number(/TIME (\d+)/.exec(text)?.[1] ?? NaN)).reduce((a, b) => a + b, 0);
  return { seconds, rssMb: kb / 1024, bytes: statSync(output).size };
}

/** DuckDB's Python with its postgres extension (installed once into target/bench-venv), or why not. */
function duckdbWithPostgres() {
  const venv = join(root, "target", "bench-venv");
  const python = join(venv, "bin", "python");
  if (!existsSync(python) || spawnSync(python, ["-c", "import duckdb"]).status !== 0) {
    if (spawnSync("python3", ["-m", "venv", venv], { stdio: "inherit" }).status !== 0) return { why: "no python3 venv" };
    if (spawnSync(join(venv, "bin", "pip"), ["install", "-q", "duckdb==2.0.0"], { stdio: "inherit" }).status !== 0)
      return { why: "duckdb did not install from PyPI" };
  }
  const installed = spawnSync(python, ["-c", "import duckdb; duckdb.connect().execute('INSTALL postgres; LOAD postgres')"], {
    encoding: "utf8",
  });
  if (installed.status !== 0) return { why: `its postgres extension did not install: ${installed.stderr.trim().split("\n").at(-1)}` };
  return { python };
}
