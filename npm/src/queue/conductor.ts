/**
 * `createQueueConductor`: the conductor API with runs on a pool of queue workers. `node.run`,
 * `flow.run` and `execute` queue the run and resolve with its result; progress, completion and
 * error events fire as for a local run; `node.cancel` stops a run on whichever worker has it;
 * `executions.*` read the history every worker writes; saved flows are shared by every producer.
 * The catalog, formats and validation are answered here, by a native engine that runs nothing.
 */
import { createConductorApi, type Conductor } from "../conductor/api.js";
import { delegatingEngine } from "../conductor/delegate.js";
import type { EngineAdapter } from "../conductor/engine.js";
import { NativeEngine } from "../engines/native/engine.js";
import { remoteEngine } from "../engines/remote/engine.js";
import { nodeEnvironment } from "../node-environment.js";
import { checkConductorConfig } from "../options/entries.js";
import { ErrorCode } from "../types/errors.js";
import type { ConductorConfig } from "../types/execution.js";
import type { QueueConductorOptions } from "../types/options.generated.js";
import { loadBullmq, resolveLocation } from "./connection.js";
import { databaseUrl, queueHistoryConfig } from "./history.js";
import { jobIdOf } from "./payload.js";
import { QueueProducer } from "./producer.js";

export type { QueueConductorOptions } from "../types/options.generated.js";

export type QueueConductor = Conductor & {
  /** `shutdown()` (the runs this conductor waits on are cancelled), then its Redis connections are closed. */
  close(): Promise<void>;
};

export function createQueueConductor(options: QueueConductorOptions): QueueConductor {
  checkConductorConfig(options, "queue");
  const bull = loadBullmq();
  const where = resolveLocation(options);
  const { connection: _c, queue: _q, prefix: _p, pollInterval, history, store, ...rest } = options;
  // The engine keeps the saved flows beside the history it is given (the PostgreSQL database,
  // else the queue's Redis), shared by every producer: the queue names the store, not the place.
  const database = databaseUrl(store);
  const settings: ConductorConfig = { ...rest, history: queueHistoryConfig(where, history, database) };
  const local = new NativeEngine(settings);
  const statusOf = async (id: string) => {
    // In the queue's own Redis, the history goes with the jobs: it cannot say what became of them.
    if (!database) return "off" as const;
    const record = await local.executions("get", id);
    if (record.ok) return record.value.status;
    if (record.error.code === ErrorCode.NODE_NOT_FOUND) return null;
    // History off (`history: false`): no record will ever say.
    return record.error.code === ErrorCode.VALIDATION_FAILED ? "off" : undefined;
  };
  const producer = new QueueProducer(bull, where, (id, message) => local.markCrashed(id, message), statusOf, { pollInterval });
  let closing: Promise<void> | undefined;
  // `shutdown()` cancels this conductor's runs in flight, waits for them, then releases (closes) this.
  const close = () =>
    (closing ??= (async () => {
      await producer.close();
      local.close();
    })());
  const queued: EngineAdapter = delegatingEngine(() => local, {
    kind: "remote",
    handsRunsTo: {
      to: "queue",
      // The producer's side of the messaging conventions (the worker's span says "process").
      attributes: (executionId) => ({
        "messaging.system": "bullmq",
        "messaging.destination.name": where.queue,
        "messaging.operation.type": "send",
        "messaging.message.id": jobIdOf(executionId),
      }),
    },
    setExecutorFactory: () => {}, // custom node types run on the workers (their --executors module)
    setEventListener: (listener) => {
      local.setEventListener(listener);
      producer.setEventListener(listener);
    },
    flushEvents: () => {},
    run: (flow, runOptions) => producer.run(flow, runOptions),
    cancel: (executionId) => producer.cancel(executionId),
    controlRun: () => false,
    close,
  } as Partial<EngineAdapter>);
  const conductor = createConductorApi(queued, settings, { environment: nodeEnvironment(), remote: remoteEngine });
  return Object.assign(conductor, {
    close: async () => {
      await conductor.shutdown();
      await close();
    },
  });
}
