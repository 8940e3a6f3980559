/**
 * `atomiton runs` (the recorded runs), `atomiton runs show <id>` (one run, node by node, on a
 * time axis), `atomiton runs counts` (how many in each status), `atomiton runs retry <id>` (run it again, reusing what succeeded) and
 * `atomiton runs resume <id>` (go on with an interrupted durable run, as the same run), `atomiton runs
 * signal <id> <name>` and `atomiton runs approve <id> <node>` (wake a run parked at a wait node, and
 * go on with it here).
 */
import {
  createConductor,
  createQueueConductor,
  type Conductor,
  type ExecutionNodeRecord,
  type ExecutionRecord,
  type RecordedRunStatus,
} from "../desktop.js";
import { expectPositionals, integerOption, listOption, parseCommandArgs, QUEUE_OPTIONS, RUN_OPTIONS } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { HELP } from "./help.js";
import { table, writeJson, writeOut } from "./output.js";
import { runFlow, runSettings } from "./run-flow.js";

const STATUSES: RecordedRunStatus[] = ["running", "success", "failed", "cancelled", "crashed", "interrupted", "waiting"];
/** Characters of the time axis in `runs show`. */
const AXIS = 40;

/** Where the runs are recorded: `--storage` (this machine's history), or `--redis` (a queue's shared one). */
function historyOf(values: Record<string, unknown>): Conductor {
  if (typeof values.redis === "string") {
    return createQueueConductor({
      connection: values.redis,
      queue: typeof values.queue === "string" ? values.queue : undefined,
      prefix: typeof values.prefix === "string" ? values.prefix : undefined,
    });
  }
  return createConductor(typeof values.storage === "string" ? { storage: { directory: values.storage } } : {});
}

/** Milliseconds as a short human duration. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1) return `${ms.toFixed(2)}ms`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

const started = (time: number) =>
  new Date(time)
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");

async function list(conductor: Conductor, values: Record<string, string | boolean | undefined>): Promise<number> {
  const status = values.status;
  if (status !== undefined && !STATUSES.includes(status as RecordedRunStatus)) {
    throw new UsageError(`--status must be one of ${STATUSES.join(", ")} (got '${String(status)}')`, "runs");
  }
  const page = await conductor.executions.list({
    flowId: typeof values.flow === "string" ? values.flow : undefined,
    status: status as RecordedRunStatus | undefined,
    limit: integerOption("runs", "limit", values.limit, 1) ?? 20,
  });
  if (values.json) {
    writeJson(page);
    return ExitCode.OK;
  }
  if (page.total === 0) {
    writeOut("No recorded runs.");
    return ExitCode.OK;
  }
  const rows = page.executions.map((run) => [
    run.id,
    run.flowId,
    run.status,
    started(run.startTime),
    duration(run.duration),
    run.retryOf ?? "",
  ]);
  writeOut(
    `${table([["ID", "FLOW", "STATUS", "STARTED", "DURATION", "RETRY OF"], ...rows])}\n\n${page.executions.length} of ${page.total}. Details: atomiton runs show <id>`,
  );
  return ExitCode.OK;
}

/** A node's bar on the run's time axis: where it started and how long it took. */
export function bar(node: ExecutionNodeRecord, start: number, span: number, width = AXIS): string {
  if (node.startTime === undefined || span <= 0) return "";
  const from = Math.min(width - 1, Math.floor(((node.startTime - start) / span) * width));
  const to = Math.max(from + 1, Math.min(width, Math.ceil((((node.endTime ?? node.startTime) - start) / span) * width)));
  const mark = node.state === "error" ? "x" : node.reused ? "=" : "#";
  return `${" ".repeat(from)}${mark.repeat(to - from)}${" ".repeat(width - to)}|`;
}

function show(record: ExecutionRecord): string {
  const nodes = record.nodes;
  const start = record.startTime;
  const end = Math.max(record.endTime ?? start, ...nodes.map((n) => n.endTime ?? n.startTime ?? start));
  const span = end - start;
  const rows = nodes.map((node) => [
    node.nodeId,
    node.nodeType,
    node.state + (node.reused ? " (reused)" : ""),
    String(node.attempts),
    node.startTime === undefined ? "-" : `+${duration(node.startTime - start)}`,
    duration(node.endTime !== undefined && node.startTime !== undefined ? node.endTime - node.startTime : undefined),
    bar(node, start, span),
  ]);
  const header = [
    `Run ${record.id}: ${record.status}${record.retryOf ? ` (retry of ${record.retryOf})` : ""}`,
    `Flow ${record.flowId} (${record.flowHash}), started ${started(start)}, took ${duration(record.duration)}`,
    ...(record.error ? [`Error: ${record.error.code}: ${record.error.message}`] : []),
    ...(record.status === "interrupted"
      ? [`Interrupted when its process ended: atomiton runs resume ${record.id} goes on with it (see --help for --rerun and --skip)`]
      : []),
    ...(record.status === "waiting" ? [wakeHint(record)] : []),
  ];
  const legend = `Time axis: 0 to ${duration(span)}; # ran, = reused, x failed.`;
  const failed = nodes.filter((n) => n.error).map((n) => `  ${n.nodeId}: ${n.error?.code}: ${n.error?.message}`);
  return [
    ...header,
    "",
    table([["NODE", "TYPE", "STATE", "ATTEMPTS", "START", "TOOK", "TIMELINE"], ...rows]),
    "",
    legend,
    ...(failed.length > 0 ? ["", "Node errors:", ...failed] : []),
  ].join("\n");
}

