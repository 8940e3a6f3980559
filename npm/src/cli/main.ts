#!/usr/bin/env node
/**
 * `atomiton`: the command line of `@atomiton/conductor`. Dispatches to one command and exits with
 * its code; usage errors and unreadable files exit 2 with one clear message.
 */
import { ConductorError } from "../desktop.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { writeError, writeOut } from "./output.js";
import { credentialsCommand } from "./credentials.js";
import { runCommand } from "./run.js";
import { runsCommand } from "./runs.js";
import { apiKeyCommand, hashPasswordCommand } from "./secrets.js";
import { serveCommand } from "./serve.js";
import { templatesCommand } from "./templates.js";
import { triggersCommand } from "./triggers.js";
import { validateCommand } from "./validate.js";
import { versionText } from "./version.js";
import { workerCommand } from "./worker.js";

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  run: runCommand,
  runs: runsCommand,
  validate: validateCommand,
  templates: templatesCommand,
  serve: serveCommand,
  triggers: triggersCommand,
  credentials: credentialsCommand,
  "hash-password": hashPasswordCommand,
  "api-key": apiKeyCommand,
  worker: workerCommand,
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(`${HELP.main}\n`);
    return ExitCode.USAGE;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" && rest[0] !== undefined ? HELP[rest[0]] : undefined;
    writeOut(topic ?? HELP.main ?? "");
    return ExitCode.OK;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    writeOut(versionText());
    return ExitCode.OK;
  }
  const command = COMMANDS[first];
  if (!command) {
    throw new UsageError(first.startsWith("-") ? `unknown option '${first}'` : `unknown command '${first}'`, "");
  }
  return command(rest);
}

/** Writes what went wrong and returns the exit code for it. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    writeError(error.message);
    if (error.command !== undefined) {
      process.stderr.write(`Run 'atomiton ${error.command ? `${error.command} ` : ""}--help' for usage.\n`);
    }
    return ExitCode.USAGE;
  }
  if (error instanceof ConductorError) {
    writeError(`${error.code}: ${error.message}`);
    return ExitCode.USAGE;
  }
  // Anything else stopped the command before a run could start (e.g. no native build).
  const detail = error instanceof Error ? (process.env.ATOMITON_DEBUG ? (error.stack ?? error.message) : error.message) : String(error);
  writeError(detail);
  return ExitCode.USAGE;
}

const code = await main(process.argv.slice(2)).catch(report);
// Exit once stdout and stderr have taken everything written (they may be pipes), even if the
// engine still holds the event loop open.
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
