/** What a queue worker reports as runs start and end (`startQueueWorker({onRun})`). */
export type QueueWorkerEvent =
  | { type: "started"; executionId: string; flowId: string }
  /** A run whose worker died, taken over here to go on from its checkpoints. */
  | { type: "resumed"; executionId: string; flowId: string }
  | { type: "ended"; executionId: string; flowId: string; success: boolean; code?: string; duration: number }
  | { type: "crashed"; executionId: string };
