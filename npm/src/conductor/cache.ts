/**
 * `conductor.cache`: the node result cache of where runs go (this process's engine, or the
 * server runs go to). The engine keeps and answers everything; this file only shapes calls.
 */
import type { CacheScope, CacheStats } from "../types/cache.js";
import type { EngineAdapter } from "./engine.js";
import type { Outcome } from "../types/wire.js";
import { unwrap } from "./hydrate.js";

/** The outcome of a `cache.*` call on an engine built without a cache: nothing to remove, off. */
export function cacheUnavailable<T>(call: string): Outcome<T> {
  const value = call === "stats" ? { enabled: false } : { removed: 0 };
  return { ok: true, value: value as T };
}

const fields = <T extends object>(given: T | undefined | null): Partial<T> => (typeof given === "object" && given !== null ? given : {});

export function createCacheApi(engine: EngineAdapter) {
  return {
    /** Removes every entry: `{removed}`. */
    async clear(): Promise<{ removed: number }> {
      return unwrap(await engine.cache("clear", "")) as { removed: number };
    },
    /**
     * Removes the entries of a flow (`flowId`: its root node's id), of a node (`nodeId`: its
     * path, e.g. `group/node`, or its own id), or both: `{removed}`.
     */
    async invalidate(scope: CacheScope = {}): Promise<{ removed: number }> {
      const { flowId, nodeId } = fields(scope);
      return unwrap(await engine.cache("invalidate", JSON.stringify({ flowId, nodeId }))) as { removed: number };
    },
    /** Entries, bytes, hits, misses and evictions so far; `{enabled: false}` when the cache is off. */
    async stats(): Promise<CacheStats> {
      return unwrap(await engine.cache("stats", "")) as CacheStats;
    },
  };
}
