/**
 * Lazy traces: a finished run's trace stays in the engine until its result's `trace` is first
 * read. Writing and parsing a trace costs more than running a small flow, and most callers never
 * look at it.
 */
import type { WireResult } from "../../types/wire.js";
import type { SessionHandle } from "./handle.js";
import { decoded } from "../../conductor/decoded.js";

/**
 * Gives `result` a `trace` property fetched from the engine when first read (then a plain data
 * property). The engine keeps the trace until it is read, or until the result is
 * garbage-collected unread (`forget`). Enumerable, so `JSON.stringify` and structured clone
 * still carry it.
 */
function defineLazyTrace(result: WireResult, fetch: () => unknown, forget: FinalizationRegistry<number> | undefined, id: number): void {
  const settle = (value: unknown) =>
    Object.defineProperty(result, "trace", { value, writable: true, enumerable: true, configurable: true });
  // Never unregistered: once the trace is read the engine has handed it over, and dropping it
  // again is a no-op (ids are not reused), and an unregister token would cost every run.
  forget?.register(result, id);
  Object.defineProperty(result, "trace", {
    get() {
      const value = fetch();
      settle(value);
      return value;
    },
    set(value: unknown) {
      settle(value);
    },
    enumerable: true,
    configurable: true,
  });
}

/** The traces a session's finished runs left in the engine, read when their results ask. */
export class LazyTraces {
  /** Drops the engine's copy of a trace whose result was collected unread. */
  private readonly unread: FinalizationRegistry<number> | undefined;

  /** @param stopped whether the session has stopped: its traces are gone, and nothing may reach it. */
  constructor(
    private readonly handle: SessionHandle,
    private readonly stopped: () => boolean,
  ) {
    this.unread =
      typeof FinalizationRegistry === "function"
        ? new FinalizationRegistry<number>((id) => {
            if (!this.stopped()) this.handle.dropTrace(id);
          })
        : undefined;
  }

  /** Gives `result` the trace the engine keeps under `id`, read when first asked for. */
  attach(result: WireResult, id: number): void {
    defineLazyTrace(result, () => this.read(id), this.unread, id);
  }

  /** A trace from the engine; `null` when it is gone (its engine stopped). */
  private read(id: number): unknown {
    if (this.stopped()) return null;
    const text = this.handle.takeTrace(id);
    return typeof text === "string" ? decoded(text) : null;
  }
}
