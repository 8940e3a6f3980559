/**
 * Arrays of records as columns: the binary tables behind the codec's `"rows"` tag (the Rust
 * side is `atomiton_core::value::table`, which documents the layout). A column with no binary
 * form is codec text, read and written by the `TextCodec` each function is given (the codec
 * passes its own; `table.ts` gives these functions with it bound).
 *
 * An array of many objects of one shape crosses as tables — the keys once, then a column per
 * key — instead of JSON text that repeats every key in every record: records are built from
 * columns, and written into them, in a fraction of the time their text takes.
 */
import type { DecodeOptions, EncodeOptions } from "./options.js";
import { isWellFormed } from "./well-formed.js";

/** How a table's text columns are read and written. */
export type TextCodec = {
  decode(text: string, options: DecodeOptions): unknown;
  encode(value: unknown, options: EncodeOptions): string;
};

const VERSION = 1;
/**
 * Rows per table this package writes: an engine on threads reads several tables of one array at
 * once (the engine's own tables, which are read here a table at a time, hold up to 16,384).
 */
export const ROWS_PER_TABLE = 4096;
const MAX_KEYS = 4096;
const MAX_NESTING = 16;

enum Kind {
  Numbers = 0,
  Strings = 1,
  Booleans = 2,
  Lists = 3,
  Records = 4,
  Text = 5,
}

/** Typed-array views are in the platform's byte order; tables are little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const objectProto = Object.prototype;
const arrayProto = Array.prototype;
const utf8 = new TextEncoder();
/** Any UTF-16 surrogate, paired or not. */
const SURROGATE = /[\uD800-\uDFFF]/;
// `ignoreBOM`: a string that begins with U+FEFF keeps it (by default the decoder drops it).
// `fatal`: bytes that are not UTF-8 are refused, as the engine's reader refuses them, rather than
// read as U+FFFD.
const fromUtf8 = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });
/** A string piece that begins with the second half of a pair, or ends with the first half. */
const CUT_PAIR = /^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/;
/**
 * The tables being read now: a text column's `rows` tag naming one of them would read it again
 * without end (malformed input only: the writers never make one).
 */
const reading = new Set<Uint8Array>();

function malformed(why: string): Error {
  return new Error(`Malformed table of records in the engine's value encoding: ${why}`);
}

// ---------------------------------------------------------------------------------------------
// Reading

/** The records of a `"rows"` tag: its tables (by their buffers' indices), read in order and joined. */
export function readTables(indices: readonly number[], options: DecodeOptions, codec: TextCodec): unknown[] {
  const out: unknown[] = [];
  for (let n = 0; n < indices.length; n++) {
    const index = indices[n] as number;
    const bytes = options.buffers?.[index];
    if (!bytes) throw new Error(`A table of records refers to buffer ${index}, which was not passed`);
    if (reading.has(bytes)) throw malformed("a table refers to itself");
    reading.add(bytes);
    let records: unknown[];
    try {
      records = decodeTable(bytes, options, codec);
    } finally {
      reading.delete(bytes);
    }
    // One table (the common case): its array as it is, not copied.
    if (indices.length === 1) return records;
    appendAll(out, records);
  }
  return out;
}

function appendAll(target: unknown[], items: readonly unknown[]): unknown[] {
  for (let i = 0; i < items.length; i++) target.push(items[i]);
  return target;
}

/** The records a table holds. Throws on a malformed table. */
export function decodeTable(bytes: Uint8Array, options: DecodeOptions, codec: TextCodec): unknown[] {
  const reader = new Reader(bytes, options, codec);
  if (reader.u8() !== VERSION) throw malformed("its version is not one this package reads");
  reader.take(3);
  const rows = reader.count();
  const records = reader.records(rows, 0);
  if (reader.at !== bytes.byteLength) throw malformed("bytes are left after its last column");
  return records;
}

