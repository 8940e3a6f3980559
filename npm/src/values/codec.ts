/**
 * How JavaScript values cross into and out of the engine, and over the wire: JSON, where what
 * JSON cannot say is a *tag* — an object whose first key is `"$atomiton"` (the Rust side is
 * `atomiton_core::value::codec`; the table of tags is in COMPATIBILITY.md).
 *
 * Plain data pays nothing: it is checked once and handed to `JSON.stringify` / `JSON.parse`
 * as it is. Only values holding something JSON cannot say (`undefined`, `NaN`, `-0`, a `Date`,
 * binary data, a `Map`, a BigInt, a string with a lone surrogate, an array hole...) take the
 * slower path that writes tags.
 */

import type { DecodeOptions, EncodeOptions } from "./options.js";
import { readTables, type TextCodec } from "./table-layout.js";
import { isWellFormed } from "./well-formed.js";

export const TAG = "$atomiton";

/**
 * A value kept on the JS side, written as a `js` tag: the engine passes it on by its id and asks
 * for it when a built-in node must read it.
 */
export class HandleRef {
  constructor(readonly id: number) {}
  toJSON(): unknown {
    return { [TAG]: "js", v: this.id };
  }
}

/** Why a value could not be written: what it is and where in the value. */
export class ValueEncodeError extends Error {
  readonly code = "SERIALIZATION_FAILED";
  constructor(
    readonly what: string,
    readonly path: string,
  ) {
    super(`${what} at ${path || "the top"} cannot be carried`);
  }
}

const objectProto = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;
const toStringTag = (v: object) => Object.prototype.toString.call(v);
const BufferClass = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean; from(a: ArrayBuffer, o: number, l: number): Uint8Array } })
  .Buffer;

/**
 * How deep the plain-data check walks (it is iterative) before handing over to the careful path,
 * which names cycles: a cyclic value reaches this depth, a real document does not.
 */
const PLAIN_DEPTH = 100_000;

/**
 * Whether `value` is JSON's own data, which `JSON.stringify` writes and `JSON.parse` reads back
 * exactly: no `undefined`, no non-finite or negative-zero number, well-formed strings, plain
 * objects (whose first key is not the tag) and dense arrays.
 */
export function isPlainData(value: unknown, omitUndefined = false, maxDepth = PLAIN_DEPTH): boolean {
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const depth = depths.pop() as number;
    switch (typeof v) {
      case "string":
        if (!isWellFormed(v)) return false;
        continue;
      case "number":
        if (!Number.isFinite(v) || (v === 0 && 1 / v < 0)) return false;
        continue;
      case "boolean":
        continue;
      case "object": {
        if (v === null) continue;
        if (depth > maxDepth) return false;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const item: unknown = v[i];
            if (item === undefined) return false; // undefined or a hole
            if (typeof item === "object" && item !== null) {
              stack.push(item);
              depths.push(depth + 1);
            } else if (typeof item === "number") {
              if (!Number.isFinite(item) || (item === 0 && 1 / item < 0)) return false;
            } else if (typeof item === "string") {
              if (!isWellFormed(item)) return false;
            } else if (typeof item !== "boolean") return false;
          }
          continue;
        }
        const proto: unknown = Object.getPrototypeOf(v);
        if (proto !== objectProto && proto !== null) return false;
        let first = true;
        for (const key in v) {
          if (!hasOwn.call(v, key)) continue;
          if (first && key === TAG) return false;
          first = false;
          const item: unknown = (v as Record<string, unknown>)[key];
          if (item === undefined && omitUndefined) continue;
          if (typeof item === "object" && item !== null) {
            stack.push(item);
            depths.push(depth + 1);
          } else {
            stack.push(item);
            depths.push(depth);
          }
        }
        continue;
      }
      default:
        return false; // undefined, bigint, symbol, function
    }
  }
  return true;
}

/**
 * Deepest plain data handed to `JSON.stringify`, which recurses (V8 throws a `RangeError` a few
 * thousand levels down); deeper values are written by `TextWriter`, which does not.
 */
const STRINGIFY_DEPTH = 1_000;

/** `value` as codec text. Throws `ValueEncodeError` for what cannot be carried. */
export function encodeValue(value: unknown, options: EncodeOptions = {}): string {
  if (isPlainData(value, options.omitUndefined, STRINGIFY_DEPTH)) return JSON.stringify(value);
  return new TextWriter(options).write(value);
}

/** Where a value sits inside the one being written, kept as links and spelled out only for an error. */
type Path = { parent: Path | undefined; step: string } | undefined;

