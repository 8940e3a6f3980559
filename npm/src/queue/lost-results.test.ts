/** Unit tests of the results a worker keeps for runs whose job it lost meanwhile. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { Job } from "bullmq";
import { lostResults } from "./lost-results.js";

/** A Redis client holding keys in a map; `failures` of its first `set`s fail as a cut connection does. */
function redis(failures = 0) {
  const keys = new Map<string, string>();
  let sets = 0;
  return {
    keys,
    sets: () => sets,
    client: async () => ({
      async set(key: string, value: string) {
        sets += 1;
        if (sets <= failures) throw new Error("connect ECONNRESET");
        keys.set(key, value);
        return "OK";
      },
      async get(key: string) {
        return keys.get(key) ?? null;
      },
    }),
  };
}

const job = { id: "run.r1" } as unknown as Job;

test("a result is kept only when finishing its job fails for the lock, and the taking worker answers with it", async () => {
  const store = redis();
  const results = lostResults(store.client, "atomiton:q");
  results.ending(job, "result");
  await results.reported(new Error("connect ECONNRESET 127.0.0.1:6379"));
  await results.reported(new Error("Missing lock for job run.r2. moveToFinished"));
  assert.equal(store.sets(), 0, "a connection error, or another job's lock: nothing to keep");
  await results.reported(new Error("Missing lock for job run.r1. moveToFinished"));
  assert.equal(store.keys.get("atomiton:q:lost-result:run.r1"), "result");
  assert.equal(await results.take(job), "result", "the worker the job went to answers with it");
  await results.reported(new Error("Missing lock for job run.r1. moveToFinished"));
  assert.equal(store.sets(), 1, "kept once: BullMQ's second failure (moving it to failed) keeps nothing more");
});

test("a job another worker holds by now keeps its result too; a finished job's is forgotten", async () => {
  const store = redis();
  const results = lostResults(store.client, "atomiton:q");
  results.ending({ id: "run.a" } as unknown as Job, "a");
  results.ending({ id: "run.b" } as unknown as Job, "b");
  results.finished("run.a");
  await results.reported(new Error("Missing lock for job run.a. moveToFinished"));
  await results.reported(new Error("Lock mismatch for job run.b. Cmd moveToFinished from active"));
  assert.deepEqual([...store.keys], [["atomiton:q:lost-result:run.b", "b"]]);
});

test("a job Redis lost with its contents (restarted empty) keeps its result; other commands' errors keep nothing", async () => {
  const store = redis();
  const results = lostResults(store.client, "atomiton:q");
  results.ending({ id: "run.c" } as unknown as Job, "c");
  results.ending({ id: "run.d" } as unknown as Job, "d");
  await results.reported(new Error("Missing key for job run.c. updateProgress"));
  assert.equal(store.sets(), 0);
  await results.reported(new Error("Missing key for job run.c. moveToFinished"));
  await results.reported(new Error("Job run.d is not in the active state. moveToFinished"));
  assert.deepEqual([...store.keys].sort(), [
    ["atomiton:q:lost-result:run.c", "c"],
    ["atomiton:q:lost-result:run.d", "d"],
  ]);
});

test("a result whose Redis drops again before it is kept is kept once it is back, not dropped", async () => {
  const store = redis(2);
  const results = lostResults(store.client, "atomiton:q");
  results.ending(job, "kept after all");
  await results.reported(new Error("Missing lock for job run.r1. moveToFinished"));
  assert.equal(store.sets(), 3, "two failed attempts, then the one that kept it");
  assert.equal(store.keys.get("atomiton:q:lost-result:run.r1"), "kept after all");
});
