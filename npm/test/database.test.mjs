// The `database` node through the built package, against real servers the tests start on
// 127.0.0.1 (PostgreSQL from scripts/postgres.sh) and real SQLite files: queries with bound
// parameters, inserts and upserts in the three modes, a transaction rolled back, SQL injection
// attempts through every value path (each stored as data, never run), types round-tripping,
// row caps, a statement timeout and a cancel that end the query on the server, pool bounds
// under 100 concurrent runs, a server restarted mid-run (a retryable error; the next run
// works), a credential rotated without a restart, a caller's grant, and the WebAssembly engine
// refusing the node with where it runs; the same on MariaDB (Debian's, from scripts/mariadb.sh),
// and its TLS by sslmode. A query streamed into a chain gives what it gives run whole, ends on
// the server when cancelled mid-stream, and takes a million PostgreSQL rows through a sort into
// a file within a bounded growth of memory (against the same run whole, in child processes).
// No test here judges speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createQueueConductor } from "@atomiton/conductor";
import { createConductor } from "@atomiton/conductor/desktop";
import { tempDir, until } from "../test-support/helpers.mjs";
import { startMariadb } from "../test-support/mariadb.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { bigTable } from "../test-support/database-tables.mjs";
import { startRedis } from "../test-support/redis.mjs";
import { startWorker } from "../test-support/queue-workers.mjs";
import Redis from "ioredis";

/** A conductor keeping flows (and credentials) in a fresh directory. */
function conductorIn(t, label) {
  const conductor = createConductor({ storage: { directory: tempDir(t, label) } });
  t.after(() => conductor.shutdown());
  return conductor;
}

/** Runs one database node; the run's result. */
function db(conductor, parameters, input, options = {}) {
  return conductor.node.run(
    { id: "db", type: "database", parameters },
    { input: input === undefined ? undefined : { data: input }, ...options },
  );
}

/** Runs one database node that must succeed; its output. */
async function ok(conductor, parameters, input, options) {
  const result = await db(conductor, parameters, input, options);
  assert.equal(result.success, true, JSON.stringify(result.error));
  return result.data;
}

/** Runs one query that must succeed; its records. */
async function rows(conductor, parameters, input, options) {
  const output = await ok(conductor, parameters, input, options);
  assert.equal(output.rowCount, output.records.length, "rowCount counts the records");
  return output.records;
}

/**
 * PostgreSQL, and a conductor with its `warehouse` credential and a one-connection `monitor`
 * (what `running` asks).
 */
async function postgresWatched(t, label) {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, label);
  await conductor.credentials.set("warehouse", { type: "postgres", url: postgres.url });
  await conductor.credentials.set("monitor", { type: "postgres", url: postgres.url, maxConnections: 1 });
  return { conductor };
}

/** A query at the head of a chain (a filter, then a map): streamed, then run whole. */
async function streamedAgainstWhole(credential, fields, query, extra = {}) {
  const flow = {
    id: "chain",
    type: "group",
    nodes: [
      { id: "read", type: "database", parameters: { credential, query, ...extra } },
      { id: "odd", type: "transform", parameters: { operation: "filter", transformFunction: "r => Number(r.id) % 2 === 1" } },
      { id: "shape", type: "transform", parameters: { transformFunction: "r => ({ id: Number(r.id), name: r.name })" } },
    ],
    edges: [
      { id: "e1", source: "read", target: "odd", targetHandle: "data" },
      { id: "e2", source: "odd", target: "shape", targetHandle: "data" },
    ],
  };
  const outcomes = [];
  for (const streamBatchRows of [100, 0]) {
    const conductor = createConductor({ storage: { type: "memory" }, streamBatchRows, progressThrottle: 0 });
    await conductor.credentials.set(credential, fields);
    const events = [];
    const off = conductor.node.onProgress((event) => events.push(event));
    const result = await conductor.node.run(flow);
    off?.();
    await conductor.shutdown();
    const read = events.flatMap((event) => event.nodes).filter((n) => n.id === "read" && n.rows !== undefined);
    outcomes.push({ result, streamedRows: Math.max(0, ...read.map((n) => n.rows)) });
  }
  const [streamed, whole] = outcomes;
  assert.deepEqual(streamed.result.data, whole.result.data, "the same output streamed and whole");
  const failure = (result) => result.error && { code: result.error.code, message: result.error.message, nodeId: result.error.nodeId };
  assert.deepEqual(failure(streamed.result), failure(whole.result), "the same error streamed and whole");
  return { ...streamed, whole: whole.result };
}