function spell(path: Path): string {
  const steps: string[] = [];
  for (let at = path; at; at = at.parent) steps.push(at.step);
  steps.reverse();
  // A path thousands of steps long would make a message of megabytes: its ends say enough.
  if (steps.length > 24) return `${steps.slice(0, 12).join("")}…(${steps.length - 18} more)…${steps.slice(-6).join("")}`;
  return steps.join("");
}

/** Writing work, done last in, first out: a value to write, text to emit, or an object to leave. */
type Task = { value: unknown; path: Path; depth: number } | string | { leave: object };

/**
 * Writes codec text without recursion: a stack of tasks instead of nested calls, so any depth
 * the caller can build is written (or refused past `MAX_DEPTH` with a coded error), never a
 * `RangeError`.
 */
class TextWriter {
  private readonly ancestors = new Set<object>();
  private readonly out: string[] = [];
  private readonly tasks: Task[] = [];
  constructor(private readonly options: EncodeOptions) {}

  write(root: unknown): string {
    this.tasks.push({ value: root, path: undefined, depth: 0 });
    for (let task = this.tasks.pop(); task !== undefined; task = this.tasks.pop()) {
      if (typeof task === "string") this.out.push(task);
      else if ("leave" in task) this.ancestors.delete(task.leave);
      else this.value(task.value, task.path, task.depth);
    }
    return this.out.join("");
  }

