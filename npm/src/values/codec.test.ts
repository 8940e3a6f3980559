/**
 * Unit tests of the value codec's TypeScript side, without an engine: plain data is JSON as it
 * is, what JSON cannot say comes back the same through its tags, and what cannot be carried is
 * refused naming where it is.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { HandleRef, TAG, ValueEncodeError, decodeValue, encodeValue } from "./codec.js";
import { difference } from "./exact.test-support.js";

test("plain data is written as JSON.stringify writes it", () => {
  for (const value of [null, true, 0, 1.5, "text", [], {}, [1, "two", { three: [3] }], { a: { b: { c: null } } }]) {
    assert.equal(encodeValue(value), JSON.stringify(value));
    assert.deepEqual(decodeValue(encodeValue(value)), value);
  }
});

test("what JSON cannot say comes back the same, base64 or beside the text", () => {
  const holey = [1, 2, 3];
  delete holey[1];
  const value = {
    missing: undefined,
    numbers: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0],
    date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)),
    bytes: new Uint8Array([0, 1, 254, 255]),
    map: new Map<unknown, unknown>([
      ["k", 1],
      [2, { deep: [undefined] }],
    ]),
    set: new Set(["a", 1]),
    big: 12345678901234567890n,
    lone: "a\uD800b",
    holey,
    pattern: /a+b/gi,
    [TAG]: "the tag's own name as a key, not first",
    lookalike: { [TAG]: "date", v: "an object whose first key is the tag's name is data too" },
  };
  const inline = decodeValue(encodeValue(value));
  assert.equal(difference(inline, value), undefined);
  const buffers: Uint8Array[] = [];
  const text = encodeValue(value, { buffers });
  assert.equal(buffers.length, 1, "the bytes crossed beside the text");
  assert.equal(difference(decodeValue(text, { buffers }), value), undefined);
  assert.ok(!(1 in (inline as { holey: unknown[] }).holey), "a hole stays a hole");
});

test("a value kept on the JS side crosses as its handle, and comes back as itself", () => {
  const kept = new Map<number, unknown>();
  const fn = () => 42;
  const text = encodeValue(
    { fn, list: [fn] },
    {
      handle: (value) => {
        kept.set(kept.size + 1, value);
        return kept.size;
      },
    },
  );
  assert.ok(text.includes('"js"'), text);
  const back = decodeValue(text, { resolve: (id) => kept.get(id) }) as { fn: unknown; list: unknown[] };
  assert.equal(back.fn, fn);
  assert.equal(back.list[0], fn);
  assert.equal(JSON.stringify(new HandleRef(7)), JSON.stringify({ [TAG]: "js", v: 7 }));
});

test("what cannot be carried is refused, saying what and where", () => {
  const cyclic: Record<string, unknown> = { a: { b: [1] } };
  ((cyclic.a as Record<string, unknown>).b as unknown[]).push(cyclic);
  const refusal = (value: unknown) => {
    try {
      encodeValue(value);
    } catch (error) {
      assert.ok(error instanceof ValueEncodeError, String(error));
      assert.equal(error.code, "SERIALIZATION_FAILED");
      return error.message;
    }
    assert.fail("it was written");
  };
  assert.match(refusal(cyclic), /\.a\.b\[1\]/);
  assert.match(refusal({ run: () => 1 }), /function at \.run/i);
  assert.match(refusal({ s: Symbol("x") }), /symbol at \.s/i);
});

test("a value nested a hundred thousand deep is written and read without exhausting the stack", () => {
  let deep: unknown = "bottom";
  for (let i = 0; i < 100_000; i++) deep = [deep, undefined];
  const back = decodeValue(encodeValue(deep));
  let at = back;
  for (let i = 0; i < 100_000; i++) {
    assert.ok(Array.isArray(at) && at.length === 2 && at[1] === undefined && 1 in at);
    at = at[0];
  }
  assert.equal(at, "bottom");
});
