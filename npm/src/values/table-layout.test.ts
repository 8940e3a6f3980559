/**
 * Unit tests of the binary tables of records behind the codec's `"rows"` tag, without an engine:
 * the reader reads the layout the Rust side documents (`core/src/value/tables/table.rs`) and
 * the writer writes it; records of one shape come back exactly; long arrays are cut into tables
 * of `ROWS_PER_TABLE` rows; what is not a table of one shape is left to the text path; and a
 * malformed table (wrong version, cut short, nested too deep, lying counts...) is refused with
 * an error naming what is wrong, whatever its bytes.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { codecText, decodeValue, encodeValue } from "./codec.js";
import { same } from "./exact.test-support.js";
import type { DecodeOptions, EncodeOptions } from "./options.js";
import { decodeTable, encodeTable, encodeTables, ROWS_PER_TABLE, readTables, type TextCodec } from "./table-layout.js";

/** What every refusal of a table begins with. */
const MALFORMED = "Malformed table of records in the engine's value encoding: ";

/** `rows` written as one table and read back. */
function roundTrip(rows: readonly unknown[], encode: EncodeOptions = {}, decode: DecodeOptions = {}): unknown[] {
  const table = encodeTable(rows, 0, rows.length, encode, codecText);
  assert.ok(table, "the rows were written as a table");
  return decodeTable(table, decode, codecText);
}

/** The message of the error `decodeTable` throws for `bytes`, checked to be a refusal of a malformed table. */
function refusal(bytes: Uint8Array, options: DecodeOptions = {}): string {
  try {
    decodeTable(bytes, options, codecText);
  } catch (error) {
    assert.ok(error instanceof Error, String(error));
    assert.ok(error.message.startsWith(MALFORMED), error.message);
    return error.message.slice(MALFORMED.length);
  }
  assert.fail("the table was read");
}

/** Rows from columns of equal length: `{ key: columns[key][i], ... }` for each `i`, keys in order. */
function zip(columns: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  const keys = Object.keys(columns);
  const n = (columns[keys[0] as string] as readonly unknown[]).length;
  return Array.from({ length: n }, (_, i) => Object.fromEntries(keys.map((key) => [key, (columns[key] as readonly unknown[])[i]])));
}

/**
 * A table laid out by hand, as the Rust side documents it (little-endian throughout, alignment
 * counted from the table's first byte, padding zeros) — written apart from the module's writer.
 */
class Layout {
  readonly bytes: number[] = [];
  u8(...values: number[]): this {
    this.bytes.push(...values);
    return this;
  }
  u32(n: number): this {
    return this.u8(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
  }
  pad(to: number): this {
    while (this.bytes.length % to !== 0) this.bytes.push(0);
    return this;
  }
  f64(x: number): this {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x, true);
    return this.u8(...new Uint8Array(view.buffer));
  }
  /** A u32 byte length, then the UTF-8 (a key, a string column's text, a text column's text). */
  utf8(text: string): this {
    const bytes = new TextEncoder().encode(text);
    return this.u32(bytes.length).u8(...bytes);
  }
  header(rows: number, version = 1): this {
    return this.u8(version, 0, 0, 0).u32(rows);
  }
  keys(...keys: string[]): this {
    this.u32(keys.length);
    for (const key of keys) this.utf8(key);
    return this;
  }
  numbers(...items: number[]): this {
    this.u8(0).pad(8);
    for (const x of items) this.f64(x);
    return this;
  }
  strings(...items: string[]): this {
    this.u8(1).pad(4);
    for (const s of items) this.u32(s.length);
    return this.utf8(items.join(""));
  }
  booleans(...items: boolean[]): this {
    return this.u8(2, ...items.map(Number));
  }
  /** The lists' lengths; the column of their items follows. */
  lists(...lengths: number[]): this {
    this.u8(3).pad(4);
    for (const n of lengths) this.u32(n);
    return this;
  }
  /** A column of records; its keys and columns follow. */
  records(): this {
    return this.u8(4);
  }
  text(codecText: string): this {
    return this.u8(5).pad(4).utf8(codecText);
  }
  done(): Uint8Array {
    return new Uint8Array(this.bytes);
  }
}

