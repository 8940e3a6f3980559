/**
 * For the values' unit tests (not published): `difference` says where two values differ more
 * strictly than `deepStrictEqual` does (`Object.is` at the leaves, so `-0` and `NaN` count; holes,
 * key order and prototypes included), and `same` asserts that there is no difference.
 */
import * as assert from "node:assert/strict";

/** Where `a` and `b` differ (`Object.is` at the leaves; holes, key order and prototypes included), or undefined. */
export function difference(a: unknown, b: unknown, path = ""): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== typeof b || typeof a !== "object" || a === null || b === null) return `${path}: ${String(a)} ≠ ${String(b)}`;
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  if (Object.prototype.toString.call(x) !== Object.prototype.toString.call(y)) return `${path}: kinds differ`;
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return `${path}: prototypes differ`;
  if (x instanceof Date) return x.getTime() === (y as unknown as Date).getTime() ? undefined : `${path}: dates differ`;
  if (x instanceof Uint8Array) return Buffer.compare(x, y as unknown as Uint8Array) === 0 ? undefined : `${path}: bytes differ`;
  if (x instanceof Map || x instanceof Set) return difference([...x], [...(y as unknown as Map<unknown, unknown>)], path);
  if (x instanceof RegExp) return String(x) === String(y) ? undefined : `${path}: patterns differ`;
  const keys = Reflect.ownKeys(x);
  if (keys.join() !== Reflect.ownKeys(y).join()) return `${path}: keys ${keys.join()} ≠ ${Reflect.ownKeys(y).join()}`;
  for (const key of keys) {
    const found = difference(x[key as string], y[key as string], `${path}.${String(key)}`);
    if (found) return found;
  }
  return undefined;
}

/** Asserts that `actual` is `expected` exactly (see `difference`), and deep-strict-equal too. */
export function same(actual: unknown, expected: unknown): void {
  assert.equal(difference(actual, expected), undefined);
  assert.deepStrictEqual(actual, expected);
}
