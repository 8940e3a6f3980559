/**
 * The shape of an option declaration as data (written by core/src/typescript/options.rs into
 * `types/options.generated.ts` from the Rust declarations in core/src/options/).
 */

/** One option's type. */
export type OptionKind =
  | { k: "boolean" }
  | { k: "number"; min?: number; minExclusive?: true; max?: number; integer?: true; unit?: string }
  | { k: "text"; nonEmpty?: true }
  | { k: "oneOf"; of: readonly { value: string; entries?: number }[] }
  | { k: "list"; of: OptionKind }
  | { k: "record"; of: OptionKind }
  | { k: "object"; shape: () => OptionShape }
  | { k: "either"; of: readonly OptionKind[] }
  /** A JS value: a function, an object with these methods (none: any object), or anything. */
  | { k: "js"; ts: string; check: "function" | "any" | readonly string[] }
  | { k: "any" };

/** One named option. `entries`: the entries that accept it (all when absent); `elsewhere`: why the others refuse it. */
export type OptionField = { kind: OptionKind; required?: true; entries?: number; elsewhere?: string };

/** An object's options. */
export type OptionShape = { name: string; fields: Readonly<Record<string, OptionField>> };
