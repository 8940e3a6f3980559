// Properties at the protocol server's boundary, with fast-check: arbitrary JSON bodies, frames,
// channels and commands into the HTTP and WebSocket handlers always get a result or a refusal
// with its status and code — never a crash, a hang, or the catch-all "Internal server error".
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { ErrorCode } from "@atomiton/conductor/types";
import { authServer, post, wsClient } from "../test-support/server.mjs";

const CODES = new Set(Object.values(ErrorCode));
const KNOWN = [
  ["node", "execute"],
  ["node", "validate"],
  ["node", "cancel"],
  ["node", "health"],
  ["storage", "saveFlow"],
  ["storage", "loadFlow"],
  ["storage", "listFlows"],
  ["storage", "deleteFlow"],
  ["storage", "health"],
  ["flow", "listTemplates"],
  ["flow", "getTemplate"],
  ["system", "health"],
  ["system", "restart"],
  ["auth", "login"],
  ["auth", "logout"],
  ["auth", "refreshToken"],
  ["auth", "getCurrentUser"],
];
const STATUSES = new Set([200, 400, 401, 403, 404, 405, 413, 429, 500]);

/** A channel and command: mostly real ones, some anything (prototype names included). */
const route = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KNOWN) },
  {
    weight: 1,
    arbitrary: fc.tuple(
      fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "node")),
      fc.oneof(fc.string(), fc.constantFrom("toString", "hasOwnProperty", "execute")),
    ),
  },
);

/** Arguments: any JSON, or shapes close to real ones with anything inside. */
const args = fc.oneof(
  fc.jsonValue(),
  fc.record({ node: fc.jsonValue(), context: fc.jsonValue() }, { requiredKeys: [] }),
  fc.record({
    node: fc.record(
      {
        id: fc.string(),
        type: fc.constantFrom("transform", "group", "loop", "shell-command", "file-system", "http-request", "nope"),
        parameters: fc.jsonValue(),
        nodes: fc.jsonValue(),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record(
    { flow: fc.jsonValue(), id: fc.jsonValue(), limit: fc.jsonValue(), offset: fc.jsonValue(), sortBy: fc.jsonValue() },
    { requiredKeys: [] },
  ),
);

/** Which credentials a request carries. */
const credential = fc.constantFrom("key", "none", "forged");

/** An answer is a result (200) or a refusal with a known status, a message and — for refusals the server decides — a code. */
function assertAnswer(status, body, what) {
  assert.ok(STATUSES.has(status), `${what}: status ${status}`);
  if (status === 200) return;
  assert.equal(typeof body?.error, "string", `${what}: ${JSON.stringify(body)}`);
  assert.notEqual(body.error, "Internal server error", `${what}: the catch-all was reached`);
  if (status !== 500) assert.ok(CODES.has(body.code), `${what}: ${status} without a known code: ${JSON.stringify(body)}`);
  else if (body.code !== undefined) assert.ok(CODES.has(body.code), what);
}

test("HTTP: arbitrary channels, commands, bodies and credentials always get a coded answer", { timeout: 600_000 }, async (t) => {
  const { server, apiKey } = await authServer(t, { apiKeyGrant: { limits: { runsPerMinute: 1e9 } } });
  const token = { key: apiKey, none: undefined, forged: "atk_forged" };
  await fc.assert(
    fc.asyncProperty(
      route,
      fc.oneof(
        args.map((value) => JSON.stringify(value)),
        fc.string(),
      ),
      credential,
      async ([channel, command], body, who) => {
        const answer = await post(server, channel, command, body, token[who]);
        assertAnswer(answer.status, answer.body, `${channel}.${command} ${body.slice(0, 80)}`);
      },
    ),
    { numRuns: 400 },
  );
  assert.equal((await post(server, "system", "health", {}, apiKey)).status, 200, "still serving");
});

test("WebSocket: arbitrary frames always get exactly one answer frame, with a code when refused", { timeout: 600_000 }, async (t) => {
  const { server, apiKey } = await authServer(t, { apiKeyGrant: { limits: { runsPerMinute: 1e9 } } });
  const client = await wsClient(t, server);
  await client.auth(apiKey);
  let ids = 0;
  const frame = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(route, args)
        .map(([[channel, command], value]) => ({ type: "call", id: `p${++ids}`, channel, command, args: value })),
    },
    { weight: 1, arbitrary: fc.jsonValue() },
    { weight: 1, arbitrary: fc.string() },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          type: fc.constantFrom("call", "auth", "response", "event"),
          id: fc.jsonValue(),
          token: fc.jsonValue(),
          channel: fc.jsonValue(),
          command: fc.jsonValue(),
        },
        { requiredKeys: [] },
      ),
    },
  );
  await fc.assert(
    fc.asyncProperty(frame, async (sent) => {
      const text = typeof sent === "string" ? sent : JSON.stringify(sent);
      const answer = client.next((received) => received.type !== "event");
      client.send(text);
      const received = await answer;
      const what = text.slice(0, 120);
      assert.ok(["response", "error", "auth"].includes(received.type), `${what}: ${JSON.stringify(received)}`);
      if (received.type === "response" && typeof sent === "object" && sent?.type === "call" && typeof sent.id === "string")
        assert.equal(received.id, sent.id, what);
      if (received.type === "auth") assert.equal(typeof received.ok, "boolean", what);
      else if (!("result" in received)) {
        assert.equal(typeof received.error, "string", `${what}: ${JSON.stringify(received)}`);
        assert.notEqual(received.error, "Internal server error", what);
        if (received.code !== undefined) assert.ok(CODES.has(received.code), what);
      }
      // Whatever the frame did to this connection's identity (an auth frame, a logout), restore it.
      if ((await client.auth(apiKey)).ok !== true) throw new Error("could not re-authenticate");
    }),
    { numRuns: 400 },
  );
  assert.equal((await client.call("system", "health")).result.status, "ok", "still serving");
});
