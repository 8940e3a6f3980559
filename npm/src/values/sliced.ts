/**
 * Large values across the engine boundary without stalling the thread they cross on.
 *
 * Turning a 200,000-object array into text, or text into objects, takes a hundred milliseconds
 * or more; on Node's JS thread (Electron's main process) that is a frozen app. Both directions
 * are done here in pieces, and between pieces, once a few milliseconds have gone by, the event
 * loop gets a turn. Values without large arrays take the one-piece path and pay nothing.
 */
import { decodeValue, encodeValue, numbersToBytes, TAG } from "./codec.js";
import type { DecodeOptions, EncodeOptions } from "./options.js";
import { encodeTables, readTables } from "./table.js";

/** Time one piece of work may take before the event loop gets a turn (ms). */
const TURN_MS = 4;
/** Arrays at least this long are written in pieces. */
const LARGE_ARRAY = 4096;
/** Items written per piece (the clock is read between pieces). */
const ITEMS_PER_PIECE = 1024;
/** Arrays of numbers up to this long cross as one buffer of doubles (the engine's limit too). */
const F64_ARRAY_MAX = 1 << 20;
/** How many objects and arrays the search for large arrays looks at before it stops looking. */
const SEARCH_LIMIT = 10_000;

const clock = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * A turn of the event loop (a macrotask: timers, I/O and input run before it resolves):
 * `setImmediate` in Node, a `MessageChannel` message in browsers and workers (a `setTimeout(0)`
 * there can be held back by 4 ms or more).
 */
export const nextTurn = (): Promise<void> =>
  new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
    if (immediate) return void immediate(resolve);
    if (typeof MessageChannel === "function") {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      return void channel.port2.postMessage(null);
    }
    setTimeout(resolve, 0);
  });

/** Counts time spent since the last turn, and gives the event loop one when it is due. */
class Turns {
  private since = clock();
  async maybeYield(): Promise<void> {
    if (clock() - this.since < TURN_MS) return;
    await nextTurn();
    this.since = clock();
  }
}

/**
 * Reads codec text whose large arrays came apart: in `slices` (for each `slices` tag, by its
 * number, texts of arrays whose items, concatenated, are its items) or in tables of records
 * beside the text (`rows` tags naming more than one table). Without either the value is read
 * at once; with them, a slice or a table at a time, the event loop running in between.
 */
export function readSliced(text: string, slices: readonly (readonly string[])[] | undefined, options: DecodeOptions): unknown {
  const later: Array<() => void> = [];
  const rows = (indices: number[]) => {
    if (indices.length <= 1) return readTables(indices, options);
    const target: unknown[] = [];
    for (const index of indices) later.push(() => appendItems(target, readTables([index], options)));
    return target;
  };
  if (slices && slices.length > 0) {
    const arrays: unknown[][] = slices.map(() => []);
    slices.forEach((texts, n) => {
      for (const piece of texts) later.push(() => appendItems(arrays[n] as unknown[], decodeValue(piece, options) as unknown[]));
    });
    const value = decodeValue(text, { ...options, rows, slices: (index) => arrays[index] ?? [] });
    return fill(later).then(() => value);
  }
  const value = decodeValue(text, { ...options, rows });
  return later.length === 0 ? value : fill(later).then(() => value);
}

/** Appends `items` to `target` index by index: a hole in the items stays a hole. */
function appendItems(target: unknown[], items: unknown[]): void {
  const base = target.length;
  for (let i = 0; i < items.length; i++) if (i in items) target[base + i] = items[i];
  target.length = base + items.length;
}

/** Runs the pieces of reading in order, giving the event loop a turn every few milliseconds. */
async function fill(pieces: Array<() => void>): Promise<void> {
  // The slices' text was just made into strings in the same task: the event loop goes first.
  await nextTurn();
  const turns = new Turns();
  for (const piece of pieces) {
    await turns.maybeYield();
    piece();
  }
}

/**
 * Writes a value as codec text, like `encodeValue`: at once when it holds no large array, in
 * pieces (the event loop getting its turns) when it does. Written in pieces, binary data goes
 * inline (base64), never to `options.buffers`: by the time the last piece is written, the
 * caller may have sent those buffers with something else.
 */
export function writeSliced(value: unknown, options: EncodeOptions): string | Promise<string> {
  const large = findLargeArrays(value);
  if (large.length === 0) return encodeValue(value, options);
  return writeInPieces(value, large, options);
}

type Found = { array: unknown[]; path: Array<string | number> };

/**
 * Large plain arrays in plain objects and arrays, outside other large arrays. Every run's flow
 * goes through this, so it allocates nothing per container it passes: the way to each
 * container is kept as an index into flat lists, and a path is only spelled out when found.
 */