class Reader {
  at = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: DecodeOptions,
    private readonly codec: TextCodec,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  take(n: number): number {
    const start = this.at;
    if (n < 0 || start + n > this.bytes.byteLength) throw malformed("it ends early");
    this.at = start + n;
    return start;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  /** A count of items, each of which takes at least a byte. */
  count(): number {
    const n = this.u32();
    this.fits(n);
    return n;
  }

  fits(items: number): void {
    if (items > this.bytes.byteLength - this.at) throw malformed("it counts more items than it has bytes");
  }

  align(to: number): void {
    this.take((to - (this.at % to)) % to);
  }

  /** `n` little-endian u32 words, viewed in place when the platform and the alignment allow. */
  words(n: number): Uint32Array {
    const start = this.take(n * 4);
    const offset = this.bytes.byteOffset + start;
    if (LITTLE_ENDIAN && offset % 4 === 0) return new Uint32Array(this.bytes.buffer, offset, n);
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getUint32(start + i * 4, true);
    return out;
  }

  text(length: number): string {
    const start = this.take(length);
    try {
      return fromUtf8.decode(this.bytes.subarray(start, start + length));
    } catch {
      throw malformed("a text is not UTF-8");
    }
  }

  records(rows: number, depth: number): unknown[] {
    if (depth > MAX_NESTING) throw malformed("it nests deeper than tables may");
    const keyCount = this.count();
    if (keyCount === 0 || keyCount > MAX_KEYS) throw malformed("its records have no keys, or too many");
    const keys = new Array<string>(keyCount);
    for (let k = 0; k < keyCount; k++) keys[k] = this.text(this.u32());
    if (new Set(keys).size !== keyCount) throw malformed("a key appears twice");
    const columns = new Array<ArrayLike<unknown>>(keyCount);
    for (let k = 0; k < keyCount; k++) columns[k] = this.column(rows, depth, false);
    return builderFor(keys)(columns, rows);
  }

  /**
   * `n` items. A column of numbers is a `Float64Array` unless `plain` (items that become list
   * elements must be an array's).
   */
  column(n: number, depth: number, plain: boolean): ArrayLike<unknown> {
    const kind = this.u8() as Kind;
    if (kind !== Kind.Text) this.fits(n);
    switch (kind) {
      case Kind.Numbers: {
        this.align(8);
        const start = this.take(n * 8);
        const offset = this.bytes.byteOffset + start;
        let numbers: Float64Array;
        if (LITTLE_ENDIAN && offset % 8 === 0) numbers = new Float64Array(this.bytes.buffer, offset, n);
        else {
          numbers = new Float64Array(n);
          for (let i = 0; i < n; i++) numbers[i] = this.view.getFloat64(start + i * 8, true);
        }
        return plain ? Array.from(numbers) : numbers;
      }
      case Kind.Strings: {
        this.align(4);
        const lengths = this.words(n);
        const text = this.text(this.u32());
        const out = new Array<string>(n);
        let at = 0;
        for (let i = 0; i < n; i++) {
          const end = at + (lengths[i] as number);
          out[i] = text.slice(at, end);
          at = end;
        }
        if (at !== text.length) throw malformed("its strings' lengths do not add up to their text");
        // Checked only in a column that has pairs at all: a length may not split one.
        if (SURROGATE.test(text) && out.some((piece) => CUT_PAIR.test(piece)))
          throw malformed("a string's length splits a character in two");
        return out;
      }
      case Kind.Booleans: {
        const start = this.take(n);
        const out = new Array<boolean>(n);
        for (let i = 0; i < n; i++) {
          const byte = this.bytes[start + i];
          if (byte !== 0 && byte !== 1) throw malformed("a boolean is neither 0 nor 1");
          out[i] = byte === 1;
        }
        return out;
      }
      case Kind.Lists: {
        if (depth >= MAX_NESTING) throw malformed("it nests deeper than tables may");
        this.align(4);
        const lengths = this.words(n);
        let total = 0;
        for (let i = 0; i < n; i++) total += lengths[i] as number;
        const children = this.column(total, depth + 1, true) as unknown[];
        const out = new Array<unknown[]>(n);
        let at = 0;
        for (let i = 0; i < n; i++) {
          const end = at + (lengths[i] as number);
          out[i] = children.slice(at, end);
          at = end;
        }
        return out;
      }
      case Kind.Records:
        return this.records(n, depth + 1);
      case Kind.Text: {
        this.align(4);
        const items = this.codec.decode(this.text(this.u32()), this.options);
        if (!Array.isArray(items) || items.length !== n) throw malformed("a text column is not an array of its items");
        return items;
      }
      default:
        throw malformed("a column is of an unknown kind");
    }
  }
}

type Builder = (columns: ArrayLike<unknown>[], rows: number) => unknown[];

/** Record builders by shape; a few hundred shapes at most are kept. */
const builders = new Map<string, Builder>();
const MAX_BUILDERS = 256;
/** Whether `new Function` is refused here (a page whose Content-Security-Policy forbids eval). */
let compiling = true;

/**
 * A function that builds `rows` records of these keys from their columns. Compiled to one object
 * literal per shape where the environment allows it (V8 then makes every record with its final
 * shape at once, faster than adding properties one by one), else the generic loop.
 */
function builderFor(keys: string[]): Builder {
  const id = JSON.stringify(keys);
  let builder = builders.get(id);
  if (builder) return builder;
  builder = (compiling && compiledBuilder(keys)) || genericBuilder(keys);
  if (builders.size >= MAX_BUILDERS) builders.clear();
  builders.set(id, builder);
  return builder;
}

function compiledBuilder(keys: string[]): Builder | undefined {
  // Keys are written as JSON string literals (never as code); `__proto__` as a computed key,
  // which defines an own property where a literal one would set the prototype.
  const fields = keys.map((key, k) => `${key === "__proto__" ? '["__proto__"]' : JSON.stringify(key)}: c${k}[i]`).join(", ");
  const columns = keys.map((_, k) => `c${k} = columns[${k}]`).join(", ");
  try {
    return new Function(
      "columns",
      "rows",
      `"use strict"; const ${columns}; const out = new Array(rows); for (let i = 0; i < rows; i++) out[i] = { ${fields} }; return out;`,
    ) as Builder;
  } catch {
    compiling = false;
    return undefined;
  }
}

function genericBuilder(keys: string[]): Builder {
  return (columns, rows) => {
    const out = new Array<unknown>(rows);
    for (let i = 0; i < rows; i++) {
      const record: Record<string, unknown> = {};
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k] as string;
        const value = (columns[k] as ArrayLike<unknown>)[i];
        if (key === "__proto__") Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
        else record[key] = value;
      }
      out[i] = record;
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** The own enumerable keys of a plain object (any prototype else is not a record), or undefined. */
function recordKeys(value: unknown): string[] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== objectProto && proto !== null) return undefined;
  const keys = Object.keys(value);
  if (keys.length === 0 || keys.length > MAX_KEYS) return undefined;
  for (const key of keys) if (!isWellFormed(key)) return undefined;
  return keys;
}

