// The `email` node through the built package, against a real SMTP server the tests start on
// 127.0.0.1 (aiosmtpd, scripts/smtp-server.sh: a certificate of its own CA, STARTTLS or
// implicit TLS, a login required). What the server received is read back whole and parsed by
// Python's own MIME reader. No test judges speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";
import { SMTP_PASSWORD, startSmtpServer } from "../test-support/smtp-server.mjs";
import { startPostgres } from "../test-support/postgres.mjs";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "..", "test-support", "effect-child.mjs");

let starttls;
let implicit;
test.before(async () => {
  [starttls, implicit] = await Promise.all([startSmtpServer(), startSmtpServer({ tls: "implicit" })]);
});
test.after(async () => {
  await starttls?.stop();
  await implicit?.stop();
});

/** A conductor with the credential `mail` for `server` (fields overridden by `extra`). */
async function conductorFor(t, server, extra = {}, config = {}) {
  const conductor = createConductor({ storage: { type: "memory" }, ...config });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("mail", server.credential(extra));
  return conductor;
}

/** Runs one `email` node with `parameters` (credential `mail`). */
function send(conductor, parameters, input) {
  const node = { id: "send", type: "email", parameters: { credential: "mail", from: "Flows <flows@example.test>", ...parameters } };
  return conductor.node.run(node, input === undefined ? {} : { input });
}

/**
 * A child process (test-support/effect-child.mjs) running `parameters` as the `email` node
 * `effect` of a durable run `executionId` in `directory`, with credential `mail` = `credential`;
 * it then waits for the file `go` there. Its standard output is piped.
 */
function effectChild(directory, executionId, credential, parameters) {
  const node = {
    id: "effect",
    type: "email",
    parameters: { credential: "mail", from: "flows@example.test", to: "ops@example.test", ...parameters },
  };
  const args = [CHILD, directory, executionId, join(directory, "go"), "mail", JSON.stringify(credential), JSON.stringify(node)];
  return spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
}

test("STARTTLS with a login: text, HTML and attachments from the flow's data arrive whole", async (t) => {
  const conductor = await conductorFor(t, starttls);
  const directory = tempDir(t, "email-attach");
  // Every byte value, and a file read by a file-system node upstream.
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7) % 256));
  writeFileSync(join(directory, "report.csv"), "id,total\n1,42\n");
  const before = starttls.received().length;
  const flow = {
    id: "mail-report",
    type: "group",
    nodes: [
      { id: "read", type: "file-system", parameters: { operation: "read", path: join(directory, "report.csv") } },
      {
        id: "send",
        type: "email",
        parameters: {
          credential: "mail",
          from: "Flows <flows@example.test>",
          to: ["ana@example.test", "bo@example.test"],
          cc: "cy@example.test",
          bcc: ["hidden@example.test"],
          subject: "Report for {{ path }}",
          text: "Totals attached.",
          html: "<p>Totals <b>attached</b>.</p>",
          // `data` is the whole input (a file-system read: its content and its path's name).
          attachments: [{ field: "data" }, { field: "content", filename: "copy.txt" }],
        },
      },
    ],
    edges: [{ id: "e", source: "read", target: "send", targetHandle: "data" }],
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, JSON.stringify(result.error));
  const output = result.data.send ?? result.data;
  const mails = starttls.received().slice(before);
  assert.equal(mails.length, 1);
  const [mail] = mails;
  assert.equal(mail.envelope.authenticated, true, "the client logged in");
  assert.equal(mail.envelope.mailFrom, "flows@example.test");
  assert.deepEqual(mail.envelope.rcptTos.sort(), ["ana@example.test", "bo@example.test", "cy@example.test", "hidden@example.test"]);
  assert.ok(!mail.raw.includes("hidden@example.test"), "Bcc is in the envelope, not the message");
  assert.match(mail.headers.subject, /^Report for .*report\.csv$/);
  const messageId = JSON.stringify(output).match(/<[0-9a-f]{32}@example\.test>/)?.[0];
  assert.ok(messageId, JSON.stringify(output));
  assert.equal(mail.headers["message-id"], messageId);
  const byType = (type) => mail.parts.filter((p) => p.contentType === type);
  assert.equal(byType("text/plain")[0].bytes.toString().trimEnd(), "Totals attached.");
  assert.match(byType("text/html")[0].bytes.toString(), /<b>attached<\/b>/);
  const csv = mail.parts.find((p) => p.filename === "report.csv");
  assert.equal(csv.contentType, "text/csv", "typed by its extension");
  assert.equal(csv.bytes.toString(), "id,total\n1,42\n");
  assert.equal(mail.parts.find((p) => p.filename === "copy.txt").bytes.toString(), "id,total\n1,42\n");

  // Binary data from the input, byte for byte.
  const again = await send(
    conductor,
    { to: "{{ who }}", subject: "Bytes", text: "See attached.", attachments: [{ field: "blob", filename: "blob.bin" }] },
    { who: "Dee <dee@example.test>", blob: binary },
  );
  assert.equal(again.success, true, JSON.stringify(again.error));
  const last = starttls.received().at(-1);
  assert.deepEqual(last.envelope.rcptTos, ["dee@example.test"], "the address came from the input");
  const blob = last.parts.find((p) => p.filename === "blob.bin");
  assert.equal(blob.contentType, "application/octet-stream");
  assert.ok(blob.bytes.equals(binary), "the attachment's bytes arrive unchanged");
});

