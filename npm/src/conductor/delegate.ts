/** An engine made of another engine: some methods replaced, the rest forwarded. */
import type { EngineAdapter } from "./engine.js";

/**
 * An `EngineAdapter` whose `overrides` answer first; every other member is read from `target()`
 * at the moment it is used (so the target may change between calls), methods bound to it.
 */
export function delegatingEngine(target: () => EngineAdapter, overrides: Partial<EngineAdapter>): EngineAdapter {
  return new Proxy({} as EngineAdapter, {
    get(_, property) {
      if (Object.hasOwn(overrides, property)) return overrides[property as keyof EngineAdapter];
      const engine = target();
      const value: unknown = Reflect.get(engine, property, engine);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(engine) : value;
    },
    has(_, property) {
      return Object.hasOwn(overrides, property) || property in target();
    },
  });
}
