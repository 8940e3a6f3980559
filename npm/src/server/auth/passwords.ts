/**
 * Password hashing with Node's built-in scrypt (memory-hard, no dependency). Hashes are
 * self-describing strings, `scrypt$N$r$p$<salt>$<key>` (base64url), so the cost can be raised
 * later without invalidating stored ones. Passwords are never compared as text: the derived keys
 * are compared in constant time.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";

const COST = 16_384; // N: 16 MiB of memory per hash with r = 8, the common interactive setting
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Longer inputs are refused before any work: the hash costs the same, but they have no use. */
export const MAX_PASSWORD_LENGTH = 1024;
/** Stored parameters beyond these are refused rather than computed (a tampered store must not exhaust memory). */
const MAX_COST = 1 << 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELISM = 16;

function scrypt(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

function options(N: number, r: number, p: number): ScryptOptions {
  // scrypt needs about 128·N·r bytes; Node refuses above maxmem (32 MiB by default).
  return { N, r, p, maxmem: 256 * N * r + (1 << 20) };
}

/** A hash of `password` for a user entry (`{username, passwordHash}`) of `createProtocolServer`'s `auth.users`. */
export async function hashPassword(password: string): Promise<string> {
  if (typeof password !== "string" || password.length === 0 || password.length > MAX_PASSWORD_LENGTH) {
    throw new TypeError(`hashPassword needs a password of 1 to ${MAX_PASSWORD_LENGTH} characters`);
  }
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, options(COST, BLOCK_SIZE, PARALLELISM));
  return ["scrypt", COST, BLOCK_SIZE, PARALLELISM, salt.toString("base64url"), key.toString("base64url")].join("$");
}

type Parsed = { N: number; r: number; p: number; salt: Buffer; key: Buffer };

function parse(stored: unknown): Parsed | undefined {
  if (typeof stored !== "string") return undefined;
  const [scheme, N, r, p, salt, key, ...rest] = stored.split("$");
  if (scheme !== "scrypt" || rest.length > 0 || !salt || !key) return undefined;
  const [n, blocks, parallel] = [Number(N), Number(r), Number(p)];
  const valid =
    Number.isInteger(n) &&
    n > 1 &&
    n <= MAX_COST &&
    (n & (n - 1)) === 0 &&
    Number.isInteger(blocks) &&
    blocks >= 1 &&
    blocks <= MAX_BLOCK_SIZE &&
    Number.isInteger(parallel) &&
    parallel >= 1 &&
    parallel <= MAX_PARALLELISM;
  const parsed = { N: n, r: blocks, p: parallel, salt: Buffer.from(salt, "base64url"), key: Buffer.from(key, "base64url") };
  return valid && parsed.salt.length > 0 && parsed.key.length >= 16 ? parsed : undefined;
}

/** Whether `password` matches `stored` (a `hashPassword` result); `false` for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || typeof password !== "string" || password.length > MAX_PASSWORD_LENGTH) return false;
  const key = await scrypt(password, parsed.salt, parsed.key.length, options(parsed.N, parsed.r, parsed.p));
  return timingSafeEqual(key, parsed.key);
}

/** Whether `stored` is a hash `verifyPassword` can check (for validating configuration early). */
export function isPasswordHash(stored: unknown): boolean {
  return parse(stored) !== undefined;
}
