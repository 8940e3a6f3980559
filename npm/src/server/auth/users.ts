/**
 * Who may log in, and which machine clients hold API keys. Users come as entries with a
 * `hashPassword` hash (checked here, in constant time, with the same work for unknown names so
 * timing does not tell which names exist) or as the app's own verifier function. API keys come
 * as SHA-256 digests (`generateApiKey().keyHash`), or as keys that are digested at startup.
 */
import type { ApiKeyEntry, UserEntry } from "../../types/options.generated.js";
import type { UserVerifier } from "../../types/server-auth.js";

export type { ApiKeyEntry, UserEntry } from "../../types/options.generated.js";
import { hashPassword, isPasswordHash, verifyPassword } from "./passwords.js";
import { digestOf } from "./secrets.js";

/** `entries` as a verifier. Throws at once on entries that could never work. */
export function verifierOf(entries: readonly UserEntry[]): UserVerifier {
  const byName = new Map<string, UserEntry>();
  entries.forEach((entry, index) => {
    if (typeof entry?.username !== "string" || entry.username === "") throw new TypeError(`auth.users[${index}] needs a username`);
    if (!isPasswordHash(entry.passwordHash)) {
      throw new TypeError(
        `auth.users[${index}] (${entry.username}): passwordHash must come from hashPassword(); plain passwords are not accepted`,
      );
    }
    if (byName.has(entry.username)) throw new TypeError(`auth.users: the username ${entry.username} appears twice`);
    byName.set(entry.username, entry);
  });
  // Checked for unknown names, so they cost what known ones do.
  let decoy: Promise<string> | undefined;
  return async (username, password) => {
    const entry = byName.get(username);
    decoy ??= hashPassword("decoy password for unknown users");
    const matches = await verifyPassword(password, entry?.passwordHash ?? (await decoy));
    if (!entry || !matches) return null;
    const { passwordHash: _hash, ...user } = entry;
    return user;
  };
}

/** API keys by digest. Throws at once on entries that could never work. */
export function apiKeysOf(entries: readonly ApiKeyEntry[]): Map<string, ApiKeyEntry> {
  const byDigest = new Map<string, ApiKeyEntry>();
  const ids = new Set<string>();
  entries.forEach((entry, index) => {
    if (typeof entry?.id !== "string" || entry.id === "") throw new TypeError(`auth.apiKeys[${index}] needs an id`);
    if (ids.has(entry.id)) throw new TypeError(`auth.apiKeys: the id ${entry.id} appears twice`);
    ids.add(entry.id);
    const digest =
      typeof entry.keyHash === "string"
        ? entry.keyHash.toLowerCase()
        : typeof entry.key === "string" && entry.key.length >= 16
          ? digestOf(entry.key)
          : undefined;
    if (!digest || !/^[0-9a-f]{64}$/.test(digest)) {
      throw new TypeError(
        `auth.apiKeys[${index}] (${entry.id}) needs a keyHash (hex SHA-256, from generateApiKey()) or a key of 16 characters or more`,
      );
    }
    byDigest.set(digest, entry);
  });
  return byDigest;
}