export async function runsCommand(args: string[]): Promise<number> {
  const sub = args[0];
  if (sub === "retry") {
    const { values, positionals } = parseCommandArgs("runs", args.slice(1), { ...RUN_OPTIONS, from: { type: "string" } });
    if (values.help) return help();
    const [id = ""] = expectPositionals("runs", positionals, ["id"]);
    const settings = runSettings("runs", values);
    const record = await historyOf(values).executions.get(id);
    const from = typeof values.from === "string" ? values.from : "failed";
    return runFlow(record.flow, `retry of ${id}`, settings, {
      input: record.input as Record<string, unknown>,
      variables: record.variables,
      retry: { of: id, from },
    });
  }
  if (sub === "resume") {
    const { values, positionals } = parseCommandArgs("runs", args.slice(1), {
      ...RUN_OPTIONS,
      rerun: { type: "string", multiple: true },
      skip: { type: "string", multiple: true },
    });
    if (values.help) return help();
    const [id = ""] = expectPositionals("runs", positionals, ["id"]);
    const settings = runSettings("runs", values);
    const record = await historyOf(values).executions.get(id);
    const rerun = listOption(values.rerun);
    const skip = Object.fromEntries(listOption(values.skip).map(skipped));
    return runFlow(record.flow, `resume of ${id}`, settings, { executionId: id, resume: { rerun, skip } });
  }
  if (sub === "signal" || sub === "approve") {
    const { values, positionals } = parseCommandArgs("runs", args.slice(1), {
      ...RUN_OPTIONS,
      ...(sub === "signal"
        ? { payload: { type: "string" } }
        : { reject: { type: "boolean" }, by: { type: "string" }, comment: { type: "string" } }),
    });
    if (values.help) return help();
    const [id = "", what = ""] = expectPositionals("runs", positionals, ["id", sub === "signal" ? "name" : "node"]);
    const settings = runSettings("runs", values);
    const history = historyOf(values).executions;
    // Woken here, then resumed as `runs resume` does: with its progress shown and its result.
    if (sub === "signal") await history.signal(id, what, payloadOf(values.payload), { resume: false });
    else {
      const decision = { approved: values.reject !== true, by: stringOf(values.by), comment: stringOf(values.comment) };
      await history.approve(id, what, decision, { resume: false });
    }
    const record = await history.get(id);
    return runFlow(
      record.flow,
      `${sub === "signal" ? `signal '${what}' to` : values.reject ? "rejection of" : "approval of"} ${id}`,
      settings,
      {
        executionId: id,
        resume: {},
      },
    );
  }
  if (sub === "counts") {
    const { values, positionals } = parseCommandArgs("runs", args.slice(1), {
      flow: { type: "string" },
      json: { type: "boolean" },
      storage: { type: "string" },
      ...QUEUE_OPTIONS,
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return help();
    expectPositionals("runs", positionals, []);
    const counts = await historyOf(values).executions.counts({ flowId: typeof values.flow === "string" ? values.flow : undefined });
    if (values.json) writeJson(counts);
    else
      writeOut(table([["STATUS", "RUNS"], ...STATUSES.map((status) => [status, String(counts[status])]), ["total", String(counts.total)]]));
    return ExitCode.OK;
  }
  if (sub === "show") {
    const { values, positionals } = parseCommandArgs("runs", args.slice(1), {
      json: { type: "boolean" },
      storage: { type: "string" },
      ...QUEUE_OPTIONS,
      help: { type: "boolean", short: "h" },
    });
    if (values.help) return help();
    const [id = ""] = expectPositionals("runs", positionals, ["id"]);
    const record = await historyOf(values).executions.get(id);
    if (values.json) writeJson(record);
    else writeOut(show(record));
    return ExitCode.OK;
  }
  const { values, positionals } = parseCommandArgs("runs", args, {
    flow: { type: "string" },
    status: { type: "string" },
    limit: { type: "string" },
    storage: { type: "string" },
    ...QUEUE_OPTIONS,
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) return help();
  if (positionals.length > 0) {
    throw new UsageError(
      `unknown runs subcommand '${positionals[0]}' (show <id>, counts, retry <id>, resume <id>, signal <id> <name> or approve <id> <node>)`,
      "runs",
    );
  }
  return list(historyOf(values), values);
}

const stringOf = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** How to wake a parked run, from what it waits for. */
function wakeHint(record: ExecutionRecord): string {
  const waiting = record.error?.context as { nodeId?: string; kind?: string; signal?: string; wakeAt?: number } | undefined;
  const at = waiting?.wakeAt === undefined ? "" : ` (its time comes at ${started(waiting.wakeAt)})`;
  if (waiting?.kind === "signal") return `Waiting for a signal${at}: atomiton runs signal ${record.id} ${waiting.signal} --payload <json>`;
  if (waiting?.kind === "approval")
    return `Waiting for an approval${at}: atomiton runs approve ${record.id} ${waiting.nodeId} [--reject] [--by <name>]`;
  return `Waiting for its time${at}: a conductor with durability on this storage wakes it then`;
}

/** `--payload <json>`: a signal's payload (none: `null`). */
function payloadOf(text: unknown): unknown {
  if (typeof text !== "string") return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--payload must be JSON (got '${text}')`, "runs");
  }
}

/** `--skip <node>=<json>`: the node and the output given for it. */
function skipped(given: string): [string, unknown] {
  const at = given.indexOf("=");
  if (at <= 0) throw new UsageError(`--skip takes <node>=<json> (got '${given}')`, "runs");
  try {
    return [given.slice(0, at), JSON.parse(given.slice(at + 1))];
  } catch (error) {
    throw new UsageError(`--skip ${given.slice(0, at)}: the output is not JSON (${(error as Error).message})`, "runs");
  }
}

function help(): number {
  writeOut(HELP.runs ?? "");
  return ExitCode.OK;
}