/** The stream checks on a database whose `people` table holds 2,500 rows. */
async function streams(credential, fields) {
  const chained = await streamedAgainstWhole(credential, fields, "SELECT id, name FROM people WHERE id <= 2500 ORDER BY id");
  assert.equal(chained.result.success, true, JSON.stringify(chained.result.error));
  assert.equal(chained.result.data.result.length, 1250);
  assert.deepEqual(chained.result.data.result[0], { id: 1, name: "Ada" });
  assert.equal(chained.streamedRows, 2500, "the query's rows counted as they streamed");
  // Over a cap, streamed or not: the same coded error.
  const capped = await streamedAgainstWhole(credential, fields, "SELECT id, name FROM people ORDER BY id", { maxRows: 1000 });
  assert.equal(capped.result.error?.code, "MEMORY_LIMIT_EXCEEDED", JSON.stringify(capped.result));
}

const HOSTILE = [
  "'; DROP TABLE people; --",
  "1 OR 1=1",
  "x') OR ('1'='1",
  "$1",
  "?",
  "\\'; SELECT pg_sleep(10); --",
  "Robert'); DROP TABLE people;--",
];

/** The same checks on a database: `placeholder(n)` is its n-th placeholder. */
async function queriesAndWrites(conductor, credential, placeholder) {
  const q = (query, extra = {}) => ({ credential, query, ...extra });
  await ok(conductor, q("DROP TABLE IF EXISTS people"));
  const created = await ok(conductor, q("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT)"));
  assert.deepEqual(created, { records: [], columns: [], rowCount: 0, affectedRows: 0 });

  // Insert in mode single: 2,500 rows, three statements of 1,000 in one transaction.
  const people = Array.from({ length: 2500 }, (_, i) => ({ id: i + 1, name: `person ${i + 1}`, city: i % 2 ? "Oslo" : "Lima" }));
  assert.deepEqual(await ok(conductor, { credential, operation: "insert", table: "people" }, people), { affectedRows: 2500 });
  const [count] = await rows(conductor, q("SELECT COUNT(*) AS n FROM people"));
  assert.equal(Number(count.n), 2500);

  // A query with parameters from an expression of the item.
  const lima = await rows(
    conductor,
    q(`SELECT id, name FROM people WHERE city = ${placeholder(1)} AND id <= ${placeholder(2)} ORDER BY id`, {
      parameters: "item => [item.city, item.upTo]",
    }),
    { city: "Lima", upTo: 5 },
  );
  assert.deepEqual(lima, [
    { id: 1, name: "person 1" },
    { id: 3, name: "person 3" },
    { id: 5, name: "person 5" },
  ]);

  // Upsert: one row changed, one added.
  await ok(conductor, { credential, operation: "upsert", table: "people", conflict: ["id"] }, [
    { id: 1, name: "Ada", city: "London" },
    { id: 9001, name: "Grace", city: "Arlington" },
  ]);
  const upserted = await rows(
    conductor,
    q(`SELECT name, city FROM people WHERE id IN (${placeholder(1)}, ${placeholder(2)}) ORDER BY id`, { parameters: [1, 9001] }),
  );
  assert.deepEqual(upserted, [
    { name: "Ada", city: "London" },
    { name: "Grace", city: "Arlington" },
  ]);

  // Mode transaction: the second row breaks the key, and the first is rolled back with it.
  const failed = await db(conductor, { credential, operation: "insert", table: "people", mode: "transaction" }, [
    { id: 9100, name: "first", city: "x" },
    { id: 1, name: "duplicate", city: "x" },
  ]);
  assert.equal(failed.success, false);
  assert.equal(failed.error.code, "EXECUTION_FAILED");
  const [none] = await rows(conductor, q(`SELECT COUNT(*) AS n FROM people WHERE id = ${placeholder(1)}`, { parameters: [9100] }));
  assert.equal(Number(none.n), 0, "rolled back");
  // Mode each: the same rows, each on its own: the first stays.
  const each = await db(conductor, { credential, operation: "insert", table: "people", mode: "each" }, [
    { id: 9100, name: "first", city: "x" },
    { id: 1, name: "duplicate", city: "x" },
  ]);
  assert.equal(each.success, false);
  const [one] = await rows(conductor, q(`SELECT COUNT(*) AS n FROM people WHERE id = ${placeholder(1)}`, { parameters: [9100] }));
  assert.equal(Number(one.n), 1, "kept");
  // A query per item (mode each): every item's rows, in order.
  const perItem = await rows(
    conductor,
    q(`SELECT name FROM people WHERE id = ${placeholder(1)}`, { mode: "each", parameters: "item => [item]" }),
    [2, 4],
  );
  assert.deepEqual(perItem, [{ name: "person 2" }, { name: "person 4" }]);

  // Injection attempts through every value path: each is stored or compared as data.
  for (const [i, hostile] of HOSTILE.entries()) {
    const id = 20_000 + i;
    await ok(conductor, { credential, operation: "insert", table: "people" }, [{ id, name: hostile, city: hostile }]);
    const listed = await rows(conductor, q(`SELECT name FROM people WHERE name = ${placeholder(1)}`, { parameters: [hostile] }));
    assert.deepEqual(listed, [{ name: hostile }], hostile);
    const computed = await rows(
      conductor,
      q(`SELECT city FROM people WHERE id = ${placeholder(1)} AND city = ${placeholder(2)}`, {
        parameters: "item => [item.id, item.city]",
      }),
      { id, city: hostile },
    );
    assert.deepEqual(computed, [{ city: hostile }], hostile);
    await ok(conductor, { credential, operation: "upsert", table: "people", conflict: ["id"] }, [
      { id, name: `${hostile}!`, city: hostile },
    ]);
  }
  const [after] = await rows(conductor, q("SELECT COUNT(*) AS n FROM people"));
  assert.equal(Number(after.n), 2500 + 1 + 1 + HOSTILE.length, "no statement but the node's own ran");

  // SQL built by a template, or names that are not names: refused before anything runs.
  const template = await db(conductor, q("SELECT * FROM people WHERE name = '{{ name }}'"), { name: "x" });
  assert.equal(template.success, false);
  assert.match(template.error.message, /is literal: a template would build SQL from data/);
  const table = await db(conductor, { credential, operation: "insert", table: "people; DROP TABLE people" }, [{ id: 1 }]);
  assert.match(table.error.message, /is not a table name/);
  const column = await db(conductor, { credential, operation: "insert", table: "people" }, [
    { "id) VALUES (1); DROP TABLE people; --": 1 },
  ]);
  assert.match(column.error.message, /is not a column name/);
  const placeholders = await db(conductor, q(`SELECT ${placeholder(1)} AS a`, { parameters: [1, 2] }));
  assert.match(placeholders.error.message, /1 placeholder\(s\), and parameters gives 2 value\(s\)/);

  // A query over maxRows fails rather than hold them.
  const capped = await db(conductor, q("SELECT id FROM people", { maxRows: 100 }));
  assert.equal(capped.error.code, "MEMORY_LIMIT_EXCEEDED");
  assert.match(capped.error.message, /more than maxRows \(100\)/);
}