test("implicit TLS (SMTPS) sends too; a certificate not trusted is refused, coded", async (t) => {
  const conductor = await conductorFor(t, implicit);
  const before = implicit.received().length;
  const result = await send(conductor, { to: "ana@example.test", subject: "Over TLS", text: "Hello" });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(implicit.received().length, before + 1);
  assert.equal(result.data.alreadySent, false);
  assert.match(result.data.response, /^250 /);

  const untrusting = await conductorFor(t, starttls, { rootCertificate: "" });
  const refused = await send(untrusting, { to: "ana@example.test", subject: "x", text: "x" });
  assert.equal(refused.success, false);
  assert.equal(refused.error.code, "TRANSPORT_ERROR", refused.error.message);
  assert.match(refused.error.message, /tls|certificate/i);
});

test("a wrong password is AUTHENTICATION_FAILED and the message quotes no secret; mistakes are named", async (t) => {
  const wrong = "not-the-password-9c1e";
  const conductor = await conductorFor(t, starttls, { password: wrong });
  const before = starttls.received().length;
  const result = await send(conductor, { to: "ana@example.test", subject: "x", text: "x" });
  assert.equal(result.error?.code, "AUTHENTICATION_FAILED", JSON.stringify(result.error));
  assert.ok(!result.error.message.includes(wrong));
  assert.equal(starttls.received().length, before, "nothing was sent");

  const plain = await conductorFor(t, starttls, { security: "none" });
  const cleartext = await send(plain, { to: "ana@example.test", subject: "x", text: "x" });
  assert.equal(cleartext.error?.code, "INVALID_PARAMETERS");
  assert.match(cleartext.error.message, /would send its password unencrypted/);

  const good = await conductorFor(t, starttls);
  const noRecipient = await good.node.validate({ id: "n", type: "email", parameters: { credential: "mail", subject: "x" } });
  assert.ok(
    noRecipient.errors.some((e) => /'to' is required/.test(e)),
    JSON.stringify(noRecipient),
  );
  const badAddress = await send(good, { to: "not an address", subject: "x", text: "x" });
  assert.match(badAddress.error.message, /'to' has 'not an address', which is not an email address/);
  const missing = await send(good, { to: "a@example.test", text: "x", attachments: [{ field: "nothing" }] });
  assert.match(missing.error.message, /attachments\[0\]: the input has nothing at 'nothing'/);
});

