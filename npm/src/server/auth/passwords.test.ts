/**
 * Unit tests of password hashing: a hash verifies its password and no other, describes its own
 * cost, and a malformed or tampered hash (one that would ask for more memory than allowed) is
 * refused without being computed.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_PASSWORD_LENGTH, hashPassword, isPasswordHash, verifyPassword } from "./passwords.js";

test("a hash verifies its password and no other, and two hashes of one password differ", async () => {
  const hash = await hashPassword("correct horse");
  assert.match(hash, /^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
  assert.ok(isPasswordHash(hash));
  assert.equal(await verifyPassword("correct horse", hash), true);
  assert.equal(await verifyPassword("correct horsE", hash), false);
  assert.equal(await verifyPassword("", hash), false);
  assert.notEqual(await hashPassword("correct horse"), hash, "a salt of its own");
});

test("passwords out of bounds are refused before any work", async () => {
  await assert.rejects(hashPassword(""), TypeError);
  await assert.rejects(hashPassword("x".repeat(MAX_PASSWORD_LENGTH + 1)), TypeError);
  const hash = await hashPassword("x".repeat(MAX_PASSWORD_LENGTH));
  assert.equal(await verifyPassword("x".repeat(MAX_PASSWORD_LENGTH + 1), hash), false);
});

test("a malformed or tampered hash is not a hash, and verifies nothing", async () => {
  const hash = await hashPassword("pw");
  const [, , , , salt, key] = hash.split("$");
  for (const bad of [
    "",
    "plain text",
    `bcrypt$16384$8$1$${salt}$${key}`,
    `scrypt$16384$8$1$${salt}$${key}$extra`,
    `scrypt$16383$8$1$${salt}$${key}`, // N not a power of two
    `scrypt$${2 ** 21}$8$1$${salt}$${key}`, // more memory than any stored hash may ask for
    `scrypt$16384$33$1$${salt}$${key}`,
    `scrypt$16384$8$17$${salt}$${key}`,
    `scrypt$16384$8$1$$${key}`,
    `scrypt$16384$8$1$${salt}$${key?.slice(0, 8)}`, // a key too short to mean anything
  ]) {
    assert.equal(isPasswordHash(bad), false, bad);
    assert.equal(await verifyPassword("pw", bad), false, bad);
  }
  assert.equal(isPasswordHash(42), false);
});
