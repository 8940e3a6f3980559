/**
 * Types of the wasm-bindgen glue (`wasm-bindgen --target web`) that scripts/build-npm.sh copies
 * next to this file in dist/. Kept here so the TypeScript builds before the wasm does; the
 * functions are those of bindings-wasm/src, and npm/test/wasm-glue-types.test.mjs checks these
 * declarations against the ones wasm-bindgen generates (same methods, same arities).
 */
import type { CatalogFunctions, SessionHandle } from "../session/handle.js";

export type WasmInitInput = { module_or_path: BufferSource | WebAssembly.Module | URL | string | Response | Promise<Response> };

export default function init(input?: WasmInitInput): Promise<unknown>;

/** bindings-wasm/src/conductor.rs: a session handle, except that `run` takes the flow as UTF-8 bytes. */
export interface WasmConductor extends Omit<SessionHandle, "run"> {}
export declare class WasmConductor {
  constructor(configJson: string, host: unknown, storage: unknown, historyStorage?: unknown);
  run(runId: number, flowJson: Uint8Array, optionsJson: string, buffers: Uint8Array[]): number;
  free(): void;
}

export declare const nodeDefinitions: CatalogFunctions["nodeDefinitions"];
export declare const nodeDefinition: CatalogFunctions["nodeDefinition"];
export declare const nodeDefinitionsByCategory: CatalogFunctions["nodeDefinitionsByCategory"];
export declare const listTemplates: CatalogFunctions["listTemplates"];
export declare const getTemplate: CatalogFunctions["getTemplate"];
export declare const parseFlow: CatalogFunctions["parseFlow"];
export declare const flowToYaml: CatalogFunctions["flowToYaml"];
export declare const recoveryTable: CatalogFunctions["recoveryTable"];
export declare const engineVersion: CatalogFunctions["engineVersion"];
export declare const readsTables: CatalogFunctions["readsTables"];
export declare const retryDelay: CatalogFunctions["retryDelay"];
export declare const executionId: CatalogFunctions["executionId"];