test("an idempotency key sends once: the same key again is answered from the record of sent mail", async (t) => {
  const directory = tempDir(t, "email-keys");
  const conductor = await conductorFor(t, starttls, {}, { storage: { directory } });
  const before = starttls.received().length;
  const params = { to: "ana@example.test", subject: "Invoice 42", text: "Attached.", idempotencyKey: "invoice-42" };
  const first = await send(conductor, params);
  assert.equal(first.success, true, JSON.stringify(first.error));
  const second = await send(conductor, params);
  assert.equal(second.success, true, JSON.stringify(second.error));
  assert.equal(starttls.received().length, before + 1, "one message for the key");
  assert.deepEqual([first.data.alreadySent, second.data.alreadySent], [false, true]);
  assert.equal(second.data.messageId, first.data.messageId);
  assert.equal(starttls.received().at(-1).headers["message-id"], first.data.messageId, "the key made the Message-ID");
  // Another conductor on the same storage (another process would be the same) knows it too.
  await conductor.shutdown();
  const other = createConductor({ storage: { directory } });
  t.after(() => other.shutdown());
  const third = await send(other, params);
  assert.equal(third.data?.alreadySent, true, JSON.stringify(third));
  const fresh = await send(other, { ...params, idempotencyKey: "invoice-43" });
  assert.equal(fresh.data?.alreadySent, false);
  assert.equal(starttls.received().length, before + 2);
});

test("a fleet on PostgreSQL storage shares the record of sent mail", { timeout: 120_000 }, async (t) => {
  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  process.env.ATOMITON_CREDENTIALS_KEY = "c3".repeat(32);
  t.after(() => delete process.env.ATOMITON_CREDENTIALS_KEY);
  const storage = { type: "postgres", url: postgres.url };
  const [one, two] = [createConductor({ storage }), createConductor({ storage })];
  t.after(() => Promise.all([one.shutdown(), two.shutdown()]));
  await one.credentials.set("mail", starttls.credential());
  const before = starttls.received().length;
  const params = { to: "ana@example.test", subject: "Shared", text: "Once.", idempotencyKey: "fleet-1" };
  const sent = await send(one, params);
  const again = await send(two, params);
  assert.deepEqual([sent.data?.alreadySent, again.data?.alreadySent], [false, true], JSON.stringify([sent.error, again.error]));
  assert.equal(starttls.received().length, before + 1, "one message across the two processes' conductors");
});

/**
 * Sends `params` on every conductor at once and checks that the server got one message: one run
 * sent it, and each other either answered from the record or was told the key was being sent.
 */
async function sendAtOnce(conductors, params, before) {
  const results = await Promise.all(conductors.map((conductor) => send(conductor, params)));
  assert.equal(
    starttls.received().length,
    before + 1,
    `one message for the key: ${JSON.stringify(results.map((r) => r.error?.message ?? r.data))}`,
  );
  const sent = results.filter((r) => r.success && r.data.alreadySent === false);
  assert.equal(sent.length, 1, "one run sent it");
  for (const other of results.filter((r) => r !== sent[0])) {
    if (other.success) assert.equal(other.data.alreadySent, true);
    else assert.match(other.error.message, /is being sent by run .*give the node another idempotencyKey/, other.error.message);
  }
  return results;
}

test("runs with one key at the same moment send one mail, on files and on PostgreSQL", { timeout: 120_000 }, async (t) => {
  const directory = tempDir(t, "email-race");
  // Three conductors on one directory, as three processes would be.
  const onFiles = await Promise.all([0, 1, 2].map(() => conductorFor(t, starttls, {}, { storage: { directory } })));
  const params = { to: "ana@example.test", subject: "Race", text: "Once.", idempotencyKey: "race-1" };
  for (let round = 0; round < 3; round++)
    await sendAtOnce(onFiles, { ...params, idempotencyKey: `race-files-${round}` }, starttls.received().length);

  const postgres = await startPostgres();
  t.after(() => postgres.stop());
  process.env.ATOMITON_CREDENTIALS_KEY = "c4".repeat(32);
  t.after(() => delete process.env.ATOMITON_CREDENTIALS_KEY);
  // Each conductor on a connection of its own, as each process has.
  const onPostgres = [0, 1, 2].map((n) =>
    createConductor({ storage: { type: "postgres", url: `${postgres.url}?application_name=p${n}` } }),
  );
  t.after(() => Promise.all(onPostgres.map((c) => c.shutdown())));
  await onPostgres[0].credentials.set("mail", starttls.credential());
  for (let round = 0; round < 3; round++)
    await sendAtOnce(onPostgres, { ...params, idempotencyKey: `race-pg-${round}` }, starttls.received().length);
});