/** A table holding every kind of column, written by the module: for cutting and corrupting. */
function tableOfEveryKind(): Uint8Array {
  const rows = zip({
    n: [1.5, -0],
    s: ["é😀", ""],
    b: [true, false],
    l: [[1, 2], []],
    r: [{ x: "y" }, { x: "z" }],
    t: [null, "mixed"],
  });
  const table = encodeTable(rows, 0, rows.length, {}, codecText);
  assert.ok(table);
  return table;
}

/** `bytes` copied to start `offset` bytes into a larger buffer. */
function at(offset: number, bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(offset + bytes.length);
  copy.set(bytes, offset);
  return copy.subarray(offset);
}

/** Two records with a column of every kind, laid out by hand; `text` is the text column's codec text. */
function everyKindByHand(text: string): Uint8Array {
  return new Layout()
    .header(2)
    .keys("n", "s", "b", "l", "r", "t")
    .numbers(1.5, -0)
    .strings("é😀", "")
    .booleans(true, false)
    .lists(2, 0)
    .numbers(1, 2)
    .records()
    .keys("x")
    .strings("y", "z")
    .text(text)
    .done();
}

test("a table laid out by hand as the Rust side documents it reads as its records", () => {
  const table = everyKindByHand('[null,"mixed"]');
  same(decodeTable(table, {}, codecText), [
    { n: 1.5, s: "é😀", b: true, l: [1, 2], r: { x: "y" }, t: null },
    { n: -0, s: "", b: false, l: [], r: { x: "z" }, t: "mixed" },
  ]);
});

test("the writer lays a table out as documented: version, zero padding, little-endian counts, aligned columns", () => {
  const expected = everyKindByHand(encodeValue([null, "mixed"]));
  assert.deepEqual(Array.from(tableOfEveryKind()), Array.from(expected));
});

test("records of one shape come back exactly: numbers, strings, booleans, lists, records and what only text can say", () => {
  const holey = [1, 2, 3];
  delete holey[1];
  const rows = zip({
    num: [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MIN_VALUE, Number.MAX_VALUE, 2 ** 53 + 2, -1.5],
    str: ["", "plain", "héllo", "日本語", "😀 a pair", "nul\u0000inside", "x".repeat(100_000), "é".repeat(50_000), "€𝄞"],
    bool: [true, false, true, true, false, false, true, false, true],
    lone: ["a\uD800", "\uDC00b", "\uDFFF", "ok", "", "\uD83D", "x", "y", "z"],
    maybe: [null, undefined, 1, "s", true, null, undefined, 0, ""],
    numbers: [[], [1, 2], [-0, Number.NaN], [1.5], [Number.NEGATIVE_INFINITY], [], [0], [1, 2, 3], [4]],
    words: [["a"], [], ["é", "😀"], [""], ["b"], ["c", "d"], [], ["e"], ["f"]],
    lists: [[[1], []], [], [[2, 3]], [[]], [[4]], [[5], [6]], [], [[7]], [[8]]],
    people: [[{ k: 1 }], [], [{ k: 2 }, { k: 3 }], [{ k: 4 }], [], [{ k: 5 }], [{ k: 6 }], [], [{ k: 7 }]],
    nested: Array.from({ length: 9 }, (_, i) => ({ inner: { deep: i, name: `n${i}` }, flag: i % 2 === 0 })),
    sparse: [holey, [1], [], [2, 3], [4], [5], [6], [7], [8]],
    rich: [
      new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
      new Map<unknown, unknown>([[1, "one"]]),
      new Set(["a", 1]),
      new Uint8Array([0, 1, 254, 255]),
      10n ** 30n,
      /a+b/gi,
      holey,
      { $atomiton: "rows", i: [0] },
      [undefined, -0, Number.NaN],
    ],
  });
  same(roundTrip(rows), rows);
  // Text of up to three UTF-8 bytes a code unit, at sizes that outgrow the writer's first guess.
  for (const length of [300, 1000, 5000, 70_000]) {
    const long = zip({ s: ["€".repeat(length), "日".repeat(length >> 1)], n: [length, -length] });
    same(roundTrip(long), long);
  }
});