/**
 * `rows[start..end)` as columns, one per key, when every row is a plain object with the same keys
 * in the same order; else undefined.
 */
function columnsOf(rows: ArrayLike<unknown>, start: number, end: number): { keys: string[]; columns: unknown[][] } | undefined {
  const keys = recordKeys(rows[start]);
  if (!keys) return undefined;
  const n = end - start;
  const columns = keys.map(() => new Array<unknown>(n));
  for (let i = start; i < end; i++) {
    const row = rows[i] as Record<string, unknown>;
    if (typeof row !== "object" || row === null || Array.isArray(row)) return undefined;
    const proto: unknown = Object.getPrototypeOf(row);
    if (proto !== objectProto && proto !== null) return undefined;
    // `for...in` reads keys in the object's own order without making an array of them; an
    // inherited enumerable key, or any other difference, is a different shape.
    let k = 0;
    for (const key in row) {
      if (key !== keys[k]) return undefined;
      (columns[k] as unknown[])[i - start] = row[key];
      k++;
    }
    if (k !== keys.length) return undefined;
  }
  return { keys, columns };
}

class ByteWriter {
  bytes: Uint8Array;
  /** A view of `bytes` (remade when they grow: a view per write cost more than the write). */
  view: DataView;
  length = 0;

  /** `expected`: about the bytes the table will take, so that it rarely grows. */
  constructor(expected: number) {
    this.bytes = new Uint8Array(Math.max(1024, expected));
    this.view = new DataView(this.bytes.buffer);
  }

