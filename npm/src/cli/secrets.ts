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

/**
 * Secret lines, one per label: typed without echo on a terminal (after `label: `), else the next
 * lines of stdin. Never an argument: it would stay in the shell's history and the process list.
 */
export async function readSecrets(labels: string[]): Promise<string[]> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const terminal = process.stdin.isTTY === true;
  const lines = createInterface({ input: process.stdin, output: terminal ? silent : undefined, terminal });
  const values: string[] = [];
  try {
    const iterator = lines[Symbol.asyncIterator]();
    for (const label of labels) {
      if (terminal) process.stderr.write(`${label}: `);
      const next = await iterator.next();
      if (terminal) process.stderr.write("\n");
      values.push(next.done ? "" : next.value);
    }
    return values;
  } finally {
    lines.close();
  }
}

/** The password: typed without echo on a terminal, else the first line of stdin. */
async function readPassword(): Promise<string> {
  const [password = ""] = await readSecrets(["Password"]);
  return password;
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
