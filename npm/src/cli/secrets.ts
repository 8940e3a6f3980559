/**
 * `atomiton hash-password` and `atomiton api-key`: making the entries of a server config's
 * `auth.users` and `auth.apiKeys` without ever writing a password or key into it.
 */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { generateApiKey, hashPassword } from "../desktop.js";
import { parseCommandArgs } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { writeJson, writeOut } from "./output.js";

/** The password: typed without echo on a terminal, else the first line of stdin. */
async function readPassword(): Promise<string> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const terminal = process.stdin.isTTY === true;
  if (terminal) process.stderr.write("Password: ");
  const lines = createInterface({ input: process.stdin, output: terminal ? silent : undefined, terminal });
  try {
    for await (const line of lines) return line;
    return "";
  } finally {
    lines.close();
    if (terminal) process.stderr.write("\n");
  }
}

export async function hashPasswordCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("hash-password", args, { help: { type: "boolean", short: "h" } });
  if (values.help) {
    writeOut(HELP["hash-password"] ?? "");
    return ExitCode.OK;
  }
  if (positionals.length > 0)
    throw new UsageError(
      "the password is read from stdin, not from the command line (it would stay in your shell history)",
      "hash-password",
    );
  const password = await readPassword();
  if (password === "") throw new UsageError("no password given on stdin", "hash-password");
  writeOut(await hashPassword(password));
  return ExitCode.OK;
}

export async function apiKeyCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("api-key", args, { help: { type: "boolean", short: "h" } });
  if (values.help) {
    writeOut(HELP["api-key"] ?? "");
    return ExitCode.OK;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`, "api-key");
  writeJson(generateApiKey());
  return ExitCode.OK;
}
