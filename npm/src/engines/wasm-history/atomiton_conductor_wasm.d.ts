/**
 * Types of the glue of the module with execution history (`scripts/build-wasm.sh history`),
 * which scripts/build-npm.sh copies next to this file in dist/: the same functions as the base
 * module's, whose types are kept in ../wasm/.
 */
export * from "../wasm/atomiton_conductor_wasm.js";
export { default } from "../wasm/atomiton_conductor_wasm.js";