test("a lone surrogate survives, also as two halves in neighbouring strings that would look whole joined", () => {
  const rows = zip({ s: ["a\uD800", "\uDC00b", "\uD800"] });
  same(roundTrip(rows), rows);
  const nestedKeys = [{ a: { "\uD800": 1 } }, { a: { "\uD800": 2 } }];
  same(roundTrip(nestedKeys), nestedKeys);
  // Halves that join into one character are a text column too: as UTF-8 strings they would be
  // that character, whose length the Rust reader refuses to split.
  const kindAt = 8 + 4 + 4 + 1; // header, key count, the key's length and its one byte
  const halves = zip({ s: ["a\uD800", "\uDC00b"] });
  const halvesTable = encodeTable(halves, 0, halves.length, {}, codecText);
  assert.ok(halvesTable);
  assert.equal(halvesTable[kindAt], 5, "a text column");
  same(decodeTable(halvesTable, {}, codecText), halves);
  const whole = zip({ s: ["a", "\uD83D\uDE00", "b"] });
  const wholeTable = encodeTable(whole, 0, whole.length, {}, codecText);
  assert.ok(wholeTable);
  assert.equal(wholeTable[kindAt], 1, "well-formed strings are a strings column");
});

test("a key or string that begins with U+FEFF keeps it", () => {
  const rows = zip({ "\uFEFFkey": ["\uFEFFvalue", "\uFEFF", "plain"], other: ["\uFEFF", "b", "c"] });
  same(roundTrip(rows), rows);
});

test("keys are data, never code: quotes, backslashes, line separators, code-like keys and __proto__ come back as themselves", () => {
  const keys = [
    'a"b',
    "back\\slash",
    "line\nbreak",
    "\u2028\u2029",
    "}; throw new Error('ran'); ({",
    'x": "injected", "y',
    "__proto__",
    "constructor",
    "1",
    "",
    "é😀",
  ];
  // A key that would close its quote and open another, alone in its shape: read as one key.
  const lookalike = [{ 'x": "injected", "y': 1 }, { 'x": "injected", "y': 2 }];
  same(roundTrip(lookalike), lookalike);
  const rows = [0, 1, 2].map((i) => Object.fromEntries(keys.map((key, k) => [key, i * 100 + k])));
  const back = roundTrip(rows) as Record<string, unknown>[];
  same(back, rows);
  for (const record of back) {
    assert.equal(Object.getPrototypeOf(record), Object.prototype, "__proto__ is an own property, not the prototype");
    assert.ok(Object.hasOwn(record, "__proto__"));
  }
});

test("shapes whose keys would join alike are still told apart", () => {
  const two = [{ a: 1, b: 2 }];
  const one = [{ "a,b": 3 }];
  same(roundTrip(two), two);
  same(roundTrip(one), one);
  same(roundTrip(two), two);
});

test("a key appearing in a record as inherited is a different shape", () => {
  const rows = [{ a: 1 }, { a: 2 }];
  assert.ok(encodeTable(rows, 0, rows.length, {}, codecText), "a table without it");
  Object.defineProperty(Object.prototype, "inherited", { value: 1, enumerable: true, configurable: true });
  try {
    assert.equal(encodeTable(rows, 0, rows.length, {}, codecText), undefined);
  } finally {
    delete (Object.prototype as Record<string, unknown>).inherited;
  }
});

