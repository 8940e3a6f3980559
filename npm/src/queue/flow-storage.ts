/**
 * Saved flows in Redis, one hash shared by every producer of a queue: the key-value storage the
 * conductor keeps flows in (`flows/<id>` keys, see `desktop/app-storage.ts`), each flow as codec
 * text so a saved flow reads back exactly as it was given.
 */
import type { KeyValueStorage } from "../types/app-storage.js";
import { decodeValue, encodeValue } from "../values/codec.js";

/** The Redis commands the storage uses (an ioredis client has them). */
export type HashCommands = {
  hset(key: string, field: string, value: string): Promise<unknown>;
  hget(key: string, field: string): Promise<string | null>;
  hkeys(key: string): Promise<string[]>;
  hdel(key: string, field: string): Promise<unknown>;
};

export function redisFlowStorage(client: () => Promise<HashCommands>, hashKey: string): KeyValueStorage {
  return {
    async save(key, data) {
      await (await client()).hset(hashKey, key, encodeValue(data));
    },
    async load(key) {
      const text = await (await client()).hget(hashKey, key);
      if (text === null) throw new Error(`No value under ${key}`);
      return decodeValue(text);
    },
    async list(prefix = "") {
      return (await (await client()).hkeys(hashKey)).filter((key) => key.startsWith(prefix));
    },
    async delete(key) {
      await (await client()).hdel(hashKey, key);
    },
  };
}