test("SQLite: queries, inserts, upserts, the three modes, injection attempts, caps", async (t) => {
  const conductor = conductorIn(t, "database-sqlite");
  const local = { type: "sqlite", path: join(tempDir(t, "database-sqlite-file"), "shop.db") };
  await conductor.credentials.set("local", local);
  await queriesAndWrites(conductor, "local", () => "?");
  await streams("local", local);
  // 64-bit integers, reals, NULL, blobs.
  const [row] = await rows(conductor, {
    credential: "local",
    query: "SELECT ? AS big, ? AS real, ? AS empty, ? AS blob, ? AS small",
    parameters: [9007199254740993n, 0.5, null, Buffer.from([0, 1, 255]), 42],
  });
  assert.equal(row.big, 9007199254740993n);
  assert.equal(row.real, 0.5);
  assert.equal(row.empty, null);
  assert.deepEqual([...row.blob], [0, 1, 255]);
  assert.equal(row.small, 42);
});

test("PostgreSQL: queries, inserts, upserts, the three modes, injection attempts, caps", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-postgres");
  await conductor.credentials.set("warehouse", { type: "postgres", url: postgres.url });
  await queriesAndWrites(conductor, "warehouse", (n) => `$${n}`);
  await streams("warehouse", { type: "postgres", url: postgres.url });
});

test("MariaDB: queries, inserts, upserts, the three modes, injection attempts, caps", async (t) => {
  const mariadb = await startMariadb();
  t.after(() => mariadb.stop());
  const conductor = conductorIn(t, "database-mariadb");
  await conductor.credentials.set("shop", { type: "mysql", url: mariadb.url });
  await queriesAndWrites(conductor, "shop", () => "?");
  await streams("shop", { type: "mysql", url: mariadb.url });
});

test("MariaDB: TLS as sslmode asks, the server's certificate checked against sslrootcert", async (t) => {
  const mariadb = await startMariadb();
  t.after(() => mariadb.stop());
  const conductor = conductorIn(t, "database-mariadb-tls");
  const ca = join(mariadb.dir, "tls", "ca.pem");
  const url = mariadb.url;
  await conductor.credentials.set("plain", { type: "mysql", url });
  await conductor.credentials.set("full", { type: "mysql", url, sslmode: "verify-full", sslrootcert: ca });
  await conductor.credentials.set("chained", { type: "mysql", url, sslmode: "verify-ca", sslrootcert: ca });
  await conductor.credentials.set("encrypted", { type: "mysql", url, sslmode: "require" });
  // The bundled web roots do not know the test's CA.
  await conductor.credentials.set("unknown", { type: "mysql", url, sslmode: "verify-full" });
  await conductor.credentials.set("odd", { type: "mysql", url, sslmode: "sometimes" });
  const cipher = async (credential) => {
    const [row] = await rows(conductor, { credential, query: "SHOW SESSION STATUS LIKE 'Ssl_cipher'" });
    return row.Value;
  };
  assert.equal(await cipher("plain"), "", "plain TCP by default");
  assert.notEqual(await cipher("full"), "", "verify-full: encrypted");
  assert.notEqual(await cipher("chained"), "", "verify-ca: encrypted");
  assert.notEqual(await cipher("encrypted"), "", "require: encrypted");
  const unknown = await db(conductor, { credential: "unknown", query: "SELECT 1" });
  assert.equal(unknown.error?.code, "TRANSPORT_ERROR", JSON.stringify(unknown.error));
  const odd = await db(conductor, { credential: "odd", query: "SELECT 1" });
  assert.equal(odd.error?.code, "INVALID_PARAMETERS", JSON.stringify(odd.error));
  assert.match(odd.error.message, /sslmode 'sometimes'/);
});