test("nesting past the tables' limit is written as text and still comes back exactly", () => {
  const deepRecord = (i: number, levels: number): unknown => {
    let v: unknown = { leaf: i };
    for (let d = 0; d < levels; d++) v = { v };
    return v;
  };
  const deepList = (i: number, levels: number): unknown => {
    let v: unknown = [i, `${i}`];
    for (let d = 0; d < levels; d++) v = [v];
    return v;
  };
  for (const levels of [14, 15, 16, 17, 20]) {
    const records = [0, 1, 2].map((i) => ({ r: deepRecord(i, levels) }));
    same(roundTrip(records), records);
    const lists = [0, 1, 2].map((i) => ({ l: deepList(i, levels) }));
    same(roundTrip(lists), lists);
  }
});

test("records or lists nested deeper than tables may are refused, naming it", () => {
  /** `levels` records columns one inside the other, down to a booleans column. */
  const records = (levels: number) => {
    const table = new Layout().header(1).keys("a");
    for (let d = 0; d < levels; d++) table.records().keys("a");
    return table.booleans(true).done();
  };
  /** `levels` lists columns one inside the other, each holding one list, down to a booleans column. */
  const lists = (levels: number) => {
    const table = new Layout().header(1).keys("a");
    for (let d = 0; d < levels; d++) table.lists(1);
    return table.booleans(true).done();
  };
  let record: unknown = true;
  let list: unknown = true;
  for (let d = 0; d < 16; d++) {
    record = { a: record };
    list = [list];
  }
  same(decodeTable(records(16), {}, codecText), [{ a: record }]);
  same(decodeTable(lists(16), {}, codecText), [{ a: list }]);
  assert.equal(refusal(records(17)), "it nests deeper than tables may");
  assert.equal(refusal(lists(17)), "it nests deeper than tables may");
});

test("more than ROWS_PER_TABLE rows are cut into tables of ROWS_PER_TABLE, which read back whole and in order", async () => {
  const rows = Array.from({ length: 2 * ROWS_PER_TABLE + 5 }, (_, i) => ({ i, s: `row ${i}` }));
  let turns = 0;
  const tables = await encodeTables(rows, {}, async () => void turns++, codecText);
  assert.ok(tables);
  const read = tables.map((table) => decodeTable(table, {}, codecText));
  assert.deepEqual(
    read.map((records) => records.length),
    [ROWS_PER_TABLE, ROWS_PER_TABLE, 5],
  );
  same(read.flat(), rows);
  assert.equal(turns, 2, "a turn between tables, none before the first");

  for (const [length, count] of [
    [0, 0],
    [1, 1],
    [ROWS_PER_TABLE, 1],
    [ROWS_PER_TABLE + 1, 2],
  ] as const) {
    const some = rows.slice(0, length);
    const cut = await encodeTables(some, {}, async () => {}, codecText);
    assert.ok(cut);
    assert.equal(cut.length, count, `${length} rows`);
    same(
      cut.flatMap((table) => decodeTable(table, {}, codecText)),
      some,
    );
  }
  // One table of a range of the rows.
  const middle = encodeTable(rows, 2, 5, {}, codecText);
  assert.ok(middle);
  same(decodeTable(middle, {}, codecText), rows.slice(2, 5));
});

test("an array whose records change shape from one table to the next still comes back exactly", async () => {
  const rows = [...Array.from({ length: ROWS_PER_TABLE }, (_, i) => ({ a: i })), { b: "other" }, { b: "shape" }];
  const tables = await encodeTables(rows, {}, async () => {}, codecText);
  assert.ok(tables);
  same(
    tables.flatMap((table) => decodeTable(table, {}, codecText)),
    rows,
  );
});

test("readTables reads the tables it is given by their buffers' indices, and names a buffer that was not passed", () => {
  const first = [{ a: 1 }, { a: 2 }];
  const second = [{ b: "x" }];
  const buffers = [first, second].map((rows) => encodeTable(rows, 0, rows.length, {}, codecText) as Uint8Array);
  same(readTables([1], { buffers }, codecText), second);
  same(readTables([0], { buffers }, codecText), first);
  same(readTables([], { buffers }, codecText), []);
  assert.throws(() => readTables([5, 0], { buffers }, codecText), {
    message: "A table of records refers to buffer 5, which was not passed",
  });
  assert.throws(() => readTables([0], {}, codecText), { message: "A table of records refers to buffer 0, which was not passed" });
});

