/** The node result cache's public types (`ConductorConfig.cache`, `conductor.cache`). */
import type { CacheSettings } from "./options.generated.js";

export type { CacheSettings } from "./options.generated.js";

/**
 * `ConductorConfig.cache`: `true` keeps node results with the default bounds (10,000 entries,
 * 256 MiB), or give the bounds, a lifetime for entries and where they live. Off by default.
 * Entries are kept beside the conductor's run history when that outlives the process (the SQLite
 * history database natively, Redis in queue mode, IndexedDB in a browser with `history`, files
 * for the WebAssembly engine in Node), so they outlive it too; else, or with `store: "memory"`,
 * in memory only.
 */
export type CacheConfig = boolean | CacheSettings;

/** What `cache.invalidate` removes: a flow's entries, a node's, or both (neither: all). */
export interface CacheScope {
  /** The flow's root node id. */
  flowId?: string;
  /** The node's path (`group/node`) or its own id. */
  nodeId?: string;
}

/** `cache.stats()` (generated from the Rust type that writes it). */
export type { CacheStats } from "./answers.generated.js";