  /** Schedules `items` (last one on top of the stack, so the first is written first). */
  private schedule(close: string, items: Array<{ prefix: string; value: unknown; path: Path }>, depth: number): void {
    this.tasks.push(close);
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i] as { prefix: string; value: unknown; path: Path };
      this.tasks.push({ value: item.value, path: item.path, depth });
      if (item.prefix) this.tasks.push(item.prefix);
    }
  }

  private value(v: unknown, path: Path, depth: number): void {
    switch (typeof v) {
      case "undefined":
        this.out.push(`{"${TAG}":"undefined"}`);
        return;
      case "boolean":
        this.out.push(v ? "true" : "false");
        return;
      case "number":
        if (Number.isFinite(v) && !(v === 0 && 1 / v < 0)) this.out.push(JSON.stringify(v));
        else this.out.push(`{"${TAG}":"number","v":"${Number.isNaN(v) ? "NaN" : v === 0 ? "-0" : v > 0 ? "Infinity" : "-Infinity"}"}`);
        return;
      case "string":
        this.out.push(
          isWellFormed(v)
            ? JSON.stringify(v)
            : `{"${TAG}":"string","v":[${Array.from({ length: v.length }, (_, i) => v.charCodeAt(i)).join(",")}]}`,
        );
        return;
      case "bigint":
        this.out.push(`{"${TAG}":"bigint","v":"${v.toString()}"}`);
        return;
      case "symbol":
      case "function":
        if (this.options.handle) {
          this.out.push(`{"${TAG}":"js","v":${this.options.handle(v as object | symbol)}}`);
          return;
        }
        throw new ValueEncodeError(typeof v === "symbol" ? "a symbol" : "a function", spell(path));
      case "object":
        if (v === null) {
          this.out.push("null");
          return;
        }
        if (depth > MAX_DEPTH) throw new ValueEncodeError("nesting deeper than 100,000 levels", spell(path));
        if (this.ancestors.has(v)) throw new ValueEncodeError("a circular reference", spell(path));
        this.object(v, path, depth);
        return;
    }
    throw new ValueEncodeError(`a ${typeof v}`, spell(path));
  }

  /** Writes or schedules an object; containers stay among the ancestors until they are left. */
  private object(v: object, path: Path, depth: number): void {
    const tag = (name: string, fields: Array<[string, unknown]>, extra = "") => {
      this.enter(v);
      this.out.push(`{"${TAG}":"${name}"${extra}`);
      this.schedule(
        "}",
        fields.map(([key, value]) => ({ prefix: `,${JSON.stringify(key)}:`, value, path: { parent: path, step: `.${key}` } })),
        depth + 1,
      );
    };
    if (v instanceof HandleRef) {
      this.out.push(JSON.stringify(v.toJSON()));
      return;
    }
    if (Array.isArray(v)) {
      this.enter(v);
      this.out.push("[");
      const items = new Array<{ prefix: string; value: unknown; path: Path }>(v.length);
      for (let i = 0; i < v.length; i++) {
        const step = { parent: path, step: `[${i}]` };
        items[i] = { prefix: i === 0 ? "" : ",", value: i in v ? v[i] : HOLE, path: step };
      }
      this.schedule("]", items, depth + 1);
      return;
    }
    if (v === HOLE) {
      this.out.push(`{"${TAG}":"hole"}`);
      return;
    }
    if (ArrayBuffer.isView(v) || toStringTag(v) === "[object ArrayBuffer]") {
      this.out.push(JSON.stringify(this.bytes(v as ArrayBufferView | ArrayBuffer, spell(path))));
      return;
    }
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === objectProto || proto === null) {
      this.plainObject(v as Record<string, unknown>, path, depth);
      return;
    }
    switch (toStringTag(v)) {
      case "[object Date]": {
        const time = (v as Date).getTime();
        this.out.push(`{"${TAG}":"date","v":${Number.isNaN(time) ? "null" : JSON.stringify(time)}}`);
        return;
      }
      case "[object Map]": {
        const entries = Array.from(v as Map<unknown, unknown>);
        this.enter(v);
        this.out.push(`{"${TAG}":"map","v":[`);
        this.tasks.push("]}");
        for (let i = entries.length - 1; i >= 0; i--) {
          const [key, item] = entries[i] as [unknown, unknown];
          this.tasks.push(
            "]",
            { value: item, path: { parent: path, step: `<value ${i}>` }, depth: depth + 1 },
            ",",
            { value: key, path: { parent: path, step: `<key ${i}>` }, depth: depth + 1 },
            i === 0 ? "[" : ",[",
          );
        }
        return;
      }
      case "[object Set]": {
        this.enter(v);
        this.out.push(`{"${TAG}":"set","v":[`);
        const items = Array.from(v as Set<unknown>, (value, i) => ({
          prefix: i === 0 ? "" : ",",
          value,
          path: { parent: path, step: `<item ${i}>` },
        }));
        this.schedule("]}", items, depth + 1);
        return;
      }
      case "[object RegExp]":
        this.out.push(JSON.stringify({ [TAG]: "regexp", source: (v as RegExp).source, flags: (v as RegExp).flags }));
        return;
      case "[object Error]": {
        const error = v as Error & { cause?: unknown };
        const fields: Array<[string, unknown]> = [
          ["name", String(error.name)],
          ["message", String(error.message)],
        ];
        if (typeof error.stack === "string") fields.push(["stack", error.stack]);
        if ("cause" in error) fields.push(["cause", error.cause]);
        tag("error", fields);
        return;
      }
      case "[object Number]":
      case "[object String]":
      case "[object Boolean]":
      case "[object BigInt]":
        tag("boxed", [["v", (v as { valueOf(): unknown }).valueOf()]]);
        return;
    }
    // A class instance, a promise, a WeakMap...: kept aside when the caller can, otherwise
    // its own enumerable properties, as structured clone would.
    if (this.options.handle) {
      this.out.push(`{"${TAG}":"js","v":${this.options.handle(v)}}`);
      return;
    }
    this.plainObject(v as Record<string, unknown>, path, depth);
  }

  private plainObject(v: Record<string, unknown>, path: Path, depth: number): void {
    let keys = Object.keys(v);
    if (this.options.omitUndefined) keys = keys.filter((key) => v[key] !== undefined);
    for (const key of keys) {
      if (!isWellFormed(key)) throw new ValueEncodeError("a property name with a lone surrogate", `${spell(path)}[${JSON.stringify(key)}]`);
    }
    this.enter(v);
    const field = (key: string) => ({ parent: path, step: `.${key}` });
    if (keys[0] === TAG) {
      // An object whose first key is the tag's own: written as its entries, so it reads back as itself.
      this.out.push(`{"${TAG}":"object","v":[`);
      this.tasks.push("]}");
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        this.tasks.push("]", { value: v[key], path: field(key), depth: depth + 1 }, `${i === 0 ? "" : ","}[${JSON.stringify(key)},`);
      }
      return;
    }
    this.out.push("{");
    this.schedule(
      "}",
      keys.map((key, i) => ({ prefix: `${i === 0 ? "" : ","}${JSON.stringify(key)}:`, value: v[key], path: field(key) })),
      depth + 1,
    );
  }

  /** Marks a container as being written (cycles are refused) until its closing text is written. */
  private enter(v: object): void {
    this.ancestors.add(v);
    this.tasks.push({ leave: v });
  }

  private bytes(v: ArrayBufferView | ArrayBuffer, path: string): unknown {
    const kind = BufferClass?.isBuffer(v) ? "Buffer" : toStringTag(v).slice(8, -1);
    if (!BYTE_KINDS.has(kind)) throw new ValueEncodeError(`binary data of kind ${kind}`, path);
    const view = ArrayBuffer.isView(v) ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength) : new Uint8Array(v);
    if (this.options.buffers) {
      this.options.buffers.push(view);
      return { [TAG]: "bytes", kind, i: this.options.buffers.length - 1 };
    }
    return { [TAG]: "bytes", kind, v: toBase64(view) };
  }
}