test("readTables joins several tables in order (a rows tag naming them all reads every record)", {}, () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ i }));
  const buffers = [rows.slice(0, 2), rows.slice(2, 4), rows.slice(4)].map(
    (part) => encodeTable(part, 0, part.length, {}, codecText) as Uint8Array,
  );
  same(readTables([0, 1, 2], { buffers }, codecText), rows);
  same(decodeValue('{"$atomiton":"rows","i":[0,1,2]}', { buffers }), rows);
  assert.throws(() => readTables([0, 5], { buffers }, codecText), {
    message: "A table of records refers to buffer 5, which was not passed",
  });
});

test("what is not an array of plain records of one shape is not a table, and is left to the text path", () => {
  class Point {
    x = 1;
  }
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const wide = Object.fromEntries(Array.from({ length: 4097 }, (_, k) => [`k${k}`, k]));
  const cases: Array<[string, unknown[], EncodeOptions?]> = [
    ["no rows", []],
    ["other keys", [{ a: 1 }, { b: 1 }]],
    [
      "the keys in another order",
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
    ],
    ["a key more", [{ a: 1 }, { a: 1, b: 2 }]],
    ["a key fewer", [{ a: 1, b: 2 }, { a: 1 }]],
    ["a null row", [{ a: 1 }, null]],
    ["an array row", [{ a: 1 }, [1]]],
    ["a number row", [{ a: 1 }, 5]],
    ["arrays", [[1], [2]]],
    ["class instances", [new Point(), new Point()]],
    ["a class instance after a record", [{ x: 1 }, new Point()]],
    ["maps", [new Map([["a", 1]])]],
    ["records without keys", [{}, {}]],
    ["records of more than 4096 keys", [wide]],
    ["a key with a lone surrogate", [{ "\uD800": 1 }]],
    ["a function the text path refuses", [{ a: () => 1 }]],
    ["a symbol the text path refuses", [{ a: Symbol("s") }]],
    ["a cycle the text path refuses", [cyclic]],
    ["an undefined field in a document", [{ a: 1, b: undefined }], { omitUndefined: true }],
    ["an undefined field nested in a document", [{ a: { b: undefined } }], { omitUndefined: true }],
  ];
  for (const [what, rows, options] of cases) {
    assert.equal(encodeTable(rows, 0, rows.length, options ?? {}, codecText), undefined, what);
  }
});

test("the limits hold at their edge: records of 4096 keys, records without a prototype, undefined fields in values", async () => {
  const widest = [0, 1].map((i) => Object.fromEntries(Array.from({ length: 4096 }, (_, k) => [`k${k}`, i + k])));
  same(roundTrip(widest), widest);
  const bare = [1, 2].map((i) => Object.assign(Object.create(null) as Record<string, unknown>, { a: i, b: "x" }));
  same(roundTrip(bare), [
    { a: 1, b: "x" },
    { a: 2, b: "x" },
  ]);
  const withUndefined = [
    { a: 1, b: undefined },
    { a: 2, b: 3 },
  ];
  same(roundTrip(withUndefined), withUndefined);
  assert.equal(await encodeTables([{ a: 1 }, { b: 1 }], {}, async () => {}, codecText), undefined);
});

test("text columns keep what the caller keeps by handle, and carry binary data inline, not beside the text", () => {
  const fn = () => 42;
  const kept: unknown[] = [];
  const rows = [
    { f: fn, n: 1 },
    { f: fn, n: 2 },
  ];
  const buffers: Uint8Array[] = [];
  const handle = (value: object | symbol) => kept.push(value) - 1;
  const table = encodeTable(rows, 0, rows.length, { handle, buffers }, codecText);
  assert.ok(table);
  same(decodeTable(table, { resolve: (id) => kept[id] }, codecText), rows);

  const bytes = [{ b: new Uint8Array([1, 2, 3]) }, { b: new Uint8Array([]) }];
  const bytesTable = encodeTable(bytes, 0, bytes.length, { buffers }, codecText);
  assert.ok(bytesTable);
  assert.equal(buffers.length, 0, "nothing went beside the text");
  same(decodeTable(bytesTable, {}, codecText), bytes);
});

