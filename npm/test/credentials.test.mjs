// `conductor.credentials` and `atomiton credentials`, through the built package: credentials
// kept sealed beside the flows (never a value in what is written, nor in `list`), the key from
// the environment, a key file that only its owner may read, or one the conductor makes; a key
// file others may read refused; a shared store without a key locked; the CLI reading secrets
// from stdin, never from its arguments; the WebAssembly engine keeping them in memory only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor/desktop";
import { tempDir } from "../test-support/helpers.mjs";
import { startPostgres } from "../test-support/postgres.mjs";

const cli = join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "cli", "main.js");
const SECRET = "pw-7f3a9c-never-written";
const KEY = "a1".repeat(32);

/** Every file under `directory`, with its bytes. */
function filesUnder(directory) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(join(entry.parentPath ?? entry.path, entry.name));
  }
  return found.map((path) => ({ path, bytes: readFileSync(path) }));
}

/** The CLI as a child process, `stdin` written then closed: `{code, stdout, stderr}`. */
function cliRun(t, args, { stdin = "", env = {} } = {}) {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  t.after(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("native: set, list and delete; the key file is made owner-only and nothing written holds a value", async (t) => {
  const directory = tempDir(t, "credentials");
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("warehouse", { type: "postgres", host: "127.0.0.1", port: 5432, user: "app", password: SECRET });
  await conductor.credentials.set("local", { type: "sqlite", path: join(directory, "local.db") });
  assert.deepEqual(await conductor.credentials.list(), [
    { name: "local", type: "sqlite" },
    { name: "warehouse", type: "postgres" },
  ]);
  const key = statSync(join(directory, "credentials.key"));
  assert.equal(key.mode & 0o777, 0o600, "the key file is its owner's only");
  for (const { path, bytes } of filesUnder(directory)) {
    if (path.endsWith("credentials.key")) continue;
    assert.ok(!bytes.includes(SECRET), `${path} holds the secret`);
  }
  assert.ok(readdirSync(directory).includes("warehouse.credential"));
  // Flows and credentials share the store without seeing each other.
  assert.deepEqual((await conductor.storage.listFlows()).flows, []);
  // Set again: replaced (rotation), still one of that name.
  await conductor.credentials.set("warehouse", { type: "postgres", host: "127.0.0.1", password: "rotated-secret-2" });
  assert.equal((await conductor.credentials.list()).length, 2);
  assert.equal(await conductor.credentials.delete("local"), true);
  assert.equal(await conductor.credentials.delete("local"), false);
  assert.deepEqual(await conductor.credentials.list(), [{ name: "warehouse", type: "postgres" }]);
});

test("native: mistakes are refused with coded errors that quote no value", async (t) => {
  const conductor = createConductor({ storage: { directory: tempDir(t, "credentials-mistakes") } });
  t.after(() => conductor.shutdown());
  const refusals = [
    [() => conductor.credentials.set("../escape", { type: "postgres", password: SECRET }), "VALIDATION_FAILED"],
    [() => conductor.credentials.set("w", { password: SECRET }), "VALIDATION_FAILED"],
    [() => conductor.credentials.set("w", { type: "postgres", password: { nested: SECRET } }), "VALIDATION_FAILED"],
    [() => conductor.credentials.delete("a/b"), "VALIDATION_FAILED"],
  ];
  for (const [call, code] of refusals) {
    await assert.rejects(call, (error) => {
      assert.equal(error.code, code);
      assert.ok(!error.message.includes(SECRET), error.message);
      return true;
    });
  }
});

test("native: a key file others may read is refused, and so is a shared store without a key", async (t) => {
  const directory = tempDir(t, "credentials-loose");
  writeFileSync(join(directory, "credentials.key"), `${KEY}\n`);
  chmodSync(join(directory, "credentials.key"), 0o644);
  const loose = createConductor({ storage: { directory } });
  t.after(() => loose.shutdown());
  await assert.rejects(loose.credentials.set("w", { type: "postgres", password: SECRET }), (error) => {
    assert.equal(error.code, "CREDENTIALS_LOCKED");
    assert.match(error.message, /may be read by others \(mode 644\).*chmod 600/);
    return true;
  });
  chmodSync(join(directory, "credentials.key"), 0o600);
  const fixed = createConductor({ storage: { directory } });
  t.after(() => fixed.shutdown());
  await fixed.credentials.set("w", { type: "postgres", password: SECRET });
  assert.deepEqual(await fixed.credentials.list(), [{ name: "w", type: "postgres" }]);

  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  const shared = createConductor({ storage: { type: "postgres", url: postgres.url } });
  t.after(() => shared.shutdown());
  await assert.rejects(shared.credentials.set("w", { type: "postgres", password: SECRET }), (error) => {
    assert.equal(error.code, "CREDENTIALS_LOCKED");
    assert.match(error.message, /shared through PostgreSQL need ATOMITON_CREDENTIALS_KEY/);
    return true;
  });
});

test("a memory conductor keeps credentials for its life, with a key of its own", async (t) => {
  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("w", { type: "postgres", password: SECRET });
  assert.deepEqual(await conductor.credentials.list(), [{ name: "w", type: "postgres" }]);
});

test("CLI: set reads secrets from stdin (or JSON), list shows names and types, delete; a key from the environment", async (t) => {
  const directory = tempDir(t, "credentials-cli");
  const env = { ATOMITON_CREDENTIALS_KEY: KEY };
  const set = await cliRun(
    t,
    [
      "credentials",
      "set",
      "warehouse",
      "--storage",
      directory,
      "--type",
      "postgres",
      "--field",
      "host=127.0.0.1",
      "--field",
      "user=app",
      "--secret",
      "password",
    ],
    { stdin: `${SECRET}\n`, env },
  );
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout.trim(), "warehouse: set");
  const json = await cliRun(t, ["credentials", "set", "ledger", "--storage", directory], {
    stdin: `${JSON.stringify({ type: "mysql", host: "127.0.0.1", password: SECRET })}\n`,
    env,
  });
  assert.equal(json.code, 0, json.stderr);
  const listed = await cliRun(t, ["credentials", "--storage", directory, "--json"], { env });
  assert.deepEqual(JSON.parse(listed.stdout), [
    { name: "ledger", type: "mysql" },
    { name: "warehouse", type: "postgres" },
  ]);
  const table = await cliRun(t, ["credentials", "list", "--storage", directory], { env });
  assert.match(table.stdout, /NAME\s+TYPE\n.*ledger\s+mysql/);
  for (const output of [set, json, listed, table]) assert.ok(!`${output.stdout}${output.stderr}`.includes(SECRET));
  // The key came from the environment: no key file was made, and nothing written holds the secret.
  assert.ok(!readdirSync(directory).includes("credentials.key"));
  for (const { path, bytes } of filesUnder(directory)) assert.ok(!bytes.includes(SECRET), `${path} holds the secret`);
  // Another key does not open them (the run that reads one is locked out; listing needs no key).
  const conductor = createConductor({ storage: { directory } });
  t.after(() => conductor.shutdown());
  assert.equal((await conductor.credentials.list()).length, 2);
  const deleted = await cliRun(t, ["credentials", "delete", "ledger", "--storage", directory], { env });
  assert.equal(deleted.code, 0, deleted.stderr);
  const again = await cliRun(t, ["credentials", "delete", "ledger", "--storage", directory], { env });
  assert.equal(again.code, 1);
  const flag = await cliRun(t, ["credentials", "set", "x", "--storage", directory, "--password", SECRET], { env });
  assert.equal(flag.code, 2, "a value as a flag is a usage error");
});

test("the WebAssembly engine keeps them in memory, for the conductor's life, and writes none", async (t) => {
  const directory = tempDir(t, "wasm-credentials");
  const secret = "wasm-secret-5c1d9e";
  const conductor = createConductor({ engine: "wasm", storage: { directory } });
  await conductor.credentials.set("api", { type: "openai", apiKey: secret, model: "m" });
  assert.deepEqual(await conductor.credentials.list(), [{ name: "api", type: "openai" }]);
  await conductor.shutdown();
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    assert.ok(!readFileSync(path).includes(secret), `the secret is not in ${path}`);
  }
  const next = createConductor({ engine: "wasm", storage: { directory } });
  t.after(() => next.shutdown());
  assert.deepEqual(await next.credentials.list(), [], "gone with the conductor that held them");
});
