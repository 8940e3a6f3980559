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

/** Where binary data goes while writing: beside the text (`"i"` tags) or inline as base64. */
export type EncodeOptions = {
  /** Collects binary data to pass beside the text; without it, bytes are written as base64. */
  buffers?: Uint8Array[];
  /**
   * Gives values the engine should not look inside (functions, class instances...) a handle
   * id to stand for them; without it such values are written as structured clone would
   * (class instances as plain objects) or refused (functions, symbols).
   */
  handle?: (value: object | symbol) => number;
  /**
   * Leaves out object properties whose value is `undefined`, as `JSON.stringify` does: for
   * documents (a flow definition, run options), where an absent field and an `undefined` one
   * mean the same. Values (a node's output) keep them.
   */
  omitUndefined?: boolean;
};

/** Where tags of binary data and handles are looked up while reading. */
export type DecodeOptions = {
  buffers?: ArrayLike<Uint8Array>;
  /** The value a `js` handle stands for. */
  resolve?: (id: number) => unknown;
  /** The array a `slices` tag stands for (filled later: see `values/sliced.ts`). */
  slices?: (index: number) => unknown[];
};

const objectProto = Object.prototype;
const hasOwn = Object.prototype.hasOwnProperty;
const toStringTag = (v: object) => Object.prototype.toString.call(v);
const BufferClass = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean; from(a: ArrayBuffer, o: number, l: number): Uint8Array } }).Buffer;

/**
 * How deep the plain-data check walks (it is iterative) before handing over to the careful path,
 * which names cycles: a cyclic value reaches this depth, a real document does not.
 */
const PLAIN_DEPTH = 100_000;

