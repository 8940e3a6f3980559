/** Loading the platform's native addon (`native/atomiton-conductor.<platform>-<arch>[-libc].node`). */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

/** The addon's exports (see `bindings-node/src`). Everything complex crosses as JSON text. */
export type NativeAddon = {
  NativeConductor: new (configJson: string) => NativeConductorHandle;
  nodeDefinitions(): string;
  nodeDefinition(type: string): string;
  nodeDefinitionsByCategory(): string;
  listTemplates(): string;
  getTemplate(id: string): string;
  parseFlow(text: string, optionsJson: string): string;
  flowToYaml(flowJson: string): string;
  recoveryTable(): string;
  engineVersion(): string;
};

/**
 * One conductor's engine. Runs are driven on the JS thread: `run`, `drive` and `resolveCall`
 * return status bits saying what is waiting (see `STATUS_*`); the notifier is called, from any
 * thread, when something became ready elsewhere, and JS answers with `drive()`.
 */
export type NativeConductorHandle = {
  setNotifier(notify: () => void): void;
  run(runId: number, flowJson: string, optionsJson: string): number;
  drive(): number;
  resolveCalls(answersJson: string): number;
  takeCompleted(): Array<{ runId: number; result: string; trace?: string | null }>;
  takeEvents(): string;
  takeCalls(): string;
  cancel(executionId: string): boolean;
  running(): string[];
  validate(flowJson: string, customTypesJson: string): string;
  saveFlow(flowJson: string): Promise<string>;
  loadFlow(id: string): Promise<string>;
  listFlows(optionsJson: string): Promise<string>;
  deleteFlow(id: string): Promise<string>;
};

/** Finished runs are waiting in `takeCompleted`. */
export const STATUS_COMPLETED = 1;
/** Executor calls or aborts are waiting in `takeCalls`. */
export const STATUS_CALLS = 2;
/** Events are waiting in `takeEvents`. */
export const STATUS_EVENTS = 4;

function platformSuffix(): string {
  if (process.platform !== "linux") return `${process.platform}-${process.arch}`;
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return `linux-${process.arch}-${report?.header?.glibcVersionRuntime ? "gnu" : "musl"}`;
}

let loaded: NativeAddon | undefined;

/** The addon, loaded once. Throws a clear error when no build exists for this platform. */
export function loadAddon(): NativeAddon {
  if (loaded) return loaded;
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, "..", "..", "..", "native", `atomiton-conductor.${platformSuffix()}.node`);
  if (!existsSync(file)) {
    throw new Error(`@atomiton/conductor: no native build for ${platformSuffix()} (expected ${file}); run scripts/build-native.sh`);
  }
  loaded = createRequire(import.meta.url)(file) as NativeAddon;
  return loaded;
}
