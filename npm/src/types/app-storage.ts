/**
 * Flow storage the app made itself (`ConductorConfig.storage` as an object): either an object
 * with the conductor's storage methods, or a key-value storage engine (as `@atomiton/storage`'s
 * `createStorage()` returns). `desktop/app-storage.ts` puts either in place of the engine's own.
 */
import type { ListFlowsOptions } from "./storage.js";

/** An object with the conductor's storage methods. */
export type FlowStore = {
  saveFlow(flow: Record<string, unknown>): Promise<unknown>;
  loadFlow(id: string): Promise<unknown>;
  listFlows(options?: ListFlowsOptions): Promise<unknown>;
  deleteFlow(id: string): Promise<unknown>;
};

/** A key-value storage engine. */
export type KeyValueStorage = {
  save(key: string, data: unknown, options?: unknown): Promise<unknown>;
  load(key: string): Promise<unknown>;
  list(prefix?: string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
};

export type AppStorage = FlowStore | KeyValueStorage;