/** Deepest value written; deeper ones are refused (a cycle the checks miss would be endless). */
const MAX_DEPTH = 100_000;
/** Stands for an array hole while writing. */
const HOLE = Object.freeze({});

const ERROR_TYPES = new Set(["Error", "EvalError", "RangeError", "ReferenceError", "SyntaxError", "TypeError", "URIError"]);

/**
 * Sets an own, enumerable property (`__proto__` included, which an assignment would take as the
 * object's prototype).
 */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

const BYTE_KINDS = new Set([
  "Buffer",
  "ArrayBuffer",
  "DataView",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int8Array",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
]);

/**
 * `value` as JSON-able data for a message that is written as a whole (a WebSocket frame, an HTTP
 * body): plain data as it is, anything else with its tags (binary data inline as base64). The
 * receiver reads it with `fromWire`.
 */
export function toWire(value: unknown): unknown {
  return isPlainData(value) ? value : JSON.parse(new TextWriter({}).write(value));
}

/** Message text written with `toWire` parts, read back with their tags revived. */
export function parseWire(text: string): unknown {
  return decodeValue(text);
}

/** Codec text as a JavaScript value. */
/** The codec's text, for the text columns of tables of records. */
export const codecText: TextCodec = { decode: decodeValue, encode: encodeValue };

export function decodeValue(text: string, options: DecodeOptions = {}): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes(`"${TAG}"`) ? revive(value, options) : value;
}

/** A value parsed from codec text, its tags turned into what they stand for. */
export function revive(value: unknown, options: DecodeOptions = {}): unknown {
  if (typeof value !== "object" || value === null) return value;
  // Iterative over containers and over tags inside tags (a tag's fields are revived first, then
  // the tag is built from them), so a deep value cannot exhaust the stack.
  const root = { value };
  type Slot = [Record<string | number, unknown>, string | number];
  const stack: Array<Slot | [...Slot, Record<string, unknown>]> = [[root as Record<string, unknown>, "value"]];
  const pushChildren = (container: Record<string | number, unknown>, skipTag: boolean) => {
    if (Array.isArray(container)) {
      for (let i = container.length - 1; i >= 0; i--) {
        const item: unknown = container[i];
        if (typeof item === "object" && item !== null) stack.push([container as unknown as Record<number, unknown>, i]);
      }
      return;
    }
    for (const k in container) {
      if (skipTag && k === TAG) continue;
      const item = container[k];
      if (typeof item === "object" && item !== null) stack.push([container, k]);
    }
  };
  while (stack.length > 0) {
    const entry = stack.pop() as [Record<string | number, unknown>, string | number, Record<string, unknown>?];
    const [holder, key, finished] = entry;
    if (finished) {
      const revived = fromTag(finished, options);
      if (typeof key === "string") defineOwn(holder as Record<string, unknown>, key, revived);
      else holder[key] = revived;
      continue;
    }
    const v = holder[key];
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      pushChildren(v as unknown as Record<number, unknown>, false);
      continue;
    }
    const record = v as Record<string, unknown>;
    let firstKey: string | undefined;
    for (const k in record) {
      firstKey = k;
      break;
    }
    if (firstKey === TAG) {
      // A hole stays a hole: the slot is left unassigned, not set to `undefined`.
      if (record[TAG] === "hole" && Array.isArray(holder)) delete holder[key];
      else {
        stack.push([holder, key, record]);
        pushChildren(record, true);
      }
      continue;
    }
    pushChildren(record, false);
  }
  return root.value;
}