test("a mail sent before a SIGKILL is not sent again when the run resumes; the password is in no file", async (t) => {
  const directory = tempDir(t, "email-durable");
  const marker = join(directory, "go");
  const executionId = "exec-email-resume";
  const before = starttls.received().length;
  const child = effectChild(directory, executionId, starttls.credential(), { subject: "Nightly report", text: "Done." });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("done") || out.includes("ended"), undefined, "the email node to complete in the child");
  assert.ok(out.includes("done"), out);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(starttls.received().length, before + 1);
  writeFileSync(marker, "");
  const conductor = createConductor({ storage: { directory }, durability: { resume: "manual" } });
  t.after(() => conductor.shutdown());
  const result = await conductor.executions.resume(executionId);
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(starttls.received().length, before + 1, "the mail was not sent again");
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    assert.ok(!readFileSync(path).includes(SMTP_PASSWORD), `the password is not in ${path}`);
  }
});

/** A TCP server on 127.0.0.1 that takes connections and never says a word (an SMTP server hung). */
async function startStalledServer(t) {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  let connections = 0;
  server.on("connection", () => connections++);
  return { credential: { type: "smtp", host: "127.0.0.1", port: server.address().port, security: "none" }, connections: () => connections };
}

test("a server that never answers fails the node at its sendTimeout, and gives the key back for a retry", async (t) => {
  const stalled = await startStalledServer(t);
  const conductor = createConductor({ storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("mail", stalled.credential);
  const params = { to: "ana@example.test", subject: "Stalled", text: "x", idempotencyKey: "stall-1", sendTimeout: 300 };
  const stuck = await send(conductor, params);
  assert.equal(stuck.success, false);
  assert.equal(stuck.error.code, "TIMEOUT", stuck.error.message);
  assert.equal(stalled.connections(), 1, "it reached the server");
  // The server is a real one again: the same key sends, since nothing was accepted.
  await conductor.credentials.set("mail", starttls.credential());
  const before = starttls.received().length;
  const sent = await send(conductor, params);
  assert.equal(sent.success, true, JSON.stringify(sent.error));
  assert.equal(sent.data.alreadySent, false);
  assert.equal(starttls.received().length, before + 1);
});

test("a run killed in the middle of a keyed send is not sent again on resume: the node says whether it went is unknown", async (t) => {
  const stalled = await startStalledServer(t);
  const directory = tempDir(t, "email-killed-mid-send");
  const executionId = "exec-email-mid-send";
  const child = effectChild(directory, executionId, stalled.credential, { text: "x", idempotencyKey: "mid-send-1" });
  // The key is claimed before the connection is made: once the server has one, the send is under way.
  await until(() => stalled.connections() > 0, undefined, "the child to connect to the SMTP server");
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  const conductor = createConductor({ storage: { directory }, durability: { resume: "manual" } });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("mail", starttls.credential());
  const before = starttls.received().length;
  const result = await conductor.executions.resume(executionId);
  assert.equal(result.success, false);
  assert.equal(result.error.code, "EXECUTION_FAILED", result.error.message);
  assert.match(result.error.message, new RegExp(`run '${executionId}' \\(node 'effect'\\)`), result.error.message);
  assert.match(result.error.message, /stopped half-way/);
  assert.equal(starttls.received().length, before, "nothing sent on resume");
});

test("the WebAssembly engine knows the type and says where it runs", async (t) => {
  const conductor = createConductor({ engine: "wasm", storage: { type: "memory" } });
  t.after(() => conductor.shutdown());
  const result = await conductor.node.run({
    id: "send",
    type: "email",
    parameters: { credential: "mail", to: "a@example.test", text: "x" },
  });
  assert.equal(result.error?.code, "IMPLEMENTATION_NOT_FOUND", JSON.stringify(result.error));
  assert.match(result.error.message, /SMTP client/);
});
