/**
 * Where the queue lives and what it is called, shared by producers (`createQueueConductor`) and
 * workers (`startQueueWorker`, `atomiton worker`): one Redis, one queue name, and the key names
 * derived from them. BullMQ is an optional peer dependency, loaded only when queue mode is used.
 */
import nodeRequire from "../runtime/node-require.cjs";

/** A Redis URL (`redis://[user:password@]host:port[/db]`) or its parts. */
export type RedisConnection = string | { host?: string; port?: number; username?: string; password?: string; db?: number };

/** What producers and workers of one queue must agree on. */
export type QueueLocation = {
  /** The Redis server. */
  connection: RedisConnection;
  /** The queue's name (default `"atomiton-runs"`): producers and workers of one pool share it. */
  queue?: string;
  /** Prefix of every Redis key (default `"atomiton"`), BullMQ's included. */
  prefix?: string;
};

export const DEFAULT_QUEUE = "atomiton-runs";
export const DEFAULT_PREFIX = "atomiton";

/** The options ioredis takes, as BullMQ passes them on. */
export type RedisOptions = { host: string; port: number; username?: string; password?: string; db?: number; maxRetriesPerRequest: null };

/** A resolved location: ioredis options, the URL the engine's history store opens, key names. */
export type ResolvedLocation = {
  redis: RedisOptions;
  url: string;
  queue: string;
  prefix: string;
  /** The channel workers listen on for cancellations. */
  cancelChannel: string;
  /** Prefix of the run history's keys. */
  historyPrefix: string;
};

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function parsed(connection: RedisConnection): RedisOptions {
  if (typeof connection === "string") {
    let url: URL;
    try {
      url = new URL(connection);
    } catch {
      throw new TypeError(`Queue connection: '${connection}' is not a Redis URL (redis://host:port)`);
    }
    // The run history's Redis client speaks plain TCP only: TLS is for a tunnel or a proxy to add.
    if (url.protocol !== "redis:")
      throw new TypeError(
        `Queue connection: '${url.protocol}//…' is not a redis:// URL (TLS is not supported: reach a TLS Redis through a local tunnel)`,
      );
    const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined;
    if (db !== undefined && !Number.isSafeInteger(db)) throw new TypeError(`Queue connection: '${url.pathname}' is not a database number`);
    return {
      // An IPv6 host keeps its brackets in a URL's hostname; ioredis wants the address alone.
      host: url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
      port: url.port ? Number(url.port) : 6379,
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db,
      // BullMQ's workers block on Redis; ioredis must not give up on their commands.
      maxRetriesPerRequest: null,
    };
  }
  if (typeof connection !== "object" || connection === null) throw new TypeError("Queue connection: give a redis:// URL or { host, port }");
  return {
    host: connection.host ?? "127.0.0.1",
    port: connection.port ?? 6379,
    username: connection.username,
    password: connection.password,
    db: connection.db,
    maxRetriesPerRequest: null,
  };
}

function urlOf(redis: RedisOptions): string {
  const auth = redis.password !== undefined ? `${encodeURIComponent(redis.username ?? "")}:${encodeURIComponent(redis.password)}@` : "";
  const host = redis.host.includes(":") ? `[${redis.host}]` : redis.host;
  return `redis://${auth}${host}:${redis.port}/${redis.db ?? 0}`;
}

/** Checks and resolves a location. Throws a `TypeError` naming what is wrong. */
export function resolveLocation(location: QueueLocation): ResolvedLocation {
  const queue = location.queue ?? DEFAULT_QUEUE;
  const prefix = location.prefix ?? DEFAULT_PREFIX;
  for (const [what, name] of [
    ["queue", queue],
    ["prefix", prefix],
  ] as const) {
    if (!NAME.test(name)) throw new TypeError(`Queue ${what} '${name}': use 1-64 letters, digits, '-', '_' or '.'`);
  }
  const redis = parsed(location.connection);
  const base = `${prefix}:${queue}`;
  return {
    redis,
    url: urlOf(redis),
    queue,
    prefix,
    cancelChannel: `${base}:cancel`,
    historyPrefix: `${base}:history`,
  };
}

/** The parts of BullMQ queue mode uses. */
export type BullMQ = typeof import("bullmq");

/** BullMQ, or an error saying how to install it. */
export function loadBullmq(): BullMQ {
  try {
    return nodeRequire.requireFile("bullmq") as BullMQ;
  } catch (error) {
    throw Object.assign(
      new Error(`Queue mode needs the 'bullmq' package: npm install bullmq (${error instanceof Error ? error.message : String(error)})`),
      {
        code: "IMPLEMENTATION_NOT_FOUND",
      },
    );
  }
}