test("MariaDB: types round-trip as documented; a timeout and a cancel end the query on the server; pool bounds", async (t) => {
  const mariadb = await startMariadb();
  t.after(() => mariadb.stop());
  const conductor = conductorIn(t, "database-mariadb-types");
  await conductor.credentials.set("shop", {
    type: "mariadb",
    host: "127.0.0.1",
    port: mariadb.port,
    user: "root",
    database: "test",
    maxConnections: 5,
  });
  await conductor.credentials.set("monitor", { type: "mysql", url: mariadb.url, maxConnections: 1 });
  const credential = "shop";
  await ok(conductor, {
    credential,
    query:
      "CREATE TABLE kinds (big BIGINT, ubig BIGINT UNSIGNED, dec_ DECIMAL(30,6), txt TEXT, bin BLOB, dt DATETIME(6), ts TIMESTAMP(6) NULL, d DATE, tm TIME(3), r DOUBLE, n INT)",
  });
  const row = {
    big: -9223372036854775808n,
    ubig: 18446744073709551615n,
    dec_: "123456789012345678901234.123456",
    txt: "snow ☃ and 𝄞",
    bin: Buffer.from([0, 255, 10]),
    dt: "2024-02-29T23:59:59.123456",
    ts: "2024-05-01T10:30:00Z",
    d: "1999-12-31",
    tm: "-26:15:00.5",
    r: 0.1,
    n: null,
  };
  await ok(conductor, { credential, operation: "insert", table: "kinds" }, [
    { ...row, dt: "2024-02-29 23:59:59.123456", ts: "2024-05-01 10:30:00" },
  ]);
  const [back] = await rows(conductor, { credential, query: "SELECT * FROM kinds" });
  assert.deepEqual({ ...back, bin: [...back.bin] }, { ...row, bin: [0, 255, 10] });
  const lone = await db(conductor, { credential, query: "INSERT INTO kinds (txt) VALUES (?)", parameters: ["a\ud800b"] });
  assert.match(lone.error.message, /lone surrogate/);

  const running = async (text) => {
    const [found] = await rows(conductor, {
      credential: "monitor",
      query: "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()",
      parameters: [`%${text}%`],
    });
    return Number(found.n);
  };
  const timed = await db(conductor, { credential, query: "SELECT SLEEP(600) /* timed */", statementTimeout: 300 });
  assert.equal(timed.error.code, "TIMEOUT");
  await until(async () => (await running("SLEEP(600) /* timed */")) === 0, 60_000, "the timed-out query ended on the server");
  const controller = new AbortController();
  const pending = db(conductor, { credential, query: "SELECT SLEEP(600) /* cancelled */" }, undefined, { signal: controller.signal });
  await until(async () => (await running("SLEEP(600) /* cancelled */")) === 1, 60_000, "the query started");
  controller.abort();
  assert.equal((await pending).error.code, "CANCELLED");
  await until(async () => (await running("SLEEP(600) /* cancelled */")) === 0, 60_000, "the cancelled query ended on the server");

  let most = 0;
  let done = false;
  const watching = (async () => {
    while (!done) most = Math.max(most, await running("SLEEP(0.05) /* pooled */"));
  })();
  const runs = Array.from({ length: 100 }, (_, i) =>
    rows(conductor, { credential, query: "SELECT ? AS i, SLEEP(0.05) /* pooled */", parameters: [i] }),
  );
  const results = await Promise.all(runs);
  done = true;
  await watching;
  assert.deepEqual(
    results.map(([r]) => r.i),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.ok(most >= 1 && most <= 5, `at most 5 statements at once on the credential's pool, saw ${most}`);
});

test("PostgreSQL: types round-trip as documented", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-types");
  await conductor.credentials.set("warehouse", { type: "postgres", url: postgres.url });
  const credential = "warehouse";
  await ok(conductor, {
    credential,
    query:
      "CREATE TABLE kinds (big BIGINT, dec NUMERIC(30,6), flag BOOLEAN, txt TEXT, bin BYTEA, ts TIMESTAMP, tz TIMESTAMPTZ, d DATE, doc JSONB, j JSON, u UUID, r DOUBLE PRECISION, n INTEGER)",
  });
  const row = {
    big: 9223372036854775807n,
    dec: "123456789012345678901234.123456",
    flag: true,
    txt: "snow ☃ and 𝄞",
    bin: Buffer.from([0, 255, 10]),
    ts: "2024-02-29T23:59:59.123456",
    tz: "2024-05-01T12:30:00+02:00",
    d: "1999-12-31",
    doc: { a: [1, 2, { b: null }], s: "x" },
    j: [true, "y"],
    u: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
    r: 0.1,
    n: null,
  };
  await ok(conductor, { credential, operation: "insert", table: "kinds" }, [row]);
  const [back] = await rows(conductor, { credential, query: "SELECT * FROM kinds" });
  assert.deepEqual(back, {
    ...row,
    bin: back.bin,
    tz: "2024-05-01T10:30:00Z",
  });
  assert.deepEqual([...back.bin], [0, 255, 10]);
  const [small] = await rows(conductor, { credential, query: "SELECT $1::bigint AS safe, $2::numeric AS exact", parameters: [42, 0.1] });
  assert.deepEqual(small, { safe: 42, exact: "0.1" });
  // Text PostgreSQL cannot hold is refused, naming the placeholder; nothing is written.
  const nul = await db(conductor, { credential, query: "INSERT INTO kinds (txt) VALUES ($1)", parameters: ["a\u0000b"] });
  assert.equal(nul.success, false);
  assert.match(nul.error.message, /\$1 \(text\): PostgreSQL text cannot hold NUL/);
  const lone = await db(conductor, { credential, query: "INSERT INTO kinds (txt) VALUES ($1)", parameters: ["a\ud800b"] });
  assert.equal(lone.success, false);
  assert.match(lone.error.message, /lone surrogate/);
  const wrong = await db(conductor, { credential, query: "SELECT $1::integer AS n", parameters: ["not a number"] });
  assert.match(wrong.error.message, /\$1 \(int4\): expected an integer, got text/);
  const [count] = await rows(conductor, { credential, query: "SELECT COUNT(*)::int AS n FROM kinds" });
  assert.equal(count.n, 1);
});

