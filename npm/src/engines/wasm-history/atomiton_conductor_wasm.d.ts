/**
 * Types of the glue of the module with execution history (`scripts/build-wasm.sh history`),
 * which scripts/build-npm.sh copies next to this file in dist/: the same functions as the base
 * module's, whose types are kept in ../wasm/, and a constructor that also takes where the node
 * result cache, the active triggers and their fire records are kept (the base module has neither
 * cache nor triggers). The Node fallback's module is the same.
 */
import { WasmConductor as BaseConductor } from "../wasm/atomiton_conductor_wasm.js";

export * from "../wasm/atomiton_conductor_wasm.js";
export { default } from "../wasm/atomiton_conductor_wasm.js";

export declare class WasmConductor extends BaseConductor {
  constructor(
    configJson: string,
    host: unknown,
    storage: unknown,
    historyStorage?: unknown,
    cacheStorage?: unknown,
    triggerStorage?: unknown,
    fireStorage?: unknown,
  );
}