test("text columns are read and written by the TextCodec given, the reader passing its options on", () => {
  const seen: Array<[string, Record<string, unknown>]> = [];
  const codec: TextCodec = {
    encode: (value, options) => (seen.push(["encode", options]), codecText.encode(value, options)),
    decode: (text, options) => (seen.push(["decode", options]), codecText.decode(text, options)),
  };
  const rows = [{ t: null }, { t: "x" }];
  const handle = () => 0;
  const table = encodeTable(rows, 0, rows.length, { buffers: [], buffersAfterText: true, handle, omitUndefined: false }, codec);
  assert.ok(table);
  const options: DecodeOptions = { resolve: () => undefined };
  same(decodeTable(table, options, codec), rows);
  const [written, read, ...more] = seen;
  assert.deepEqual(more, []);
  assert.ok(written && read);
  assert.equal(written[0], "encode");
  assert.equal(written[1].handle, handle);
  assert.equal(written[1].omitUndefined, false);
  assert.ok(!("buffers" in written[1]), "the text codec writes binary data inline");
  assert.deepEqual(read, ["decode", options]);
});

test("a table read from any offset into its buffer reads the same (alignment counts from the table's start)", () => {
  const table = tableOfEveryKind();
  const expected = decodeTable(table, {}, codecText);
  for (let offset = 1; offset <= 16; offset++) same(decodeTable(at(offset, table), {}, codecText), expected);
});

test("malformed tables are refused, each naming what is wrong", () => {
  const valid = () => new Layout().header(1).keys("a");
  const wide = new Layout().header(1).keys(...Array.from({ length: 4097 }, (_, k) => `k${k}`));
  for (let k = 0; k < 4097; k++) wide.booleans(true);
  const cases: Array<[string, Uint8Array, string]> = [
    ["version 2", new Layout().header(1, 2).keys("a").booleans(true).done(), "its version is not one this package reads"],
    ["version 0", new Layout().header(1, 0).keys("a").booleans(true).done(), "its version is not one this package reads"],
    ["no keys", new Layout().header(1).keys().booleans(true).done(), "its records have no keys, or too many"],
    ["4097 keys", wide.done(), "its records have no keys, or too many"],
    ["a key twice", new Layout().header(1).keys("a", "a").booleans(true).booleans(true).done(), "a key appears twice"],
    ["kind 6", valid().u8(6, 0).done(), "a column is of an unknown kind"],
    ["kind 255", valid().u8(255, 0, 0, 0, 0, 0, 0, 0, 0).done(), "a column is of an unknown kind"],
    ["a boolean 2", valid().u8(2, 2).done(), "a boolean is neither 0 nor 1"],
    [
      "strings shorter than their text",
      new Layout().header(2).keys("a").u8(1).pad(4).u32(1).u32(1).utf8("abc").done(),
      "its strings' lengths do not add up to their text",
    ],
    [
      "strings longer than their text",
      new Layout().header(2).keys("a").u8(1).pad(4).u32(2).u32(2).utf8("abc").done(),
      "its strings' lengths do not add up to their text",
    ],
    ["a text column of an object", valid().text('{"a":1}').done(), "a text column is not an array of its items"],
    ["a text column of too many items", valid().text("[1,2]").done(), "a text column is not an array of its items"],
    ["a text column of too few items", valid().text("[]").done(), "a text column is not an array of its items"],
    ["a byte after its last column", valid().booleans(true).u8(0).done(), "bytes are left after its last column"],
    ["more rows than bytes", new Layout().header(0xffffffff).keys("a").booleans(true).done(), "it counts more items than it has bytes"],
    ["more keys than bytes", new Layout().header(1).u32(4000).done(), "it counts more items than it has bytes"],
    ["lists longer than the bytes", valid().lists(0xffffffff).numbers().done(), "it counts more items than it has bytes"],
    ["lists longer than their text column", valid().lists(0xffffffff).text("[]").done(), "a text column is not an array of its items"],
    [
      "nested records longer than the bytes",
      valid().lists(0xffffffff).records().keys("x").booleans().done(),
      "it counts more items than it has bytes",
    ],
    ["a key longer than the bytes", new Layout().header(1).u32(1).u32(100).u8(97).done(), "it ends early"],
    ["a string column's text longer than the bytes", valid().u8(1).pad(4).u32(1).u32(50).u8(97).done(), "it ends early"],
    ["nothing", new Uint8Array(0), "it ends early"],
  ];
  for (const [what, bytes, why] of cases) assert.equal(refusal(bytes), why, what);
});