/** How many of the server's connections run `text` now (seen through the `monitor` credential). */
async function running(conductor, text) {
  const [row] = await rows(conductor, {
    credential: "monitor",
    query: "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE query LIKE $1 AND state = 'active' AND pid <> pg_backend_pid()",
    parameters: [`%${text}%`],
  });
  return row.n;
}

test("PostgreSQL: a statement timeout and a cancel end the query on the server", async (t) => {
  const { conductor } = await postgresWatched(t, "database-timeout");
  const timed = await db(conductor, { credential: "warehouse", query: "SELECT pg_sleep(600) /* timed */", statementTimeout: 300 });
  assert.equal(timed.success, false);
  assert.equal(timed.error.code, "TIMEOUT");
  await until(async () => (await running(conductor, "pg_sleep(600) /* timed */")) === 0, 60_000, "the timed-out query ended on the server");

  const controller = new AbortController();
  const pending = db(conductor, { credential: "warehouse", query: "SELECT pg_sleep(600) /* cancelled */" }, undefined, {
    signal: controller.signal,
  });
  await until(async () => (await running(conductor, "pg_sleep(600) /* cancelled */")) === 1, 60_000, "the query started");
  controller.abort();
  const cancelled = await pending;
  assert.equal(cancelled.error.code, "CANCELLED");
  await until(
    async () => (await running(conductor, "pg_sleep(600) /* cancelled */")) === 0,
    60_000,
    "the cancelled query ended on the server",
  );
  // The pool gives a working connection afterwards.
  assert.deepEqual(await rows(conductor, { credential: "warehouse", query: "SELECT 1 AS one" }), [{ one: 1 }]);
});

test("PostgreSQL: a streamed query cancelled mid-stream ends on the server", async (t) => {
  const { conductor } = await postgresWatched(t, "database-stream-cancel");
  const query = "SELECT g AS id, pg_sleep(0.001) FROM generate_series(1, 1000000) g /* streamed */";
  const flow = {
    id: "slow",
    type: "group",
    nodes: [
      { id: "read", type: "database", parameters: { credential: "warehouse", query, maxRows: 2_000_000 } },
      { id: "ids", type: "transform", parameters: { transformFunction: "r => r.id" } },
    ],
    edges: [{ id: "e1", source: "read", target: "ids", targetHandle: "data" }],
  };
  const controller = new AbortController();
  const pending = conductor.node.run(flow, { signal: controller.signal });
  await until(async () => (await running(conductor, "/* streamed */")) === 1, 60_000, "the query started");
  controller.abort();
  const cancelled = await pending;
  assert.equal(cancelled.error?.code, "CANCELLED", JSON.stringify(cancelled.error));
  await until(async () => (await running(conductor, "/* streamed */")) === 0, 60_000, "the cancelled query ended on the server");
});

