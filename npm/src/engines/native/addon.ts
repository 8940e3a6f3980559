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

export type NativeConductorHandle = {
  setEventNotifier(notify: () => void): void;
  takeEvents(): string;
  setCallNotifier(notify: () => void): void;
  takeCalls(): string;
  resolveCall(id: number, outcomeJson: string): void;
  run(flowJson: string, optionsJson: string): Promise<string>;
  cancel(executionId: string): boolean;
  running(): string[];
  validate(flowJson: string, customTypesJson: string): string;
  saveFlow(flowJson: string): Promise<string>;
  loadFlow(id: string): Promise<string>;
  listFlows(optionsJson: string): Promise<string>;
  deleteFlow(id: string): Promise<string>;
};

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