  reserve(n: number): void {
    if (this.length + n <= this.bytes.byteLength) return;
    let size = this.bytes.byteLength * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  u8(byte: number): void {
    this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  u32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, n, true);
    this.length += 4;
  }

  align(to: number): void {
    const pad = (to - (this.length % to)) % to;
    this.reserve(pad);
    this.length += pad; // the bytes are zero: the buffer is only ever grown with zeros
  }

  /** `items` (numbers) as little-endian f64s, aligned to 8. */
  doubles(items: readonly unknown[]): void {
    const n = items.length;
    this.align(8);
    this.reserve(n * 8);
    if (LITTLE_ENDIAN) {
      const view = new Float64Array(this.bytes.buffer, this.length, n);
      for (let i = 0; i < n; i++) view[i] = items[i] as number;
    } else {
      for (let i = 0; i < n; i++) this.view.setFloat64(this.length + i * 8, items[i] as number, true);
    }
    this.length += n * 8;
  }

  /** The lengths of `items` (strings or arrays) as little-endian u32s, aligned to 4. */
  lengths(items: readonly unknown[]): void {
    const n = items.length;
    this.align(4);
    this.reserve(n * 4);
    if (LITTLE_ENDIAN) {
      const view = new Uint32Array(this.bytes.buffer, this.length, n);
      for (let i = 0; i < n; i++) view[i] = (items[i] as { length: number }).length;
    } else {
      for (let i = 0; i < n; i++) this.view.setUint32(this.length + i * 4, (items[i] as { length: number }).length, true);
    }
    this.length += n * 4;
  }

  /** `text` as UTF-8 after its byte length (a u32). */
  lengthAndUtf8(text: string): void {
    const at = this.length;
    this.u32(0);
    this.reserve(text.length * 3);
    const { written } = utf8.encodeInto(text, this.bytes.subarray(this.length));
    this.length += written;
    this.view.setUint32(at, written, true);
  }

  /** The bytes written: a view when they fill most of the buffer, else a copy of just them. */
  done(): Uint8Array {
    return this.length * 4 >= this.bytes.byteLength * 3 ? this.bytes.subarray(0, this.length) : this.bytes.slice(0, this.length);
  }
}

/** Why a table cannot be written: the caller writes the array as text instead. */
class NotATable extends Error {}

/**
 * `rows` as tables of at most `ROWS_PER_TABLE` rows, or undefined when they are not all plain
 * records of one shape — or hold anything the text path refuses or writes differently (then
 * that path writes them, with its own errors and paths to the offending value).
 * `afterEachTable` lets a caller give its event loop a turn between tables.
 */
export async function encodeTables(
  rows: readonly unknown[],
  options: EncodeOptions,
  afterEachTable: () => Promise<void>,
  codec: TextCodec,
): Promise<Uint8Array[] | undefined> {
  const tables: Uint8Array[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_TABLE) {
    if (start > 0) await afterEachTable();
    const table = encodeTable(rows, start, Math.min(rows.length, start + ROWS_PER_TABLE), options, codec);
    if (!table) return undefined;
    tables.push(table);
  }
  return tables;
}

/** One table of `rows[start..end)`, or undefined (see `encodeTables`). */
export function encodeTable(
  rows: readonly unknown[],
  start: number,
  end: number,
  options: EncodeOptions,
  codec: TextCodec,
): Uint8Array | undefined {
  const found = columnsOf(rows, start, end);
  if (!found) return undefined;
  // About 12 bytes a field (a double, or a string's length and a short text), and a margin.
  const writer = new ByteWriter(64 + (end - start) * found.keys.length * 12 * 1.25);
  writer.u8(VERSION);
  writer.align(4);
  writer.u32(end - start);
  try {
    writeRecords(writer, found.keys, found.columns, 0, options, codec);
  } catch {
    // Not a table after all (NotATable), or a value the text path refuses (a function, a
    // cycle...): that path then writes the array, or says where the offending value is.
    return undefined;
  }
  return writer.done();
}

