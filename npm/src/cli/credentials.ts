/**
 * `atomiton credentials` (every credential's name and type), `atomiton credentials set <name>
 * --type <type> [--field k=v]... [--secret k]...` (the secrets' values typed without echo, or
 * read from stdin, one line each; or, without `--type`, the whole credential as JSON on stdin)
 * and `atomiton credentials delete <name>`. A value is never an argument. The engine keeps them
 * sealed in the store `--storage` names.
 */
import { createConductor, type Conductor } from "../desktop.js";
import type { CredentialFields } from "../types/credentials.js";
import { expectPositionals, listOption, parseCommandArgs } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { table, writeJson, writeOut } from "./output.js";
import { readSecrets } from "./secrets.js";

const SUBCOMMANDS = ["list", "set", "delete"];

/** The credential `set` stores: from the options and the secrets read, or JSON on stdin. */
async function credentialOf(values: Record<string, unknown>): Promise<CredentialFields> {
  const type = values.type;
  if (typeof type !== "string") {
    if (listOption(values.field).length > 0 || listOption(values.secret).length > 0) {
      throw new UsageError("--field and --secret need --type", "credentials");
    }
    const [text = ""] = await readSecrets(["Credential (JSON)"]);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Never quoted: it holds the secrets.
      throw new UsageError("stdin is not a JSON object (give --type and --field/--secret, or the credential as JSON)", "credentials");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new UsageError("stdin is not a JSON object", "credentials");
    }
    return parsed as CredentialFields;
  }
  const credential: CredentialFields = { type };
  for (const pair of listOption(values.field)) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--field takes name=value, not '${pair.split("=")[0]}'`, "credentials");
    credential[pair.slice(0, at)] = pair.slice(at + 1);
  }
  const secrets = listOption(values.secret);
  const read = await readSecrets(secrets);
  secrets.forEach((name, i) => {
    credential[name] = read[i] ?? "";
  });
  return credential;
}

async function answer(conductor: Conductor, sub: string, name: string, values: Record<string, unknown>): Promise<unknown> {
  switch (sub) {
    case "set":
      await conductor.credentials.set(name, await credentialOf(values));
      return { name, set: true };
    case "delete":
      return conductor.credentials.delete(name);
    default:
      return conductor.credentials.list();
  }
}

function shown(sub: string, name: string, value: unknown): string {
  if (sub === "set") return `${name}: set`;
  if (sub === "delete") return value ? `${name}: deleted` : `no credential named ${name}`;
  const credentials = value as Awaited<ReturnType<Conductor["credentials"]["list"]>>;
  if (credentials.length === 0) return "no credentials";
  return table([["NAME", "TYPE"], ...credentials.map((c) => [c.name, c.type])]);
}

export async function credentialsCommand(args: string[]): Promise<number> {
  const first = args[0];
  const sub = first !== undefined && !first.startsWith("-") ? first : "list";
  const rest = sub === first ? args.slice(1) : args;
  const { values, positionals } = parseCommandArgs("credentials", rest, {
    storage: { type: "string" },
    type: { type: "string" },
    field: { type: "string", multiple: true },
    secret: { type: "string", multiple: true },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.credentials ?? "");
    return ExitCode.OK;
  }
  if (!SUBCOMMANDS.includes(sub)) {
    throw new UsageError(`unknown credentials subcommand '${sub}' (${SUBCOMMANDS.join(", ")})`, "credentials");
  }
  const [name = ""] = expectPositionals("credentials", positionals, sub === "list" ? [] : ["name"]);
  const conductor = createConductor(typeof values.storage === "string" ? { storage: { directory: values.storage } } : {});
  try {
    const value = await answer(conductor, sub, name, values);
    conductor.triggers.stop();
    if (values.json) writeJson(value);
    else writeOut(shown(sub, name, value));
    return sub === "delete" && !value ? ExitCode.FAILED : ExitCode.OK;
  } finally {
    await conductor.shutdown();
  }
}
