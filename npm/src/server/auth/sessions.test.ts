/**
 * Unit tests of the login sessions' rules, on node:test's mocked clock and timers (no time
 * passes for real): a token lasts its lifetime, a refresh replaces it but never outlives the
 * session's maximum, a principal holds a bounded number of sessions, and an ended token is told
 * apart from one never issued.
 */
import * as assert from "node:assert/strict";
import { mock, test } from "node:test";
import { SessionStore } from "./sessions.js";

const MINUTE = 60_000;

/** A store on a mocked clock at 0, and the reasons its sessions ended, in order. */
function store(options: ConstructorParameters<typeof SessionStore<string>>[0]) {
  mock.timers.enable({ apis: ["Date", "setTimeout"], now: 0 });
  const sessions = new SessionStore<string>(options);
  const ended: string[] = [];
  sessions.onEnd((session, reason) => ended.push(`${session.principal}:${reason}`));
  return { sessions, ended };
}

test("a token works until its lifetime ends, then reads as expired, and its session ends on its own", (t) => {
  t.after(() => mock.timers.reset());
  const { sessions, ended } = store({ tokenTtlMs: 10 * MINUTE });
  const { token, expiresAt } = sessions.issue("ada", "ada");
  assert.equal(expiresAt, 10 * MINUTE);
  mock.timers.tick(10 * MINUTE - 1);
  assert.ok("session" in sessions.find(token));
  mock.timers.tick(1);
  assert.deepEqual(ended, ["ada:expired"], "the expiry timer ended it");
  assert.deepEqual(sessions.find(token), { failure: "expired" });
  assert.equal(sessions.size, 0);
  assert.deepEqual(sessions.find("atk_never_issued"), { failure: "invalid" });
});

test("a refresh replaces the token, and no refresh carries a session past its maximum", (t) => {
  t.after(() => mock.timers.reset());
  const { sessions, ended } = store({ tokenTtlMs: 10 * MINUTE, sessionMaxMs: 25 * MINUTE });
  const first = sessions.issue("ada", "ada");
  mock.timers.tick(8 * MINUTE);
  const second = sessions.refresh(first.token);
  assert.ok("token" in second);
  assert.equal(second.expiresAt, 18 * MINUTE);
  assert.deepEqual(sessions.find(first.token), { failure: "invalid" }, "the old token stops at once");
  assert.ok("session" in sessions.find(second.token));
  mock.timers.tick(8 * MINUTE);
  const third = sessions.refresh(second.token);
  assert.ok("token" in third);
  assert.equal(third.expiresAt, 25 * MINUTE, "cut at the session's end, not 26 min");
  assert.equal(third.session.id, first.session.id, "one session throughout");
  mock.timers.tick(9 * MINUTE);
  assert.deepEqual(sessions.refresh(third.token), { failure: "expired" });
  assert.deepEqual(ended, ["ada:expired"]);
});

test("revoking ends a session for good; a principal past its cap loses its oldest session", (t) => {
  t.after(() => mock.timers.reset());
  const { sessions, ended } = store({ maxSessionsPerPrincipal: 2 });
  const a = sessions.issue("ada", "ada");
  const b = sessions.issue("ada", "ada");
  const other = sessions.issue("bo", "bo");
  const c = sessions.issue("ada", "ada");
  assert.deepEqual(sessions.find(a.token), { failure: "revoked" }, "the oldest made room");
  assert.ok("session" in sessions.find(b.token) && "session" in sessions.find(c.token));
  assert.equal(sessions.revoke(b.token), true);
  assert.equal(sessions.revoke(b.token), false, "already ended");
  assert.equal(sessions.revokeOwner("ada"), 1);
  assert.deepEqual(sessions.find(c.token), { failure: "revoked" });
  assert.ok("session" in sessions.find(other.token), "another principal's session goes on");
  assert.deepEqual(ended, ["ada:revoked", "ada:revoked", "ada:revoked"]);
  // An ended token is told apart for as long as a token lives (an hour here; 15 minutes at
  // least), then reads as never issued.
  mock.timers.tick(60 * MINUTE - 1);
  assert.deepEqual(sessions.find(c.token), { failure: "revoked" }, "still told apart");
  mock.timers.tick(1);
  assert.deepEqual(sessions.find(c.token), { failure: "invalid" });
});