function findLargeArrays(value: unknown): Found[] {
  const found: Found[] = [];
  if (!isContainer(value)) return found;
  const nodes: object[] = [value];
  const parents: number[] = [-1];
  const keys: Array<string | number> = [""];
  const pending: number[] = [0];
  while (pending.length > 0 && nodes.length < SEARCH_LIMIT) {
    const at = pending.pop() as number;
    const node = nodes[at] as Record<string | number, unknown>;
    const isArray = Array.isArray(node);
    if (isArray && (node as unknown[]).length >= LARGE_ARRAY && at !== 0) {
      found.push({ array: node as unknown[], path: pathTo(at, parents, keys) });
      continue;
    }
    for (const key in node) {
      const item = node[key];
      if (typeof item !== "object" || item === null || !isContainer(item)) continue;
      pending.push(nodes.length);
      nodes.push(item);
      parents.push(at);
      keys.push(isArray ? Number(key) : key);
    }
  }
  return found;
}

function pathTo(at: number, parents: number[], keys: Array<string | number>): Array<string | number> {
  const path: Array<string | number> = [];
  for (let i = at; i > 0; i = parents[i] as number) path.push(keys[i] as string | number);
  return path.reverse();
}

/** A plain object or a plain array: what the search walks into. */
function isContainer(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

async function writeInPieces(value: unknown, large: Found[], given: EncodeOptions): Promise<string> {
  const { buffers: _apart, ...options } = given;
  // A marker no value can hold by chance (it carries a random nonce) stands for each large
  // array in a copy of the containers above it; the arrays' own text then takes its place.
  const nonce = `\u0000${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}:`;
  // One marker per array: an array reached along two paths is written once, its text (or its
  // buffer) standing in at both places.
  const firstAt = new Map<unknown[], number>();
  large.forEach(({ array }, n) => {
    if (!firstAt.has(array)) firstAt.set(array, n);
  });
  const markers = large.map(({ array }) => `${nonce}${firstAt.get(array)}`);
  const skeleton = withMarkers(value, large, markers);
  const turns = new Turns();
  const pieces: string[] = [];
  let text = encodeValue(skeleton, options);
  for (let n = 0; n < large.length; n++) {
    const { array, path } = large[n] as Found;
    if (firstAt.get(array) !== n) {
      pieces.push("");
      continue;
    }
    if (given.buffersAfterText && given.buffers && array.length <= F64_ARRAY_MAX && isNumberArray(array)) {
      await turns.maybeYield();
      given.buffers.push(numbersToBytes(array));
      pieces.push(`{"${TAG}":"f64","i":${given.buffers.length - 1}}`);
      continue;
    }
    if (given.buffersAfterText && given.buffers && (typeof given.tables === "function" ? given.tables(path) : given.tables === true)) {
      // Records of one shape cross as tables of columns (their text columns inline).
      await turns.maybeYield();
      const tables = await encodeTables(array, options, () => turns.maybeYield());
      if (tables) {
        const first = given.buffers.length;
        given.buffers.push(...tables);
        pieces.push(`{"${TAG}":"rows","i":[${tables.map((_, k) => first + k).join(",")}]}`);
        continue;
      }
    }
    const items: string[] = [];
    for (let at = 0; at < array.length; at += ITEMS_PER_PIECE) {
      await turns.maybeYield();
      const piece = encodeValue(array.slice(at, at + ITEMS_PER_PIECE), options);
      if (piece.length > 2) items.push(piece.slice(1, -1));
    }
    pieces.push(`[${items.join(",")}]`);
  }
  // Every occurrence: a container reached along two paths holds the marker twice.
  for (const n of firstAt.values()) text = text.replaceAll(encodeValue(markers[n]), () => pieces[n] as string);
  // Handing the text over (copying it into the engine) is the caller's next step: after a turn of
  // the event loop when this task has already held it for a while (a turn each time cost a
  // short flow's run a trip through the event loop).
  await turns.maybeYield();
  return text;
}

/** Dense and nothing but numbers (a hole is not a number). */
function isNumberArray(array: unknown[]): array is number[] {
  for (let i = 0; i < array.length; i++) if (typeof array[i] !== "number") return false;
  return true;
}

/** `value` with each large array replaced by its marker, the containers above copied. */
function withMarkers(value: unknown, large: Found[], markers: string[]): unknown {
  const copies = new Map<object, Record<string | number, unknown>>();
  // Spread defines own properties (a "__proto__" key stays a key); the copy is only written.
  const copyOf = (node: object): Record<string | number, unknown> => {
    let copy = copies.get(node);
    if (!copy) {
      copy = (Array.isArray(node) ? node.slice() : { ...node }) as Record<string | number, unknown>;
      copies.set(node, copy);
    }
    return copy;
  };
  const put = (target: Record<string | number, unknown>, key: string | number, item: unknown) =>
    Object.defineProperty(target, key, { value: item, writable: true, enumerable: true, configurable: true });
  const root = copyOf(value as object);
  large.forEach(({ path }, n) => {
    let original = value as Record<string | number, unknown>;
    let copy = root;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string | number;
      original = original[key] as Record<string | number, unknown>;
      const next = copyOf(original);
      put(copy, key, next);
      copy = next;
    }
    put(copy, path[path.length - 1] as string | number, markers[n]);
  });
  return root;
}
