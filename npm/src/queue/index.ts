/** Queue mode: runs on a pool of worker processes over BullMQ and Redis (docs/queue.md). */
export { createQueueConductor, type QueueConductor, type QueueConductorOptions } from "./conductor.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from "./worker.js";
export type { QueueWorkerEvent } from "../types/queue-worker-event.js";
export { DEFAULT_PREFIX, DEFAULT_QUEUE, type QueueLocation, type RedisConnection } from "./connection.js";
export type { QueueHistoryOptions } from "./history.js";
