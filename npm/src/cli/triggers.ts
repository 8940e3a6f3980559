/**
 * `atomiton triggers` (the active triggers of the store, with when each fires next),
 * `atomiton triggers activate <flowId>` / `deactivate <flowId>` (a saved flow's trigger nodes),
 * `atomiton triggers fires <trigger>` (a trigger's latest fires and their runs) and
 * `atomiton triggers pause <trigger>` / `resume <trigger>`. The engine answers each; the active
 * triggers fire from `atomiton serve` (or any conductor that starts them) on the same store.
 */
import { createConductor, type Conductor } from "../desktop.js";
import { expectPositionals, integerOption, parseCommandArgs } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { table, writeJson, writeOut } from "./output.js";

const SUBCOMMANDS = ["list", "activate", "deactivate", "fires", "pause", "resume"];

const when = (ms: number | null | undefined) => (typeof ms === "number" ? new Date(ms).toISOString().replace(/\.000Z$/, "Z") : "-");

async function answer(conductor: Conductor, sub: string, target: string, values: Record<string, unknown>): Promise<unknown> {
  switch (sub) {
    case "activate":
      return conductor.triggers.activate(target);
    case "deactivate":
      return conductor.triggers.deactivate(target);
    case "fires":
      return conductor.triggers.fires(target, { limit: integerOption("triggers", "limit", values.limit as string | undefined, 1) ?? 20 });
    case "pause":
      return conductor.triggers.pause(target);
    case "resume":
      return conductor.triggers.resume(target);
    default:
      return conductor.triggers.list();
  }
}

function shown(sub: string, target: string, value: unknown): string {
  if (sub === "list" || sub === "activate") {
    const triggers = value as Awaited<ReturnType<Conductor["triggers"]["list"]>>;
    if (triggers.length === 0) return "no active triggers";
    return table([
      ["TRIGGER", "TYPE", "NEXT", "PAUSED"],
      ...triggers.map((t) => [t.id, t.type, t.paused ? "-" : when(t.next), t.paused ? "yes" : "no"]),
    ]);
  }
  if (sub === "fires") {
    const fires = value as Awaited<ReturnType<Conductor["triggers"]["fires"]>>;
    if (fires.length === 0) return `no fires of ${target} yet`;
    return table([
      ["SCHEDULED", "STATUS", "RUN"],
      ...fires.map((fire) => [
        when(fire.scheduledAt),
        fire.status,
        fire.skipped
          ? `${fire.skipped.exact ? "" : "at least "}${fire.skipped.count} fire(s) through ${when(fire.skipped.last)}: ${fire.skipped.reason}`
          : (fire.executionId ?? "-"),
      ]),
    ]);
  }
  if (sub === "deactivate") return `${target}: ${(value as { removed: number }).removed} trigger(s) deactivated`;
  return value ? `${target}: ${sub}d` : `${target} is not an active trigger`;
}

export async function triggersCommand(args: string[]): Promise<number> {
  const first = args[0];
  const sub = first !== undefined && !first.startsWith("-") ? first : "list";
  const rest = sub === first ? args.slice(1) : args;
  const { values, positionals } = parseCommandArgs("triggers", rest, {
    storage: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    writeOut(HELP.triggers ?? "");
    return ExitCode.OK;
  }
  if (!SUBCOMMANDS.includes(sub)) {
    throw new UsageError(`unknown triggers subcommand '${sub}' (${SUBCOMMANDS.join(", ")})`, "triggers");
  }
  const [target = ""] = expectPositionals(
    "triggers",
    positionals,
    sub === "list" ? [] : [sub === "activate" || sub === "deactivate" ? "flowId" : "trigger"],
  );
  const conductor = createConductor(typeof values.storage === "string" ? { storage: { directory: values.storage } } : {});
  try {
    // This process only manages: `activate` would start its timer, which a command must not keep.
    const value = await answer(conductor, sub, target, values);
    conductor.triggers.stop();
    if (values.json) writeJson(value);
    else writeOut(shown(sub, target, value));
    return sub === "pause" || sub === "resume" ? (value ? ExitCode.OK : ExitCode.FAILED) : ExitCode.OK;
  } finally {
    await conductor.shutdown();
  }
}
