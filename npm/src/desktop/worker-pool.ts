/**
 * The process's worker pool, where CPU-heavy built-in node work (a large `transform`, image
 * processing, reading a workbook) runs off the JS thread: one slot per core (`workers` in the
 * config), shared by every conductor. Nodes that wait — timers, HTTP, processes, JS executors —
 * never take a slot.
 */
import { loadAddon, type WorkerPoolStats } from "../engines/native/addon.js";

export type { WorkerPoolStats };

export const workerPool = {
  /** Slots, jobs running now, the most that ever ran at once, jobs started. */
  stats(): WorkerPoolStats {
    return loadAddon().workerPoolStats();
  },
  /** Counts `peak` afresh from now. */
  resetPeak(): void {
    loadAddon().workerPoolResetPeak();
  },
};
