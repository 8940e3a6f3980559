/**
 * `conductor.cache`: the node result cache of where runs go (this process's engine, or the
 * server runs go to). The engine keeps and answers everything; this file only shapes calls.
 */
import type { CacheScope, CacheStats } from "../types/cache.js";
import type { CacheRemoved } from "../types/answers.generated.js";
import type { EngineAdapter } from "./engine.js";
import { unwrap } from "./hydrate.js";

const fields = <T extends object>(given: T | undefined | null): Partial<T> => (typeof given === "object" && given !== null ? given : {});

export function createCacheApi(engine: EngineAdapter) {
  return {
    /** Removes every entry: `{removed}`. */
    async clear(): Promise<CacheRemoved> {
      return unwrap(await engine.cache("clear", ""));
    },
    /**
     * Removes the entries of a flow (`flowId`: its root node's id), of a node (`nodeId`: its
     * path, e.g. `group/node`, or its own id), or both: `{removed}`.
     */
    async invalidate(scope: CacheScope = {}): Promise<CacheRemoved> {
      const { flowId, nodeId } = fields(scope);
      return unwrap(await engine.cache("invalidate", JSON.stringify({ flowId, nodeId })));
    },
    /** Entries, bytes, hits, misses and evictions so far; `{enabled: false}` when the cache is off. */
    async stats(): Promise<CacheStats> {
      return unwrap(await engine.cache("stats", ""));
    },
  };
}