function writeRecords(
  writer: ByteWriter,
  keys: string[],
  columns: unknown[][],
  depth: number,
  options: EncodeOptions,
  codec: TextCodec,
): void {
  writer.u32(keys.length);
  for (const key of keys) writer.lengthAndUtf8(key);
  for (const column of columns) writeColumn(writer, column, depth, options, codec);
}

function writeColumn(writer: ByteWriter, items: unknown[], depth: number, options: EncodeOptions, codec: TextCodec): void {
  const n = items.length;
  switch (kindOf(items, depth, options)) {
    case Kind.Numbers: {
      writer.u8(Kind.Numbers);
      writer.doubles(items);
      return;
    }
    case Kind.Strings: {
      const text = (items as string[]).join("");
      // A lone surrogate cannot cross as UTF-8. Surrogates are rare: the items are looked at
      // one by one only when their text holds any (joined, a lone pair could look whole).
      if (SURROGATE.test(text) && !(items as string[]).every(isWellFormed)) {
        writeText(writer, items, options, codec);
        return;
      }
      writer.u8(Kind.Strings);
      writer.lengths(items);
      writer.lengthAndUtf8(text);
      return;
    }
    case Kind.Booleans: {
      writer.u8(Kind.Booleans);
      writer.reserve(n);
      for (let i = 0; i < n; i++) writer.bytes[writer.length + i] = items[i] === true ? 1 : 0;
      writer.length += n;
      return;
    }
    case Kind.Lists: {
      writer.u8(Kind.Lists);
      writer.lengths(items);
      // Sized up front: pushing grows the array step by step.
      let total = 0;
      for (let i = 0; i < n; i++) total += (items[i] as unknown[]).length;
      const children = new Array<unknown>(total);
      for (let i = 0, at = 0; i < n; i++) {
        const list = items[i] as unknown[];
        for (let j = 0; j < list.length; j++) children[at++] = list[j];
      }
      writeColumn(writer, children, depth + 1, options, codec);
      return;
    }
    case Kind.Records: {
      const found = columnsOf(items, 0, n);
      if (found) {
        writer.u8(Kind.Records);
        writeRecords(writer, found.keys, found.columns, depth + 1, options, codec);
        return;
      }
      writeText(writer, items, options, codec);
      return;
    }
    case Kind.Text:
      writeText(writer, items, options, codec);
  }
}

function writeText(writer: ByteWriter, items: unknown[], options: EncodeOptions, codec: TextCodec): void {
  // Binary data inline (base64): the table is itself one of the buffers beside the text.
  const text = codec.encode(items, { handle: options.handle, omitUndefined: options.omitUndefined });
  writer.u8(Kind.Text);
  writer.align(4);
  writer.lengthAndUtf8(text);
}

/** The binary form a column's items share, or text. */
function kindOf(items: unknown[], depth: number, options: EncodeOptions): Kind {
  const n = items.length;
  if (n === 0) return Kind.Numbers;
  // A document leaves out undefined properties: its records then differ in shape.
  if (options.omitUndefined) for (let i = 0; i < n; i++) if (items[i] === undefined) throw new NotATable();
  const first = items[0];
  switch (typeof first) {
    case "number": {
      for (let i = 1; i < n; i++) if (typeof items[i] !== "number") return Kind.Text;
      return Kind.Numbers;
    }
    case "string": {
      // Well-formed or not, the column's writing finds out (see `writeColumn`).
      for (let i = 1; i < n; i++) if (typeof items[i] !== "string") return Kind.Text;
      return Kind.Strings;
    }
    case "boolean": {
      for (let i = 1; i < n; i++) if (typeof items[i] !== "boolean") return Kind.Text;
      return Kind.Booleans;
    }
    case "object": {
      if (first === null || depth >= MAX_NESTING) return Kind.Text;
      if (Array.isArray(first)) {
        for (let i = 0; i < n; i++) {
          const item = items[i];
          if (!Array.isArray(item) || Object.getPrototypeOf(item) !== arrayProto) return Kind.Text;
          // A hole must stay a hole: the text form says so, a list column cannot.
          for (let j = 0; j < item.length; j++) if (!(j in item)) return Kind.Text;
        }
        return Kind.Lists;
      }
      return Kind.Records;
    }
    default:
      return Kind.Text;
  }
}
