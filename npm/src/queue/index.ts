/** Queue mode: runs on a pool of worker processes over BullMQ and Redis (README "Queue mode"). */
export { createQueueConductor, type QueueConductor, type QueueConductorOptions } from "./conductor.js";
export { startQueueWorker, type QueueWorker, type QueueWorkerEvent, type QueueWorkerOptions } from "./worker.js";
export { DEFAULT_PREFIX, DEFAULT_QUEUE, type QueueLocation, type RedisConnection } from "./connection.js";
export type { QueueHistoryOptions } from "./history.js";
