/** The node result cache's public types (`ConductorConfig.cache`, `conductor.cache`). */

/**
 * `ConductorConfig.cache`: `true` keeps node results in memory with the default bounds (10,000
 * entries, 256 MiB), or give the bounds and a lifetime for entries. Off by default.
 */
export type CacheConfig =
  | boolean
  | {
      /** Entries kept at most (least recently used out first). Default 10,000. */
      maxEntries?: number;
      /** Bytes of outputs kept at most. Default 256 MiB. */
      maxBytes?: number;
      /** How long an entry is served unless a node says otherwise; default: until evicted. */
      ttlMs?: number;
    };

/** What `cache.invalidate` removes: a flow's entries, a node's, or both (neither: all). */
export interface CacheScope {
  /** The flow's root node id. */
  flowId?: string;
  /** The node's path (`group/node`) or its own id. */
  nodeId?: string;
}

/** `cache.stats()`. */
export interface CacheStats {
  enabled: boolean;
  entries?: number;
  bytes?: number;
  hits?: number;
  misses?: number;
  evictions?: number;
}
