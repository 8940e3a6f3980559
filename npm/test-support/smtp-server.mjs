// The SMTP server the `email` node's tests send to: aiosmtpd (scripts/smtp-server.sh) on a free
// loopback port with a certificate of its own CA, STARTTLS (or implicit TLS) and a login
// required, keeping each message it accepts whole in its directory. `received()` reads them
// back, each parsed by Python's standard `email` package — a MIME reader that is not ours.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDatabaseServer } from "./database-server.mjs";

export const SMTP_USER = "mailer";
export const SMTP_PASSWORD = "smtp-test-password";
const PYTHON = fileURLToPath(new URL("../../target/smtp-venv/bin/python", import.meta.url));

/** Starts a server: `tls` is `starttls` (the default) or `implicit`. */
export async function startSmtpServer({ tls = "starttls" } = {}) {
  const server = await startDatabaseServer({
    name: "SMTP",
    script: "smtp-server.sh",
    ready: "ready on 127.0.0.1",
    url: (port) => `smtp://127.0.0.1:${port}`,
    install: "scripts/lib/setup-smtp.sh",
    args: (port, dir) => ["--port", String(port), "--dir", dir, "--tls", tls],
    stopSignal: "SIGTERM",
  });
  return {
    ...server,
    /** The credential fields for this server (its CA trusted). */
    credential(extra = {}) {
      return {
        type: "smtp",
        host: "127.0.0.1",
        port: server.port,
        security: tls === "implicit" ? "tls" : "starttls",
        username: SMTP_USER,
        password: SMTP_PASSWORD,
        rootCertificate: readFileSync(join(server.dir, "tls", "ca.pem"), "utf8"),
        ...extra,
      };
    },
    /** Every message accepted so far: `{envelope, raw, headers, parts}` (parts: `{contentType, filename, bytes}`). */
    received() {
      const mail = join(server.dir, "mail");
      if (!existsSync(mail)) return [];
      return readdirSync(mail)
        .filter((name) => name.endsWith(".json"))
        .sort()
        .map((name) => {
          const file = join(mail, name.replace(/\.json$/, ".eml"));
          return { envelope: JSON.parse(readFileSync(join(mail, name), "utf8")), raw: readFileSync(file), ...parsed(file) };
        });
    },
  };
}

const PARSE = `
import base64, email, email.policy, json, sys
message = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
headers = {k.lower(): str(v) for k, v in message.items()}
parts = []
for part in message.walk():
    if part.is_multipart():
        continue
    payload = part.get_payload(decode=True) or b""
    parts.append({"contentType": part.get_content_type(), "filename": part.get_filename(), "base64": base64.b64encode(payload).decode()})
print(json.dumps({"headers": headers, "parts": parts}))
`;

function parsed(file) {
  const { headers, parts } = JSON.parse(execFileSync(PYTHON, ["-c", PARSE, file], { encoding: "utf8" }));
  return { headers, parts: parts.map(({ base64, ...part }) => ({ ...part, bytes: Buffer.from(base64, "base64") })) };
}
