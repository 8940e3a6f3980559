/** Unit tests of where a queue lives: the connection's forms and the key names derived from it. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { resolveLocation } from "./connection.js";

test("a URL or its parts give the same server, and the key names follow the prefix and queue", () => {
  const byUrl = resolveLocation({ connection: "redis://:pw@10.0.0.2:6380/3", queue: "runs", prefix: "acme" });
  assert.deepEqual(byUrl.redis, { host: "10.0.0.2", port: 6380, username: undefined, password: "pw", db: 3, maxRetriesPerRequest: null });
  assert.equal(byUrl.historyPrefix, "acme:runs:history");
  assert.equal(byUrl.cancelChannel, "acme:runs:cancel");
  const byParts = resolveLocation({ connection: { host: "10.0.0.2", port: 6380, password: "pw", db: 3 }, queue: "runs", prefix: "acme" });
  assert.equal(byParts.url, byUrl.url);
});

test("defaults: the atomiton prefix and the atomiton-runs queue", () => {
  const where = resolveLocation({ connection: "redis://127.0.0.1:6379" });
  assert.equal(where.historyPrefix, "atomiton:atomiton-runs:history");
});

test("what cannot be a queue's Redis is refused with what to do", () => {
  assert.throws(() => resolveLocation({ connection: "rediss://h:1" }), /TLS is not supported/);
  assert.throws(() => resolveLocation({ connection: "not a url" }), /is not a Redis URL/);
  assert.throws(() => resolveLocation({ connection: "redis://h:1", queue: "no spaces" }));
});
