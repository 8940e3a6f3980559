// The browser package's `auth` API end to end in headless Chromium, against a real protocol server
// with users on 127.0.0.1, over WebSocket and HTTP: refused before login, login (token in
// localStorage), current user, runs, refresh, logout (token revoked on the server), and an
// expiring session firing onAuthExpired.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { inPage, useServedPage, whenModuleReady } from "../../test-support/browser-page.mjs";
import { chainFlow } from "../../test-support/remote.mjs";
import { authServer, PASSWORD, post } from "../../test-support/server.mjs";

const options = { skip: chromiumMissing, timeout: 120_000 };
const session = useServedPage("/test/browser/page.html", whenModuleReady);

/** In the page: the auth API through a conductor on `serverUrl`, from before login to after logout. */
async function roundTrip(mod, { serverUrl, username, password, flow }) {
  localStorage.clear();
  const c = mod.createConductor({ serverUrl });
  const result = (run) => run.data?.result ?? run.error?.code;
  const out = { before: await c.auth.getCurrentUser(), refused: result(await c.node.run(flow)) };
  const login = await c.auth.login({ username, password });
  out.login = { user: login.user, stored: localStorage.getItem("auth_token") === login.token, expiresAt: typeof login.expiresAt };
  out.current = await c.auth.getCurrentUser();
  out.run = result(await c.node.run(flow));
  const refreshed = await c.auth.refreshToken();
  out.refreshed = { changed: refreshed.token !== login.token, stored: localStorage.getItem("auth_token") === refreshed.token };
  out.runAfterRefresh = result(await c.node.run(flow));
  out.lastToken = refreshed.token;
  await c.auth.logout();
  out.afterLogout = {
    user: await c.auth.getCurrentUser(),
    stored: localStorage.getItem("auth_token"),
    run: result(await c.node.run(flow)),
  };
  return out;
}

/** In the page: log in, then keep the connection in use until the session's expiry is reported. */
async function expiry(mod, { serverUrl, username, password }) {
  localStorage.clear();
  const c = mod.createConductor({ serverUrl });
  const expired = new Promise((resolve) => c.auth.onAuthExpired(resolve));
  await c.auth.login({ username, password });
  let reported;
  expired.then((data) => (reported = data));
  // Over WebSocket the server pushes it; over HTTP the first refused call reports it.
  while (!reported) {
    await c.system.health();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const run = await c.node.run({ id: "t", type: "transform", parameters: { data: [1] } });
  return { reason: reported.reason, afterwards: run.error?.code };
}

test("in Chromium: login, current user, run, refresh, logout against a protocol server over WebSocket and HTTP", options, async (t) => {
  const origin = new URL(session.server.url).origin;
  const { server } = await authServer(t, { allowedOrigins: [origin] });
  for (const serverUrl of [server.wsUrl, server.url]) {
    const r = await inPage(session.page, roundTrip, { serverUrl, username: "alice", password: PASSWORD, flow: chainFlow });
    assert.equal(r.before, null, serverUrl);
    assert.equal(r.refused, "AUTHENTICATION_FAILED", `${serverUrl}: no run before login`);
    assert.deepEqual(
      r.login,
      { user: { id: "alice", username: "alice", email: "alice@example.test", roles: ["user"] }, stored: true, expiresAt: "string" },
      serverUrl,
    );
    assert.equal(r.current.username, "alice", serverUrl);
    assert.equal(r.run, 12, serverUrl);
    assert.deepEqual(r.refreshed, { changed: true, stored: true }, serverUrl);
    assert.equal(r.runAfterRefresh, 12, `${serverUrl}: the refreshed token is used`);
    assert.deepEqual(r.afterLogout, { user: null, stored: null, run: "AUTHENTICATION_FAILED" }, serverUrl);
    const stale = await post(server, "system", "health", {}, r.lastToken);
    assert.deepEqual([stale.status, stale.body.reason], [401, "revoked"], `${serverUrl}: logout revoked the token on the server`);
  }
});

test("in Chromium: an expiring session fires onAuthExpired, over WebSocket and HTTP", options, async (t) => {
  const origin = new URL(session.server.url).origin;
  const { server } = await authServer(t, { allowedOrigins: [origin], auth: { tokenTtlMs: 1500 } });
  for (const serverUrl of [server.wsUrl, server.url]) {
    const r = await inPage(session.page, expiry, { serverUrl, username: "bob", password: PASSWORD });
    assert.deepEqual(r, { reason: "expired", afterwards: "AUTHENTICATION_FAILED" }, serverUrl);
  }
});

test("in Chromium: the page raised no uncaught errors", options, () => {
  assert.deepEqual(session.pageErrors, []);
});
