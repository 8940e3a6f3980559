/**
 * The checks each entry of the package runs on what it is given, before anything reads it: the
 * conductor config of every `create*Conductor`, a run's options, a protocol server's options.
 */
import { ConductorError, type ExecutionError } from "../types/errors.js";
import {
  BrowserConductorConfig_SHAPE,
  ContextOverrides_SHAPE,
  DesktopConductorConfig_SHAPE,
  ExecutionRequest_SHAPE,
  MainProcessHandlerOptions_SHAPE,
  ProtocolServerOptions_SHAPE,
  QueueConductorOptions_SHAPE,
  QueueWorkerOptions_SHAPE,
  RemoteConductorOptions_SHAPE,
  ServeConfigFile_SHAPE,
} from "../types/options.generated.js";
import { optionIssues, optionsError, type OptionsEntry } from "./check.js";
import type { OptionShape } from "../types/option-declaration.js";

export { optionIssues, type OptionIssue, type OptionsEntry } from "./check.js";

const CONFIG_SHAPES: Readonly<Record<OptionsEntry, OptionShape>> = {
  node: DesktopConductorConfig_SHAPE,
  browser: BrowserConductorConfig_SHAPE,
  remote: RemoteConductorOptions_SHAPE,
  queue: QueueConductorOptions_SHAPE,
  main: MainProcessHandlerOptions_SHAPE,
};

function refuse(value: unknown, shape: OptionShape, entry: OptionsEntry, what: string, others: readonly OptionShape[] = []): void {
  const issues = optionIssues(value, shape, entry, others);
  if (issues.length > 0) throw new ConductorError(optionsError(issues, what));
}

/** Throws a `ConductorError` (`VALIDATION_FAILED`) naming the first problem of `config` for `entry`. */
export function checkConductorConfig(config: unknown, entry: OptionsEntry): void {
  const shape = CONFIG_SHAPES[entry];
  refuse(
    config,
    shape,
    entry,
    "conductor config",
    Object.values(CONFIG_SHAPES).filter((other) => other !== shape),
  );
}

/** The error a run with these options ends with, or `undefined` when they are fine. */
export function runOptionsError(overrides: unknown): ExecutionError | undefined {
  const issues = optionIssues(overrides, ContextOverrides_SHAPE, "node");
  return issues.length > 0 ? optionsError(issues, "run options") : undefined;
}

/**
 * The error an `execute(request)` with this request ends with, or `undefined` when it is fine.
 * `config.parallel: false` asks for what a request cannot change (the conductor's `concurrency`).
 */
export function requestError(request: unknown): ExecutionError | undefined {
  const issues = optionIssues(request, ExecutionRequest_SHAPE, "node");
  const config = (request as { config?: { parallel?: unknown } } | null)?.config;
  if (config?.parallel === false)
    issues.push({
      path: "config.parallel",
      message:
        "'config.parallel' cannot be false: a request cannot make its flow run one node at a time (create the conductor with concurrency: 1)",
    });
  return issues.length > 0 ? optionsError(issues, "execute request") : undefined;
}

/** Throws a `ConductorError` (`VALIDATION_FAILED`) naming the first problem of a protocol server's options. */
export function checkServerOptions(options: unknown): void {
  refuse(options, ProtocolServerOptions_SHAPE, "node", "protocol server options");
}

/** Throws a `ConductorError` (`VALIDATION_FAILED`) naming the first problem of `atomiton serve`'s config file. */
export function checkServeFile(config: unknown, file: string): void {
  refuse(config, ServeConfigFile_SHAPE, "node", `config file ${file}`);
}

/** Throws a `ConductorError` (`VALIDATION_FAILED`) naming the first problem of a queue worker's options. */
export function checkQueueWorkerOptions(options: unknown): void {
  refuse(options, QueueWorkerOptions_SHAPE, "queue", "queue worker options");
}
