/**
 * The glue of the two browser modules, imported statically: a bundler then takes both into the
 * bundle it is building (each with its `.wasm` as an asset where it handles
 * `new URL("x.wasm", import.meta.url)`) without splitting the bundle into chunks, which Rollup's
 * single-file output and Vite's default worker format (iife) refuse. Importing a glue costs a few
 * KB of script (gzipped); only the module a conductor asks for is instantiated, so only its
 * `.wasm` is fetched.
 */
import * as base from "./atomiton_conductor_wasm.js";
import * as history from "../wasm-history/atomiton_conductor_wasm.js";

/** Either module's glue: the base module's constructor ignores what only the other takes. */
export type WasmGlue = typeof history;

/**
 * Which module: `"base"` (the default, within the page's size budget) or `"history"`, the editor
 * module (the same engine with execution history, durable runs, the result cache and plugins,
 * larger and without a size budget; sizes in docs/PERFORMANCE.md, "Module sizes"), loaded only
 * by conductors that ask for one of them. Each is its own instance, shared by the conductors
 * that use it.
 */
export type WasmVariant = "base" | "history";

export const glues: Record<WasmVariant, WasmGlue> = { base, history };