/** Whether a string is well-formed UTF-16 (no lone surrogate). */
function isWellFormed(s: string): boolean {
  const native = (s as { isWellFormed?: () => boolean }).isWellFormed;
  if (native) return native.call(s);
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = s.charCodeAt(i + 1);
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * Whether `value` is JSON's own data, which `JSON.stringify` writes and `JSON.parse` reads back
 * exactly: no `undefined`, no non-finite or negative-zero number, well-formed strings, plain
 * objects (whose first key is not the tag) and dense arrays.
 */
export function isPlainData(value: unknown, omitUndefined = false): boolean {
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
        if (depth > PLAIN_DEPTH) return false;
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

/** `value` as codec text. Throws `ValueEncodeError` for what cannot be carried. */
export function encodeValue(value: unknown, options: EncodeOptions = {}): string {
  if (isPlainData(value, options.omitUndefined)) return JSON.stringify(value);
  try {
    return JSON.stringify(new Writer(options).write(value, "", 0));
  } catch (error) {
    // The careful path recurses: a value holding tags nested thousands deep exhausts the stack.
    if (error instanceof RangeError) throw new ValueEncodeError("nesting too deep to write (with values JSON cannot say)", "");
    throw error;
  }
}

/** Builds the JSON-able form of a value that needs tags. */
class Writer {
  private readonly ancestors = new Set<object>();
  constructor(private readonly options: EncodeOptions) {}

  write(v: unknown, path: string, depth: number): unknown {
    switch (typeof v) {
      case "undefined":
        return { [TAG]: "undefined" };
      case "boolean":
        return v;
      case "number":
        if (Number.isFinite(v) && !(v === 0 && 1 / v < 0)) return v;
        return { [TAG]: "number", v: Number.isNaN(v) ? "NaN" : v === 0 ? "-0" : v > 0 ? "Infinity" : "-Infinity" };
      case "string":
        return isWellFormed(v) ? v : { [TAG]: "string", v: Array.from({ length: v.length }, (_, i) => v.charCodeAt(i)) };
      case "bigint":
        return { [TAG]: "bigint", v: v.toString() };
      case "symbol":
      case "function":
        if (this.options.handle) return { [TAG]: "js", v: this.options.handle(v as object | symbol) };
        throw new ValueEncodeError(typeof v === "symbol" ? "a symbol" : "a function", path);
      case "object":
        if (v === null) return null;
        if (depth > 100_000) throw new ValueEncodeError("nesting deeper than 100,000 levels", path);
        if (this.ancestors.has(v)) throw new ValueEncodeError("a circular reference", path);
        this.ancestors.add(v);
        try {
          return this.object(v, path, depth);
        } finally {
          this.ancestors.delete(v);
        }
    }
    throw new ValueEncodeError(`a ${typeof v}`, path);
  }

  private object(v: object, path: string, depth: number): unknown {
    if (v instanceof HandleRef) return v.toJSON();
    if (Array.isArray(v)) {
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = i in v ? this.write(v[i], `${path}[${i}]`, depth + 1) : { [TAG]: "hole" };
      return out;
    }
    if (ArrayBuffer.isView(v) || toStringTag(v) === "[object ArrayBuffer]") return this.bytes(v as ArrayBufferView | ArrayBuffer, path);
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === objectProto || proto === null) return this.plainObject(v as Record<string, unknown>, path, depth);
    switch (toStringTag(v)) {
      case "[object Date]":
        return { [TAG]: "date", v: Number.isNaN((v as Date).getTime()) ? null : (v as Date).getTime() };
      case "[object Map]":
        return { [TAG]: "map", v: Array.from(v as Map<unknown, unknown>, ([key, item], i) => [this.write(key, `${path}<key ${i}>`, depth + 1), this.write(item, `${path}<value ${i}>`, depth + 1)]) };
      case "[object Set]":
        return { [TAG]: "set", v: Array.from(v as Set<unknown>, (item, i) => this.write(item, `${path}<item ${i}>`, depth + 1)) };
      case "[object RegExp]":
        return { [TAG]: "regexp", source: (v as RegExp).source, flags: (v as RegExp).flags };
      case "[object Error]": {
        const error = v as Error & { cause?: unknown };
        const out: Record<string, unknown> = { [TAG]: "error", name: String(error.name), message: String(error.message) };
        if (typeof error.stack === "string") out.stack = error.stack;
        if ("cause" in error) out.cause = this.write(error.cause, `${path}.cause`, depth + 1);
        return out;
      }
      case "[object Number]":
      case "[object String]":
      case "[object Boolean]":
      case "[object BigInt]":
        return { [TAG]: "boxed", v: this.write((v as { valueOf(): unknown }).valueOf(), path, depth + 1) };
    }
    // A class instance, a promise, a WeakMap...: kept aside when the caller can, otherwise
    // its own enumerable properties, as structured clone would.
    if (this.options.handle) return { [TAG]: "js", v: this.options.handle(v) };
    return this.plainObject(v as Record<string, unknown>, path, depth);
  }

  private plainObject(v: Record<string, unknown>, path: string, depth: number): unknown {
    const out: Record<string, unknown> = {};
    let keys = Object.keys(v);
    if (this.options.omitUndefined) keys = keys.filter((key) => v[key] !== undefined);
    for (const key of keys) {
      if (!isWellFormed(key)) throw new ValueEncodeError("a property name with a lone surrogate", `${path}[${JSON.stringify(key)}]`);
      defineOwn(out, key, this.write(v[key], `${path}.${key}`, depth + 1));
    }
    if (keys[0] === TAG) return { [TAG]: "object", v: keys.map((key) => [key, out[key]]) };
    return out;
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
  "Buffer", "ArrayBuffer", "DataView", "Uint8Array", "Uint8ClampedArray", "Int8Array", "Uint16Array", "Int16Array",
  "Uint32Array", "Int32Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
]);

/**
 * `value` as JSON-able data for a message that is written as a whole (a WebSocket frame, an HTTP
 * body): plain data as it is, anything else with its tags (binary data inline as base64). The
 * receiver reads it with `fromWire`.
 */
export function toWire(value: unknown): unknown {
  return isPlainData(value) ? value : new Writer({}).write(value, "", 0);
}

/** Message text written with `toWire` parts, read back with their tags revived. */
export function parseWire(text: string): unknown {
  return decodeValue(text);
}

/** Codec text as a JavaScript value. */
export function decodeValue(text: string, options: DecodeOptions = {}): unknown {
  const value: unknown = JSON.parse(text);
  return text.includes(`"${TAG}"`) ? revive(value, options) : value;
}

/** A value parsed from codec text, its tags turned into what they stand for. */
export function revive(value: unknown, options: DecodeOptions = {}): unknown {
  if (typeof value !== "object" || value === null) return value;
  // Iterative over containers, so a deep value cannot exhaust the stack.
  const root = { value };
  const stack: Array<[Record<string | number, unknown>, string | number]> = [[root as Record<string, unknown>, "value"]];
  while (stack.length > 0) {
    const [holder, key] = stack.pop() as [Record<string | number, unknown>, string | number];
    const v = holder[key];
    if (typeof v !== "object" || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const item: unknown = v[i];
        if (typeof item === "object" && item !== null) stack.push([v as unknown as Record<number, unknown>, i]);
      }
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
      else if (typeof key === "string") defineOwn(holder as Record<string, unknown>, key, fromTag(record, options));
      else holder[key] = fromTag(record, options);
      continue;
    }
    for (const k in record) {
      const item = record[k];
      if (typeof item === "object" && item !== null) stack.push([record, k]);
    }
  }
  return root.value;
}

function fromTag(tag: Record<string, unknown>, options: DecodeOptions): unknown {
  const nested = (v: unknown) => revive(v, options);
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

function toBase64(bytes: Uint8Array): string {
  if (BufferClass) return (BufferClass.from(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength) as unknown as { toString(e: string): string }).toString("base64");
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
