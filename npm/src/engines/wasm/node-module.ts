/**
 * The Node fallback's wasm module: `dist/engines/wasm-node/`, built with the `node` feature
 * (files, processes, images, workbooks) and bound with `wasm-bindgen --target nodejs`. That glue
 * is CommonJS and instantiates while it is required, so a conductor on it is usable at once,
 * synchronously, like a native one. The conductors of a process share one instance; a Rust
 * panic traps it, and then every conductor on it is told and the next one loads a fresh copy.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import nodeRequire from "../../runtime/node-require.cjs";
import type * as Glue from "../wasm-history/atomiton_conductor_wasm.js";

/** The glue's exports (the same as the editor module's, without its async `init`). */
export type NodeWasmGlue = Omit<typeof Glue, "default">;

/** The instance the conductors of this process share. */
export type NodeWasmInstance = {
  glue: NodeWasmGlue;
  /** `listener` runs once if any session on this instance traps; the returned function forgets it. */
  onTrap(listener: (error: unknown) => void): () => void;
  /** A session on this instance trapped: tells every session, and the next load starts a fresh instance. */
  trapped(error: unknown): void;
};

/** Where the glue sits in the package (both builds of the package load the same file). */
export function nodeWasmGluePath(): string {
  return join(nodeRequire.packageRoot(), "dist", "engines", "wasm-node", "atomiton_conductor_wasm.cjs");
}

let current: NodeWasmInstance | undefined;
let loads = 0;

/** The live shared instance, loaded (again, after a trap) when needed. Throws when the package lacks the module. */
export function nodeWasmInstance(): NodeWasmInstance {
  if (current) return current;
  const file = nodeWasmGluePath();
  if (!existsSync(file)) throw new Error(`@atomiton/conductor: the WebAssembly engine for Node is missing from this package (${file})`);
  const glue = (loads++ === 0 ? nodeRequire.requireFile(file) : nodeRequire.requireFresh(file)) as NodeWasmGlue;
  const listeners = new Set<(error: unknown) => void>();
  let dead = false;
  const instance: NodeWasmInstance = {
    glue,
    onTrap(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    trapped(error) {
      if (dead) return;
      dead = true;
      if (current === instance) current = undefined;
      for (const listener of [...listeners]) listener(error);
      listeners.clear();
    },
  };
  return (current = instance);
}