/** The value a tag stands for; its fields hold values already revived. */
function fromTag(tag: Record<string, unknown>, options: DecodeOptions): unknown {
  const nested = (v: unknown) => v;
  switch (tag[TAG]) {
    case "undefined":
      return undefined;
    case "number":
      return tag.v === "NaN" ? NaN : tag.v === "Infinity" ? Infinity : tag.v === "-Infinity" ? -Infinity : -0;
    case "bigint":
      return BigInt(String(tag.v));
    case "string": {
      const units = tag.v as number[];
      let text = "";
      for (let i = 0; i < units.length; i += 0x8000) text += String.fromCharCode(...units.slice(i, i + 0x8000));
      return text;
    }
    case "bytes":
      return bytesFromTag(tag, options);
    case "f64":
      return numbersFromTag(tag, options);
    case "date":
      return new Date(typeof tag.v === "number" ? tag.v : NaN);
    case "map":
      return new Map((tag.v as Array<[unknown, unknown]>).map(([k, v]) => [nested(k), nested(v)]));
    case "set":
      return new Set((tag.v as unknown[]).map(nested));
    case "regexp":
      return new RegExp(String(tag.source), String(tag.flags));
    case "error": {
      // The standard error types keep their class, as structured clone keeps them.
      const name = String(tag.name ?? "Error");
      const Ctor = ERROR_TYPES.has(name) ? ((globalThis as Record<string, unknown>)[name] as ErrorConstructor) : Error;
      const error = new Ctor(String(tag.message ?? ""), "cause" in tag ? { cause: nested(tag.cause) } : undefined);
      if (error.name !== name) error.name = name;
      if (typeof tag.stack === "string") error.stack = tag.stack;
      return error;
    }
    case "boxed":
      return Object(nested(tag.v));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, v] of tag.v as Array<[string, unknown]>) defineOwn(out, k, nested(v));
      return out;
    }
    case "js":
      if (!options.resolve) throw new Error("A value kept by the engine's host arrived where none can be resolved");
      return options.resolve(Number(tag.v));
    case "hole":
      return undefined; // as an array element it is left unassigned (see `revive`)
    case "rows": {
      const indices = tag.i;
      if (!Array.isArray(indices) || !indices.every((i) => Number.isInteger(i) && i >= 0))
        throw new Error('Malformed "rows" value in the engine\'s value encoding');
      return options.rows ? options.rows(indices as number[]) : readTables(indices as number[], options, codecText);
    }
    case "slices":
      if (!options.slices) throw new Error("An array written apart arrived where none is read");
      return options.slices(Number(tag.v));
    default:
      throw new Error(`Unknown "${String(tag[TAG])}" value in the engine's value encoding`);
  }
}

function bytesFromTag(tag: Record<string, unknown>, options: DecodeOptions): unknown {
  const source = typeof tag.i === "number" ? options.buffers?.[tag.i] : fromBase64(String(tag.v ?? ""));
  if (!source) throw new Error(`Binary data refers to buffer ${String(tag.i)}, which was not passed`);
  // A fresh, aligned copy: the engine's buffers may be views into shared memory.
  const copy = new Uint8Array(source.byteLength);
  copy.set(source);
  const kind = String(tag.kind);
  switch (kind) {
    case "Buffer":
      return BufferClass ? BufferClass.from(copy.buffer, 0, copy.byteLength) : copy;
    case "ArrayBuffer":
      return copy.buffer;
    case "DataView":
      return new DataView(copy.buffer);
    default: {
      const Ctor = (globalThis as Record<string, unknown>)[kind] as (new (b: ArrayBuffer) => unknown) | undefined;
      if (!Ctor || !BYTE_KINDS.has(kind)) throw new Error(`Unknown binary data kind ${kind}`);
      return new Ctor(copy.buffer);
    }
  }
}

/** An array of numbers sent as little-endian doubles (large arrays of numbers cross this way). */
function numbersFromTag(tag: Record<string, unknown>, options: DecodeOptions): number[] {
  const source = typeof tag.i === "number" ? options.buffers?.[tag.i] : fromBase64(String(tag.v ?? ""));
  if (!source) throw new Error(`An array of numbers refers to buffer ${String(tag.i)}, which was not passed`);
  if (source.byteLength % 8 !== 0) throw new Error("Malformed array of numbers: its length is not a whole number of doubles");
  // Sized up front: growing an array by `push` costs several times as much as filling one.
  // Every slot is written, so the array has no holes.
  const count = source.byteLength / 8;
  const numbers = new Array<number>(count);
  const view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  for (let i = 0; i < count; i++) numbers[i] = view.getFloat64(i * 8, true);
  return numbers;
}

/** `numbers` as little-endian doubles. */
export function numbersToBytes(numbers: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(numbers.length * 8);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < numbers.length; i++) view.setFloat64(i * 8, numbers[i] as number, true);
  return bytes;
}

/** `bytes` as base64 text. */
export function toBase64(bytes: Uint8Array): string {
  if (BufferClass)
    return (
      BufferClass.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength) as unknown as { toString(e: string): string }
    ).toString("base64");
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