test("PostgreSQL: a million rows stream from a query through a sort into a file within the stream's memory", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-million");
  await conductor.credentials.set("big", { type: "postgres", url: postgres.url });
  for (const statement of bigTable(1_000_000)) await ok(conductor, { credential: "big", query: statement, statementTimeout: 600_000 });
  const dir = tempDir(t, "database-million-out");
  const run = (mode) => {
    const output = join(dir, `${mode}.jsonl`);
    const child = spawnSync(process.execPath, ["test-support/database-stream-run.mjs", postgres.url, output, mode], {
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    assert.equal(child.status, 0, child.stderr);
    const outcome = JSON.parse(child.stdout.trim().split("\n").at(-1));
    assert.equal(outcome.success, true, JSON.stringify(outcome.error));
    return { ...outcome, output };
  };
  const streamed = run("stream");
  const whole = run("whole");
  const lines = readFileSync(streamed.output, "utf8").trimEnd().split("\n");
  assert.equal(lines.length, 1_000_000);
  const scores = [0, 1, 499_999, 999_998, 999_999].map((i) => JSON.parse(lines[i]).score);
  assert.deepEqual(
    scores,
    [...scores].sort((a, b) => b - a),
    "sorted by score, highest first",
  );
  assert.ok(readFileSync(streamed.output).equals(readFileSync(whole.output)), "the same file streamed and whole");
  // Streamed, the process grows by the sort's 32 MiB and a few batches; whole, every node holds
  // the million rows.
  t.diagnostic(`a million rows: the process grew by ${streamed.growthMb} MB streamed, ${whole.growthMb} MB whole`);
  assert.ok(streamed.growthMb < 256, `streamed: the process grew by ${streamed.growthMb} MB`);
  assert.ok(whole.growthMb > 2 * streamed.growthMb, `whole ${whole.growthMb} MB against streamed ${streamed.growthMb} MB`);
});

test("PostgreSQL: 100 concurrent runs share a pool of maxConnections", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-pool");
  await conductor.credentials.set("warehouse", { type: "postgres", url: `${postgres.url}?application_name=pool-test`, maxConnections: 5 });
  await conductor.credentials.set("monitor", { type: "postgres", url: postgres.url, maxConnections: 1 });
  let most = 0;
  let done = false;
  const watching = (async () => {
    while (!done) {
      const [row] = await rows(conductor, {
        credential: "monitor",
        query: "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE application_name = 'pool-test'",
      });
      most = Math.max(most, row.n);
    }
  })();
  const runs = Array.from({ length: 100 }, (_, i) =>
    rows(conductor, { credential: "warehouse", query: "SELECT $1::int AS i, pg_sleep(0.05)", parameters: [i] }),
  );
  const results = await Promise.all(runs);
  done = true;
  await watching;
  assert.deepEqual(
    results.map(([row]) => row.i),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.ok(most >= 1 && most <= 5, `at most 5 connections at once, saw ${most}`);
});

test("PostgreSQL: a server restarted mid-run fails the run with a retryable error, and the next run works", async (t) => {
  let postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-restart");
  await conductor.credentials.set("warehouse", { type: "postgres", url: postgres.url });
  await conductor.credentials.set("monitor", { type: "postgres", url: postgres.url, maxConnections: 1 });
  const pending = db(conductor, { credential: "warehouse", query: "SELECT pg_sleep(600) /* restarted */" });
  await until(async () => (await running(conductor, "pg_sleep(600) /* restarted */")) === 1, 60_000, "the query started");
  postgres = await postgres.restart();
  const failed = await pending;
  assert.equal(failed.success, false);
  assert.equal(failed.error.code, "TRANSPORT_ERROR", JSON.stringify(failed.error));
  assert.equal(failed.error.retryable, true);
  assert.deepEqual(await rows(conductor, { credential: "warehouse", query: "SELECT 2 AS two" }), [{ two: 2 }]);
});

test("MariaDB: a server restarted mid-run fails the run with a retryable error, and the next run works", async (t) => {
  let mariadb = await startMariadb();
  t.after(() => mariadb.stop());
  const conductor = conductorIn(t, "database-mariadb-restart");
  await conductor.credentials.set("shop", { type: "mysql", url: mariadb.url });
  await conductor.credentials.set("monitor", { type: "mysql", url: mariadb.url, maxConnections: 1 });
  const pending = db(conductor, { credential: "shop", query: "SELECT SLEEP(600) /* restarted */" });
  await until(
    async () => {
      const [row] = await rows(conductor, {
        credential: "monitor",
        query: "SELECT COUNT(*) AS n FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()",
        parameters: ["%SLEEP(600) /* restarted */%"],
      });
      return Number(row.n) === 1;
    },
    60_000,
    "the query started",
  );
  mariadb = await mariadb.restart();
  const failed = await pending;
  assert.equal(failed.success, false);
  assert.equal(failed.error.code, "TRANSPORT_ERROR", JSON.stringify(failed.error));
  assert.equal(failed.error.retryable, true);
  assert.deepEqual(await rows(conductor, { credential: "shop", query: "SELECT 2 AS two" }), [{ two: 2 }]);
});

test("a credential set again is what the next run uses; a missing one is CREDENTIAL_NOT_FOUND", async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const conductor = conductorIn(t, "database-rotate");
  const missing = await db(conductor, { credential: "warehouse", query: "SELECT 1" });
  assert.equal(missing.error.code, "CREDENTIAL_NOT_FOUND");
  await conductor.credentials.set("warehouse", { type: "postgres", host: "127.0.0.1", port: 1, user: "postgres", connectTimeout: 2000 });
  const unreachable = await db(conductor, { credential: "warehouse", query: "SELECT 1" });
  assert.equal(unreachable.error.code, "TRANSPORT_ERROR");
  await conductor.credentials.set("warehouse", {
    type: "postgres",
    host: "127.0.0.1",
    port: postgres.port,
    user: "postgres",
    database: "postgres",
  });
  assert.deepEqual(await rows(conductor, { credential: "warehouse", query: "SELECT 3 AS three" }), [{ three: 3 }]);
});

