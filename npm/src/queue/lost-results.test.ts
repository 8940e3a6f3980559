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

/** A job whose lock renewal answers `held` (1: still this worker's), or fails when `held` is an error. */
const job = (held: number | Error) =>
  ({
    id: "run.r1",
    token: "token-1",
    extendLock: async () => {
      if (held instanceof Error) throw held;
      return held;
    },
  }) as unknown as Job;

test("a result is kept only after trouble, and only when the lock is no longer this worker's", async () => {
  const store = redis();
  const results = lostResults(store.client, "atomiton:q", 2000);
  const began = Date.now();
  await results.keepIfLost(job(0), "result", began);
  assert.equal(store.sets(), 0, "no trouble since the run began: nothing to keep");
  results.trouble();
  await results.keepIfLost(job(1), "result", began);
  assert.equal(store.sets(), 0, "the lock is still held: the job ends here as usual");
  await results.keepIfLost(job(0), "result", began);
  assert.equal(store.keys.get("atomiton:q:lost-result:run.r1"), "result");
  assert.equal(await results.take(job(0)), "result", "the worker the job went to answers with it");
});

test("a result whose Redis is still out of reach is kept once it is back, not dropped", async () => {
  const store = redis(2);
  const results = lostResults(store.client, "atomiton:q", 2000);
  const began = Date.now();
  results.trouble();
  await results.keepIfLost(job(new Error("connect ECONNRESET")), "kept after all", began);
  assert.equal(store.sets(), 3, "two failed attempts, then the one that kept it");
  assert.equal(store.keys.get("atomiton:q:lost-result:run.r1"), "kept after all");
});
