/**
 * Values JS keeps while the engine passes handles to them: a JS executor's output, a run's input
 * and variables. Values flowing between JS nodes therefore never cross into the engine — the
 * next executor gets the very same object — and cross only when a built-in node reads them (the
 * engine then asks for them written out, see `materialize` in the session engine).
 *
 * Handles belong to a run and are released when it ends: the engine holds them no longer than
 * the run's own state.
 */
import { HandleRef, TAG } from "../../values/codec.js";

export class KeptValues {
  private readonly values = new Map<number, unknown>();
  private readonly byRun = new Map<string, number[]>();
  private nextId = 1;

  /** A handle standing for `value`, released when run `run` ends. */
  keep(run: string, value: unknown): HandleRef {
    const id = this.nextId++;
    this.values.set(id, value);
    const ids = this.byRun.get(run);
    if (ids) ids.push(id);
    else this.byRun.set(run, [id]);
    return new HandleRef(id);
  }

  /** The value a handle stands for; a handle of a finished run is a bug worth a clear error. */
  readonly resolve = (id: number): unknown => {
    if (!this.values.has(id)) throw new Error(`The engine referred to value ${id}, which is no longer kept`);
    return this.values.get(id);
  };

  /** Forgets the values of run `run`. */
  release(run: string): void {
    const ids = this.byRun.get(run);
    if (!ids) return;
    this.byRun.delete(run);
    for (const id of ids) this.values.delete(id);
  }

  /** Forgets everything (the engine under the session stopped). */
  clear(): void {
    this.values.clear();
    this.byRun.clear();
  }

  /** How many values are kept (for tests: nothing outlives its run). */
  get size(): number {
    return this.values.size;
  }
}

/**
 * What the engine is given for a value JS hands it: small JSON scalars as they are (the engine
 * reads them cheaply), everything else as a handle.
 */
export function handOver(kept: KeptValues, run: string, value: unknown): unknown {
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) && !(value === 0 && 1 / value < 0) ? value : kept.keep(run, value);
    case "string":
      return value.length <= 256 && (value as { isWellFormed?: () => boolean }).isWellFormed?.() !== false ? value : kept.keep(run, value);
    case "object":
      return value === null ? null : kept.keep(run, value);
    default:
      return kept.keep(run, value);
  }
}

/**
 * A run's input as the engine takes it: a plain object keeps its keys (each key is an input of
 * the flow's first nodes), with each value handed over; anything else is handed over whole.
 */
export function handOverInput(kept: KeptValues, run: string, input: unknown): unknown {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return handOver(kept, run, input);
  const proto: unknown = Object.getPrototypeOf(input);
  if (proto !== Object.prototype && proto !== null) return handOver(kept, run, input);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(input)) out[key] = handOver(kept, run, (input as Record<string, unknown>)[key]);
  // An input whose first key is the tag would read as one: keep it whole instead.
  return Object.keys(out)[0] === TAG ? handOver(kept, run, input) : out;
}
