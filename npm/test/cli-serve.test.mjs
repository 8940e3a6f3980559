// `atomiton serve`, `atomiton hash-password` and `atomiton api-key`, run as real child processes:
// a server from a config file that tells how to log in and then demands tokens, the refusal to
// listen beyond loopback without authentication, and the helpers that make config entries.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { verifyPassword } from "@atomiton/conductor/desktop";
import { tempDir } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";
import { hashed, PASSWORD, post } from "../test-support/server.mjs";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli", "main.js");

/** The CLI as a child process: `{child, output()}`, with `stdin` written then closed when given. */
function start(t, args, { stdin, env } = {}) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  t.after(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  if (stdin !== undefined) child.stdin.end(stdin);
  const exited = new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  const printed = (pattern) =>
    new Promise((resolve) => {
      const check = () => (pattern.test(stdout) ? resolve(stdout) : setTimeout(check, 10));
      check();
    });
  return { child, exited, printed };
}

test("serve: a config with users starts a server that prints how to log in, then demands tokens", async (t) => {
  const dir = tempDir(t, "serve");
  const config = join(dir, "server.json");
  writeFileSync(
    config,
    JSON.stringify({
      auth: { users: [{ username: "alice", passwordHash: await hashed(), grant: { permissions: {} } }] },
      limits: { runsPerMinute: 100 },
    }),
  );
  const serve = start(t, ["serve", "--port", "0", "--config", config, "--storage", join(dir, "flows")]);
  const stdout = await serve.printed(/Ctrl-C stops it\./);
  const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
  assert.ok(url, stdout);
  assert.match(stdout, /\(WebSocket: ws:\/\/127\.0\.0\.1:\d+\)/);
  assert.match(stdout, /Authentication: 1 user\(s\)\. Every call needs a bearer token\./);
  assert.match(stdout, /curl -s http:\/\/127\.0\.0\.1:\d+\/api\/auth\/login/);
  const server = { url };
  assert.equal((await post(server, "system", "health", {})).status, 401);
  const { body } = await post(server, "auth", "login", { username: "alice", password: PASSWORD });
  assert.equal((await post(server, "system", "health", {}, body.token)).status, 200);
  const shell = { node: { id: "sh", type: "shell-command", parameters: { program: "true" } } };
  assert.equal(
    (await post(server, "node", "execute", shell, body.token)).body.error.code,
    "PERMISSION_DENIED",
    "the grant's permissions apply",
  );
  serve.child.kill("SIGTERM");
  const { code, stderr } = await serve.exited;
  assert.equal(code, 0, stderr);
  assert.match(stderr, /SIGTERM: closing the server/);
});

test("serve without auth stays on loopback: another --host is refused unless --insecure", async (t) => {
  const refused = await start(t, ["serve", "--host", "0.0.0.0", "--port", "0"]).exited;
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /Refusing to listen on 0\.0\.0\.0 without authentication/);
  const local = start(t, ["serve", "--port", "0"]);
  const stdout = await local.printed(/Ctrl-C stops it\./);
  assert.match(stdout, /Authentication: none\. Only this machine can connect/);
  local.child.kill("SIGINT");
  assert.equal((await local.exited).code, 0);
  const bad = await start(t, ["serve", "--config", join(tempDir(t, "serve"), "missing.json")]).exited;
  assert.deepEqual([bad.code, /cannot read config file/.test(bad.stderr)], [2, true], bad.stderr);
});

test("hash-password hashes stdin; api-key prints a key and its SHA-256", async (t) => {
  const hashedOut = await start(t, ["hash-password"], { stdin: "s3cret\n" }).exited;
  assert.equal(hashedOut.code, 0, hashedOut.stderr);
  assert.equal(await verifyPassword("s3cret", hashedOut.stdout.trim()), true);
  const onTheCommandLine = await start(t, ["hash-password", "s3cret"], { stdin: "" }).exited;
  assert.equal(onTheCommandLine.code, 2);
  assert.match(onTheCommandLine.stderr, /read from stdin/);
  const key = await start(t, ["api-key"]).exited;
  const { key: apiKey, keyHash } = JSON.parse(key.stdout);
  assert.match(apiKey, /^ak_[\w-]{43}$/);
  assert.equal(createHash("sha256").update(apiKey).digest("hex"), keyHash);
  const help = await start(t, ["serve", "--help"]).exited;
  assert.deepEqual([help.code, /Usage: atomiton serve/.test(help.stdout)], [0, true]);
});

test("serve keeps its run history in the PostgreSQL database ATOMITON_DATABASE_URL names: another server on other storage reads it", {
  timeout: 120_000,
}, async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const dir = tempDir(t, "serve-store");
  const env = { ATOMITON_DATABASE_URL: postgres.url };
  const serving = async (storage) => {
    const serve = start(t, ["serve", "--port", "0", "--storage", join(dir, storage)], { env });
    const url = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(await serve.printed(/Ctrl-C stops it\./))?.[1];
    assert.ok(url);
    return { serve, server: { url } };
  };
  const first = await serving("first");
  const node = { id: "t", type: "transform", parameters: { transformFunction: "x => 42" } };
  const ran = await post(first.server, "node", "execute", { node, context: { executionId: "kept-in-postgres" } });
  assert.equal(ran.status, 200, JSON.stringify(ran.body));
  first.serve.child.kill("SIGTERM");
  assert.equal((await first.serve.exited).code, 0);
  const second = await serving("second");
  const listed = await post(second.server, "executions", "list", {});
  assert.deepEqual(
    listed.body.executions.map((run) => [run.id, run.status]),
    [["kept-in-postgres", "success"]],
    "the run is in the database, not beside the first server's flows",
  );
  second.serve.child.kill("SIGTERM");
  assert.equal((await second.serve.exited).code, 0);
});
