/**
 * Running one flow on the native engine with a progress display, Ctrl-C cancellation, the result
 * as JSON on stdout and the exit code. Shared by `run` and `templates run`.
 */
import type { WireRunOptions } from "../types/wire.generated.js";
import { statSync } from "node:fs";
import { resolve } from "node:path";
import {
  createConductor,
  createQueueConductor,
  ErrorCode,
  type ContextOverrides,
  type ExecutionResult,
  type NodeDefinition,
} from "../desktop.js";
import { integerOption, type ParsedArgs } from "./args.js";
import { ExitCode, UsageError } from "./exit-codes.js";
import { parseInput } from "./flow-file.js";
import { writeJson } from "./output.js";
import { createRenderer } from "./progress/select.js";

/** The CLI's settings of a run: its run options (the engine's types) and how the CLI shows it. */
export type RunSettings = {
  input: WireRunOptions["input"];
  slowMo: WireRunOptions["slowMo"];
  timeout: WireRunOptions["timeout"];
  concurrency: number | undefined;
  workingDirectory: string;
  quiet: boolean;
  json: boolean;
  trace: boolean;
  /** Where flows and run history are kept (default: the conductor's, ~/.atomiton/flows). */
  storage?: string;
  /** Run on the workers of a queue in this Redis (`--redis`), on queue `queue`. */
  redis?: string;
  queue?: string;
  prefix?: string;
  /** `--suspend`: the run is durable, and Ctrl-C or SIGTERM stops it to be resumed (`runs resume`). */
  suspend?: boolean;
};

/** The run options of `command`, checked (bad values are usage errors). */
export function runSettings(command: string, values: ParsedArgs["values"]): RunSettings {
  const workingDirectory = resolve(typeof values.cwd === "string" ? values.cwd : process.cwd());
  let isDirectory = false;
  try {
    isDirectory = statSync(workingDirectory).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory) throw new UsageError(`--cwd ${String(values.cwd)} is not a directory`, command);
  return {
    input: parseInput(values.input, command),
    slowMo: integerOption(command, "slow-mo", values["slow-mo"], 0),
    timeout: integerOption(command, "timeout", values.timeout, 1),
    concurrency: integerOption(command, "concurrency", values.concurrency, 1),
    workingDirectory,
    quiet: values.quiet === true,
    json: values.json === true,
    trace: values.trace === true,
    storage: typeof values.storage === "string" ? resolve(values.storage) : undefined,
    redis: typeof values.redis === "string" ? values.redis : undefined,
    queue: typeof values.queue === "string" ? values.queue : undefined,
    prefix: typeof values.prefix === "string" ? values.prefix : undefined,
    suspend: values.suspend === true,
  };
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: ExitCode.INTERRUPTED, SIGTERM: ExitCode.TERMINATED };

/** Runs `definition` (with `extra` run options: a retry's); resolves to the exit code once the result is printed. */
export async function runFlow(
  definition: NodeDefinition,
  title: string,
  settings: RunSettings,
  extra: ContextOverrides = {},
): Promise<number> {
  // On a queue the workers' settings apply (their --cwd, their history); the run's own stay.
  const conductor = settings.redis
    ? createQueueConductor({ connection: settings.redis, queue: settings.queue, prefix: settings.prefix })
    : createConductor({
        workingDirectory: settings.workingDirectory,
        concurrency: settings.concurrency,
        trace: settings.trace,
        ...(settings.storage ? { storage: { directory: settings.storage } } : {}),
        ...(settings.suspend ? { durability: {} } : {}),
      });
  const renderer = createRenderer({ quiet: settings.quiet, json: settings.json, title });
  const controller = new AbortController();
  let stoppedBy: string | undefined;

  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy === undefined) {
      stoppedBy = signal;
      renderer.cancelling();
      // --suspend: stopped to be resumed (recorded interrupted), not cancelled.
      if (settings.suspend) void conductor.shutdown({ suspend: true });
      else controller.abort();
      return;
    }
    // A second Ctrl-C: stop waiting for the cancellation.
    renderer.dispose();
    process.stderr.write("atomiton: interrupted again, exiting without waiting\n");
    process.exit(SIGNAL_EXIT[signal] ?? ExitCode.INTERRUPTED);
  };
  const restore = () => renderer.dispose();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("exit", restore);
  const unsubscribe = conductor.node.onProgress((event) => renderer.update(event));

  let result: ExecutionResult;
  try {
    renderer.start();
    result = await conductor.node.run(definition, {
      ...extra,
      input: (settings.input ?? extra.input) as Record<string, unknown> | undefined,
      slowMo: settings.slowMo,
      timeout: settings.timeout,
      signal: controller.signal,
    });
    renderer.finish(result);
    // The run's record is written in the background: stored before the process exits.
    await conductor.shutdown();
  } finally {
    unsubscribe();
    renderer.dispose();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("exit", restore);
  }

  writeJson(result);
  if (stoppedBy !== undefined && result.error?.code === ErrorCode.CANCELLED) {
    return SIGNAL_EXIT[stoppedBy] ?? ExitCode.INTERRUPTED;
  }
  return result.success ? ExitCode.OK : ExitCode.FAILED;
}
