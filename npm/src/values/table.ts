/**
 * Tables of records (`table-layout.ts`) with the codec's own text for their text columns: what
 * a caller outside the codec reads and writes tables with.
 */
import { codecText } from "./codec.js";
import type { DecodeOptions, EncodeOptions } from "./options.js";
import * as layout from "./table-layout.js";

export { ROWS_PER_TABLE } from "./table-layout.js";

/** The records of a `"rows"` tag: its tables (by their buffers' indices), read in order and joined. */
export function readTables(indices: readonly number[], options: DecodeOptions): unknown[] {
  return layout.readTables(indices, options, codecText);
}

/** The records a table holds. Throws on a malformed table. */
export function decodeTable(bytes: Uint8Array, options: DecodeOptions): unknown[] {
  return layout.decodeTable(bytes, options, codecText);
}

/** `rows` as tables, or undefined when they are not records of one shape (see `table-layout.ts`). */
export function encodeTables(
  rows: readonly unknown[],
  options: EncodeOptions,
  afterEachTable: () => Promise<void>,
): Promise<Uint8Array[] | undefined> {
  return layout.encodeTables(rows, options, afterEachTable, codecText);
}

/** One table of `rows[start..end)`, or undefined (see `encodeTables`). */
export function encodeTable(rows: readonly unknown[], start: number, end: number, options: EncodeOptions): Uint8Array | undefined {
  return layout.encodeTable(rows, start, end, options, codecText);
}
