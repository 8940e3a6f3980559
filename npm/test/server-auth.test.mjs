// Authentication on the protocol server: the `auth` channel (login, refresh, logout, current
// user), session expiry and revocation pushed over WebSocket, API keys, failed-login limits,
// password hashing, and the rule that a server without authentication stays on loopback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { WebSocket } from "ws";
import { createConductor, createProtocolServer, createRemoteConductor, hashPassword, verifyPassword } from "@atomiton/conductor/desktop";
import { chainFlow } from "../test-support/remote.mjs";
import { authServer, login, PASSWORD, post, rawWebSocket, wsClient } from "../test-support/server.mjs";

test("hashPassword: salted scrypt, verified in constant time, plain passwords refused as entries", async () => {
  const first = await hashPassword("hunter2");
  const second = await hashPassword("hunter2");
  assert.match(first, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.notEqual(first, second, "a fresh salt each time");
  assert.equal(await verifyPassword("hunter2", first), true);
  assert.equal(await verifyPassword("hunter3", first), false);
  assert.equal(await verifyPassword("hunter2", "hunter2"), false, "a plain text 'hash' never matches");
  assert.equal(
    await verifyPassword("hunter2", "scrypt$4294967296$8$1$AAAA$AAAAAAAAAAAAAAAAAAAAAA"),
    false,
    "absurd costs are refused, not computed",
  );
  await assert.rejects(hashPassword(""), TypeError);
  const conductor = createConductor({ storage: { type: "memory" } });
  await assert.rejects(
    createProtocolServer(conductor, { auth: { users: [{ username: "a", passwordHash: "hunter2" }] } }),
    /passwordHash must come from hashPassword\(\)/,
  );
  await assert.rejects(createProtocolServer(conductor, { auth: { apiKeys: [{ id: "k", keyHash: "short" }] } }), /needs a keyHash/);
});

test("login, getCurrentUser, refresh and logout over HTTP", async (t) => {
  const { server } = await authServer(t);
  const logged = await post(server, "auth", "login", { username: "alice", password: PASSWORD });
  assert.equal(logged.status, 200);
  const { token, user, expiresAt } = logged.body;
  assert.match(token, /^atk_[\w-]{43}$/);
  assert.deepEqual(user, { id: "alice", username: "alice", email: "alice@example.test", roles: ["user"] });
  assert.ok(Date.parse(expiresAt) > Date.now());
  assert.deepEqual((await post(server, "auth", "getCurrentUser", {}, token)).body, user);
  assert.equal((await post(server, "auth", "getCurrentUser", {})).body, null, "no token: nobody");
  assert.equal((await post(server, "node", "execute", { node: chainFlow }, token)).body.data.result, 12);

  const refreshed = await post(server, "auth", "refreshToken", { token });
  assert.equal(refreshed.status, 200);
  assert.notEqual(refreshed.body.token, token);
  assert.deepEqual((await post(server, "system", "health", {}, token)).body.code, "AUTHENTICATION_FAILED", "the old token stops working");
  assert.equal((await post(server, "system", "health", {}, refreshed.body.token)).status, 200);

  assert.equal((await post(server, "auth", "logout", { token: refreshed.body.token })).status, 200);
  const after = await post(server, "system", "health", {}, refreshed.body.token);
  assert.deepEqual([after.status, after.body.code, after.body.reason], [401, "AUTHENTICATION_FAILED", "revoked"]);
  assert.equal(
    (await post(server, "auth", "refreshToken", { token: refreshed.body.token })).status,
    401,
    "a revoked session cannot be refreshed",
  );
});

test("wrong credentials are refused alike for unknown users and wrong passwords", async (t) => {
  const { server } = await authServer(t);
  for (const credentials of [
    { username: "alice", password: "wrong" },
    { username: "nobody", password: PASSWORD },
    { username: "alice" },
    { username: 1, password: 2 },
    null,
    42,
  ]) {
    const answer = await post(server, "auth", "login", credentials);
    assert.deepEqual(
      [answer.status, answer.body.error, answer.body.code],
      [401, "Invalid username or password", "AUTHENTICATION_FAILED"],
      JSON.stringify(credentials),
    );
  }
});

test("failed logins are rate-limited per user name, without checking the password", async (t) => {
  const { server } = await authServer(t, { auth: { loginAttempts: { max: 3, windowMs: 3_600_000 } } });
  for (let i = 0; i < 3; i++) assert.equal((await post(server, "auth", "login", { username: "alice", password: `wrong${i}` })).status, 401);
  const blocked = await post(server, "auth", "login", { username: "alice", password: PASSWORD });
  assert.deepEqual([blocked.status, blocked.body.code], [429, "RATE_LIMIT_EXCEEDED"], "even the right password waits");
  assert.match(blocked.body.error, /^Too many failed login attempts; try again in \d+ s$/);
  assert.ok(Number(blocked.headers.get("retry-after")) > 0);
  assert.equal((await post(server, "auth", "login", { username: "bob", password: PASSWORD })).status, 200, "other users are not affected");
});

test("failed logins are rate-limited per client address across user names", async (t) => {
  const { server } = await authServer(t, { auth: { loginAttempts: { max: 100, maxPerAddress: 4 } } });
  for (let i = 0; i < 4; i++) assert.equal((await post(server, "auth", "login", { username: `guess${i}`, password: "x" })).status, 401);
  assert.equal((await post(server, "auth", "login", { username: "bob", password: PASSWORD })).status, 429);
});

test("API keys authenticate machine clients with their own grant", async (t) => {
  const { server, apiKey } = await authServer(t, { apiKeyGrant: { channels: { node: ["execute"] } } });
  assert.match(apiKey, /^ak_[\w-]{43}$/);
  assert.equal((await post(server, "node", "execute", { node: chainFlow }, apiKey)).body.data.result, 12);
  const denied = await post(server, "storage", "listFlows", {}, apiKey);
  assert.deepEqual(
    [denied.status, denied.body.code, denied.body.error],
    [403, "PERMISSION_DENIED", "Permission denied: storage.listFlows is not granted to this caller"],
  );
  assert.equal((await post(server, "auth", "getCurrentUser", {}, apiKey)).body, null, "a key is no user");
  const remote = createRemoteConductor({ serverUrl: server.wsUrl, WebSocket, token: apiKey });
  t.after(() => remote.close());
  assert.equal((await remote.node.run(chainFlow)).data.result, 12, "a remote conductor with the key");
});

test("WebSocket: the token in the first frame or the subprotocol, never needed in the URL", async (t) => {
  const { server } = await authServer(t);
  const token = await login(server);
  const first = await wsClient(t, server);
  const refused = await first.call("system", "health");
  assert.deepEqual([refused.code, refused.reason, refused.error], ["AUTHENTICATION_FAILED", "missing", "Authentication required"]);
  assert.deepEqual(await first.auth("atk_not-a-token"), {
    type: "auth",
    ok: false,
    error: "Authentication failed",
    code: "AUTHENTICATION_FAILED",
    reason: "invalid",
  });
  assert.equal((await first.auth(token)).user.username, "alice");
  assert.equal((await first.call("system", "health")).result.status, "ok");
  const viaProtocol = await wsClient(t, server, { protocols: ["atomiton", `bearer.${token}`] });
  assert.equal(viaProtocol.socket.protocol, "atomiton", "the token is not echoed back");
  assert.equal((await viaProtocol.call("system", "health")).result.status, "ok");
});

test("WebSocket: login over the connection authenticates it; logout ends that without a sessionExpired", async (t) => {
  const { server } = await authServer(t);
  const client = await wsClient(t, server);
  const logged = await client.call("auth", "login", { username: "bob", password: PASSWORD });
  assert.equal(logged.result.user.username, "bob");
  assert.equal((await client.call("auth", "getCurrentUser")).result.username, "bob");
  assert.equal((await client.call("node", "execute", { node: chainFlow })).result.data.result, 12);
  assert.equal((await client.call("auth", "logout", {})).result, null);
  assert.equal((await client.call("system", "health")).code, "AUTHENTICATION_FAILED");
  assert.deepEqual(
    client.events.filter((e) => e.channel === "auth"),
    [],
    "a connection logging out is not told its session expired",
  );
  assert.equal((await post(server, "system", "health", {}, logged.result.token)).body.reason, "revoked");
});

test("WebSocket: a session that expires, is logged out elsewhere or revoked pushes sessionExpired", async (t) => {
  const { server } = await authServer(t, { auth: { tokenTtlMs: 1500 } });
  const expiring = await wsClient(t, server);
  await expiring.auth(await login(server));
  const event = await expiring.next((frame) => frame.type === "event" && frame.channel === "auth");
  assert.deepEqual([event.event, event.data.reason], ["sessionExpired", "expired"]);
  assert.equal((await expiring.call("system", "health")).reason, "expired");

  const { server: lasting } = await authServer(t);
  for (const end of ["logout", "revokeUser"]) {
    const token = await login(lasting, "bob");
    const client = await wsClient(t, lasting);
    await client.auth(token);
    const pushed = client.next((frame) => frame.type === "event" && frame.channel === "auth");
    if (end === "logout") await post(lasting, "auth", "logout", { token });
    else assert.equal(lasting.revokeUser("bob"), 1);
    assert.deepEqual([(await pushed).event, (await pushed).data.reason], ["sessionExpired", "revoked"], end);
  }
});

test("WebSocket: a connection that does not authenticate in time is closed", async (t) => {
  const { server } = await authServer(t, { limits: { authTimeoutMs: 300 } });
  const silent = await wsClient(t, server);
  assert.equal(await silent.closed, 1008);
  const failing = await wsClient(t, server);
  // Failed attempts do not extend the time allowed.
  const retry = setInterval(() => failing.socket.readyState === 1 && failing.send({ type: "auth", token: "atk_wrong" }), 50);
  t.after(() => clearInterval(retry));
  assert.equal(await failing.closed, 1008);
  const good = await wsClient(t, server);
  await good.auth(await login(server));
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.equal((await good.call("system", "health")).result.status, "ok", "an authenticated connection stays");
});

test("WebSocket: a peer that stops answering pings is dropped after the idle timeout", async (t) => {
  const { server } = await authServer(t, { limits: { idleTimeoutMs: 400 } });
  const token = await login(server);
  // Authenticated in the handshake, then silent: a bare socket never answers the server's pings.
  const silent = await rawWebSocket(server.port, `Sec-WebSocket-Protocol: atomiton, bearer.${token}\r\n`);
  await silent.closed;
  const lively = await wsClient(t, server);
  await lively.auth(token);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal((await lively.call("system", "health")).result.status, "ok", "pongs keep a quiet connection open");
});

test("without auth the server refuses to listen beyond loopback unless told insecure", async (t) => {
  const conductor = createConductor({ storage: { type: "memory" } });
  await assert.rejects(createProtocolServer(conductor, { host: "0.0.0.0" }), /Refusing to listen on 0\.0\.0\.0 without authentication/);
  for (const host of ["127.0.0.1", "localhost", "::1"]) {
    const server = await createProtocolServer(conductor, { host }).catch((error) => error);
    if (server instanceof Error) {
      assert.match(server.message, /EADDRNOTAVAIL|EAFNOSUPPORT/, host); // no IPv6 here
      continue;
    }
    await server.close();
  }
  const open = await createProtocolServer(conductor, { host: "0.0.0.0", insecure: true });
  t.after(() => open.close());
  assert.equal((await post({ url: `http://127.0.0.1:${open.port}` }, "system", "health", {})).status, 200);
  const { server } = await authServer(t, { host: "0.0.0.0" });
  assert.equal((await post({ url: `http://127.0.0.1:${server.port}` }, "system", "health", {})).status, 401, "with auth, any address");
});

test("a remote conductor's auth API: login, current user, refresh, logout", async (t) => {
  const { server } = await authServer(t);
  for (const serverUrl of [server.url, server.wsUrl]) {
    const remote = createRemoteConductor({ serverUrl, WebSocket });
    t.after(() => remote.close());
    assert.equal((await remote.node.run(chainFlow)).error.code, "AUTHENTICATION_FAILED", serverUrl);
    const result = await remote.auth.login({ username: "alice", password: PASSWORD });
    assert.equal(result.user.username, "alice");
    assert.equal((await remote.auth.getCurrentUser()).username, "alice");
    assert.equal((await remote.node.run(chainFlow)).data.result, 12, serverUrl);
    const refreshed = await remote.auth.refreshToken();
    assert.notEqual(refreshed.token, result.token);
    assert.equal((await remote.node.run(chainFlow)).success, true, `${serverUrl}: the new token is used`);
    await remote.auth.logout();
    assert.equal(await remote.auth.getCurrentUser(), null);
    assert.equal((await remote.node.run(chainFlow)).error.code, "AUTHENTICATION_FAILED", serverUrl);
  }
});

test("over HTTP, a call with an expired token fires onAuthExpired", async (t) => {
  const { server } = await authServer(t, { auth: { tokenTtlMs: 300 } });
  const remote = createRemoteConductor({ serverUrl: server.url });
  const expired = [];
  remote.auth.onAuthExpired((data) => expired.push(data));
  await remote.auth.login({ username: "alice", password: PASSWORD });
  // Calls succeed until the token expires; the first refused one reports it.
  while (expired.length === 0) {
    await remote.system.health();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.equal(expired[0].reason, "expired");
  remote.close();
});
