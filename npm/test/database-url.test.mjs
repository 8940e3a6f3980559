// Where a PostgreSQL store's URL comes from, decided in one place (`databaseUrl`,
// src/queue/history.ts) for the queue conductor, `atomiton serve` and `atomiton worker`: the URL
// given, else ATOMITON_DATABASE_URL, else none; and the history config a pool gets from it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { databaseUrl, queueHistoryConfig } from "../dist/queue/history.js";

const VARIABLE = "ATOMITON_DATABASE_URL";

function withVariable(value, body) {
  const before = process.env[VARIABLE];
  if (value === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = value;
  try {
    return body();
  } finally {
    if (before === undefined) delete process.env[VARIABLE];
    else process.env[VARIABLE] = before;
  }
}

test("the URL given wins over the environment's, which wins over none; an empty variable is none", () => {
  withVariable("postgres://env/db", () => {
    assert.equal(databaseUrl("postgres://given/db"), "postgres://given/db");
    assert.equal(databaseUrl(), "postgres://env/db");
  });
  withVariable(undefined, () => assert.equal(databaseUrl(), undefined));
  withVariable("", () => assert.equal(databaseUrl(), undefined));
});

test("a pool's history is the declared store when there is a database, else the queue's Redis", () => {
  const where = { url: "redis://127.0.0.1:6379", historyPrefix: "q:history" };
  withVariable(undefined, () => {
    assert.deepEqual(queueHistoryConfig(where, { retention: { maxRuns: 5 } }, "postgres://given/db"), {
      retention: { maxRuns: 5 },
      store: "postgres://given/db",
    });
    assert.deepEqual(queueHistoryConfig(where), { redis: "redis://127.0.0.1:6379", keyPrefix: "q:history" });
  });
  withVariable("postgres://env/db", () => assert.deepEqual(queueHistoryConfig(where), { store: "postgres://env/db" }));
});