test("every cut of a valid table is refused as ending early, never read or hung on", () => {
  for (const table of [tableOfEveryKind(), new Layout().header(0).keys("a").numbers().done()]) {
    for (let end = 0; end < table.length; end++) {
      assert.match(refusal(table.subarray(0, end)), /^(it ends early|it counts more items than it has bytes)$/, `cut at ${end}`);
    }
    assert.ok(Array.isArray(decodeTable(table, {}, codecText)), "the whole table reads");
  }
});

test("a table with any one byte changed is read or refused with an error, never hung on", () => {
  const table = tableOfEveryKind();
  let refused = 0;
  let read = 0;
  for (let i = 0; i < table.length; i++) {
    for (const byte of [0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0xff]) {
      const bad = table.slice();
      bad[i] = byte;
      try {
        assert.ok(Array.isArray(decodeTable(bad, {}, codecText)));
        read++;
      } catch (error) {
        assert.ok(error instanceof Error, String(error));
        assert.ok(!(error instanceof RangeError), `byte ${i} set to ${byte}: ${error.message}`);
        refused++;
      }
    }
  }
  assert.ok(refused > 0 && read > 0, `${refused} refused, ${read} read`);
});

test("bytes that are not the strings they claim are refused, as the Rust reader refuses them", {}, () => {
  const notUtf8 = new Layout().header(1).u32(1).u32(1).u8(0xff).booleans(true).done();
  assert.match(refusal(notUtf8), /UTF-8/);
  const splitPair = new Layout().header(2).keys("a").u8(1).pad(4).u32(1).u32(1).utf8("😀").done();
  assert.match(refusal(splitPair), /splits a character/);
});

test("a table whose text column refers to the table itself is refused as malformed", {}, () => {
  const table = new Layout().header(1).keys("a").text('[{"$atomiton":"rows","i":[0]}]').done();
  refusal(table, { buffers: [table] });
});

// Last: once `new Function` has been refused, the module builds every later shape without it.
test("where new Function is refused (a page's Content-Security-Policy), records are built the same, __proto__ an own key", () => {
  const global = globalThis as { Function: unknown };
  const original = global.Function;
  let refusedCalls = 0;
  global.Function = function refused() {
    refusedCalls++;
    throw new EvalError("Refused to evaluate a string as JavaScript");
  };
  try {
    const keys = ["__proto__", "constructor", 'q"uote', "}; throw 1; ({", "9", "z"];
    const rows = [0, 1, 2].map((i) => Object.fromEntries(keys.map((key, k) => [key, k === 1 ? [i] : `${i}:${k}`])));
    const back = roundTrip(rows) as Record<string, unknown>[];
    assert.ok(refusedCalls > 0, "the module tried new Function");
    same(back, rows);
    for (const record of back) assert.equal(Object.getPrototypeOf(record), Object.prototype);
    const other = [{ later: 1 }, { later: -0 }];
    same(roundTrip(other), other);
  } finally {
    global.Function = original;
  }
});