test("a run whose grant lacks the credential is refused before anything runs", async (t) => {
  const conductor = conductorIn(t, "database-grant");
  const path = join(tempDir(t, "database-grant-file"), "g.db");
  await conductor.credentials.set("local", { type: "sqlite", path });
  await ok(conductor, { credential: "local", query: "CREATE TABLE marks (n INTEGER)" });
  const flow = {
    id: "granted",
    type: "group",
    nodes: [
      { id: "mark", type: "database", parameters: { credential: "local", query: "INSERT INTO marks VALUES (1)" } },
      { id: "other", type: "database", parameters: { credential: "ledger", query: "SELECT 1" } },
    ],
    edges: [],
  };
  const refused = await conductor.node.run(flow, { permissions: { credentials: { names: ["local"] } } });
  assert.equal(refused.success, false);
  assert.equal(refused.error.code, "PERMISSION_DENIED");
  assert.match(refused.error.message, /node 'other' \(database\) uses the credential 'ledger', which this caller was not granted/);
  const none = await conductor.node.run(flow.nodes[0], { permissions: {} });
  assert.equal(none.error.code, "PERMISSION_DENIED");
  const [count] = await rows(conductor, { credential: "local", query: "SELECT COUNT(*) AS n FROM marks" });
  assert.equal(count.n, 0, "nothing ran");
  const granted = await conductor.node.run(flow.nodes[0], { permissions: { credentials: { names: ["local"] } } });
  assert.equal(granted.success, true, JSON.stringify(granted.error));
});

test("the WebAssembly engine refuses the node at validation, saying where it runs", async (t) => {
  const conductor = createConductor({ engine: "wasm", storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const result = await db(conductor, { credential: "warehouse", query: "SELECT 1" });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "IMPLEMENTATION_NOT_FOUND");
  assert.match(result.error.message, /database client \(run the flow on a native conductor, e\.g\. a remote one\)/);
});

/** Every file under `directory`, with its bytes. */
function filesUnder(directory) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return found.map((path) => ({ path, bytes: readFileSync(path) }));
}

/** Runs, through `conductor`, flows that use `credential` every way a run can end. */
async function everyEnding(conductor, credential) {
  const flow = (nodes) => ({ id: "leak", type: "group", nodes, edges: [] });
  const results = [
    await conductor.node.run(flow([{ id: "ok", type: "database", parameters: { credential, query: "SELECT 1 AS one" } }])),
    await conductor.node.run(flow([{ id: "refused", type: "database", parameters: { credential, query: "SELECT * FROM no_such_table" } }])),
    await conductor.node.run(
      flow([{ id: "routed", type: "database", parameters: { credential, query: "SELEC nonsense", onError: "route" } }]),
    ),
    await conductor.node.run(
      flow([{ id: "timed", type: "database", parameters: { credential, query: "SELECT pg_sleep(60)", statementTimeout: 200 } }]),
    ),
    await conductor.node.run(flow([{ id: "denied", type: "database", parameters: { credential, query: "SELECT 1" } }]), {
      permissions: {},
    }),
  ];
  assert.equal(results[0].success, true, JSON.stringify(results[0].error));
  assert.deepEqual(
    results.slice(1).map((r) => r.success),
    [false, true, false, false],
  );
  return results;
}

