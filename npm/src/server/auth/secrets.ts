/**
 * Bearer secrets: session tokens and API keys. Each is 32 random bytes, base64url, behind a
 * prefix saying what it is (`atk_` a session token, `ak_` an API key). The server keeps only
 * their SHA-256 digests: a leaked store holds nothing that authenticates. Presented secrets are
 * digested and looked up by digest, never compared as text: the timing of a map lookup on a
 * digest tells an attacker nothing about the secret (they cannot choose digests).
 */
import { createHash, randomBytes } from "node:crypto";

/** A fresh secret: `<prefix>_<32 random bytes, base64url>`. */
export function newSecret(prefix: "atk" | "ak"): string {
  return `${prefix}_${randomBytes(32).toString("base64url")}`;
}

/** The digest a secret is stored and looked up by (hex SHA-256). */
export function digestOf(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new API key for a machine client: give `key` to the client, configure the server with `keyHash`. */
export function generateApiKey(): { key: string; keyHash: string } {
  const key = newSecret("ak");
  return { key, keyHash: digestOf(key) };
}