test("a credential's secret is never written: results, logs, the run history and every store searched byte by byte", async (t) => {
  const SECRET = "s3cret-9f1c-in-password";
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  // Trust authentication ignores the password: it travels, and must be written nowhere.
  const withSecret = { type: "postgres", url: postgres.url.replace("postgres@", `postgres:${SECRET}@`), password: SECRET };
  const logged = [];
  const logger = (entry) => logged.push(JSON.stringify(entry));

  // Files: flows, credentials, the SQLite run history and durable runs' checkpoints in one directory.
  const directory = tempDir(t, "database-secret-files");
  const files = createConductor({ storage: { directory }, durability: { resume: "manual" }, logLevel: "debug", logger });
  t.after(() => files.shutdown());
  await files.credentials.set("warehouse", withSecret);
  const results = await everyEnding(files, "warehouse");
  let records = [];
  await until(
    async () => {
      // A failed run names itself in its error.
      const ran = results.map((r) => r.context?.executionId ?? r.error?.executionId);
      records = await Promise.all(ran.map((id) => files.executions.get(id)));
      return records.every((record) => record && record.status !== "running");
    },
    60_000,
    "every run recorded",
  );
  for (const [what, text] of [
    ["results", JSON.stringify(results)],
    ["records", JSON.stringify(records)],
    ["logs", logged.join("\n")],
    ["the credential list", JSON.stringify(await files.credentials.list())],
  ]) {
    assert.ok(!text.includes(SECRET), `${what} hold the secret`);
  }
  assert.ok(logged.length > 0 && records.every(Boolean), "there was something to search");
  for (const { path, bytes } of filesUnder(directory)) assert.ok(!bytes.includes(SECRET), `${path} holds the secret`);

  // PostgreSQL: flows, credentials and the run history in the database; every table dumped.
  process.env.ATOMITON_CREDENTIALS_KEY = "b2".repeat(32);
  t.after(() => delete process.env.ATOMITON_CREDENTIALS_KEY);
  const shared = createConductor({ storage: { type: "postgres", url: postgres.url }, history: { store: postgres.url } });
  t.after(() => shared.shutdown());
  await shared.credentials.set("warehouse", withSecret);
  const sharedResults = await everyEnding(shared, "warehouse");
  await until(async () => (await shared.executions.list()).executions.length >= sharedResults.length, 60_000, "every run recorded");
  const dump = spawnSync(pgDump(), ["--data-only", "--dbname", postgres.url], { encoding: "utf8" });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /leak/, "the runs are in the dump");
  assert.ok(!dump.stdout.includes(SECRET), "the database holds the secret");

  // Redis (queue mode): the credential set through the producer, kept in the queue's Redis beside
  // the flows, read by a worker process given the same key; every key of the server read.
  const redis = await startRedis();
  t.after(() => redis.stop());
  const queued = createQueueConductor({ connection: redis.url, queue: "leak" });
  t.after(() => queued.shutdown());
  await queued.credentials.set("warehouse", withSecret);
  startWorker(t, redis.url, "leak");
  const queuedResults = await everyEnding(queued, "warehouse");
  await until(async () => (await queued.executions.list()).executions.length >= queuedResults.length, 60_000, "every run recorded");
  const everything = await redisContents(redis.url);
  assert.match(everything, /leak/, "the runs are in Redis");
  assert.match(everything, /warehouse\.credential/, "the credential is in Redis");
  assert.ok(!everything.includes(SECRET), "Redis holds the secret");
});

/** Every key of the Redis at `url` and what it holds, as text. */
async function redisContents(url) {
  const client = new Redis(url);
  try {
    const parts = [];
    for (const key of await client.keys("*")) {
      const type = await client.type(key);
      const read = {
        string: () => client.getBuffer(key),
        hash: () => client.hgetallBuffer(key),
        list: () => client.lrangeBuffer(key, 0, -1),
        set: () => client.smembersBuffer(key),
        zset: () => client.zrangeBuffer(key, 0, -1),
        stream: () => client.xrange(key, "-", "+"),
      }[type];
      const value = read ? await read() : null;
      parts.push(
        key,
        JSON.stringify(value, (_, v) => (v?.type === "Buffer" ? Buffer.from(v.data).toString("latin1") : v)),
      );
    }
    return parts.join("\n");
  } finally {
    client.disconnect();
  }
}

/** pg_dump, on the PATH or where Debian's package puts it. */
function pgDump() {
  const found = spawnSync("sh", ["-c", "command -v pg_dump || ls /usr/lib/postgresql/*/bin/pg_dump | sort -V | tail -1"], {
    encoding: "utf8",
  });
  return found.stdout.trim().split("\n").pop();
}
