/**
 * Flow storage the app made itself, in place of the engine's own: either an object with the
 * conductor's storage methods (`saveFlow`, `loadFlow`, `listFlows`, `deleteFlow`: the app's own
 * rules, used as they are), or a key-value storage engine (`save`, `load`, `list`, `delete`, as
 * `@atomiton/storage`'s `createStorage()` returns), in which the engine keeps flows under
 * `flows/<id>` by its own rules (ids, versions, `savedAt`, sorting, paging: those of every
 * other store) and this module only moves each flow in and out.
 */
import { delegatingEngine } from "../conductor/delegate.js";
import type { EngineAdapter, FlowTexts } from "../conductor/engine.js";
import type { AppStorage, FlowStore, KeyValueStorage } from "../types/app-storage.js";
import { ErrorCode } from "../types/errors.js";
import type { FlowListResponse } from "../types/storage.js";
import type { StoredFlow } from "../types/answers.generated.js";
import type { Outcome, WireEvent } from "../types/wire.js";

type Flow = Record<string, unknown>;

const PREFIX = "flows/";
/** The engine's key for a flow's text (`<id>.flow.yaml`, as in a directory of flows). */
const SUFFIX = ".flow.yaml";

const isFunction = (value: unknown): boolean => typeof value === "function";

/** Whether `value` is a storage object (rather than a `StorageConfig`). */
export function isAppStorage(value: unknown): value is AppStorage {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    ["saveFlow", "loadFlow", "listFlows", "deleteFlow"].every((name) => isFunction(candidate[name])) ||
    ["save", "load", "list", "delete"].every((name) => isFunction(candidate[name]))
  );
}

/** Whether the app's storage is a key-value engine (the engine keeps flows in it) rather than a flow store of its own. */
export function isKeyValueStorage(storage: AppStorage): storage is KeyValueStorage {
  return !["saveFlow", "loadFlow", "listFlows", "deleteFlow"].every((name) => isFunction((storage as Record<string, unknown>)[name]));
}

/**
 * The engine's flow texts in a key-value engine: the text under `<id>.flow.yaml` is the flow
 * under `flows/<id>`, kept as the object it is (so the app's storage holds flows, as before);
 * a flow the app stored as text is read as that text. Nothing here decides what a flow is.
 */
export function flowTextsIn(storage: KeyValueStorage): FlowTexts {
  const appKey = (key: string) => PREFIX + (key.endsWith(SUFFIX) ? key.slice(0, -SUFFIX.length) : key);
  const load = async (key: string): Promise<unknown> => {
    try {
      return await storage.load(appKey(key));
    } catch {
      return undefined; // the engines throw for a missing key
    }
  };
  return async ({ op, key, text }) => {
    switch (op) {
      case "read": {
        const flow = await load(key);
        if (typeof flow === "string") return flow;
        return typeof flow === "object" && flow !== null ? JSON.stringify(flow) : null;
      }
      case "write":
        await storage.save(appKey(key), JSON.parse(text ?? "null"));
        return null;
      case "remove": {
        const there = (await load(key)) !== undefined;
        if (there) await storage.delete(appKey(key));
        return there;
      }
      case "keys": {
        const listed = await storage.list(PREFIX);
        return (Array.isArray(listed) ? listed : [])
          .map((entry) => String(typeof entry === "object" && entry ? ((entry as Flow).key ?? (entry as Flow).id) : entry))
          .filter((name) => name.startsWith(PREFIX))
          .map((name) => name.slice(PREFIX.length) + SUFFIX);
      }
    }
  };
}

const CODES = new Set<string>(Object.values(ErrorCode));

/** The app storage's failure with our code: its own when it is one, `NODE_NOT_FOUND` for a `NOT_FOUND`, else `UNKNOWN_ERROR`. */
async function outcome<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (thrown) {
    const failed = thrown as { message?: unknown; code?: unknown } | null;
    const given = typeof failed?.code === "string" ? failed.code : "";
    const code = CODES.has(given) ? (given as ErrorCode) : given === "NOT_FOUND" ? ErrorCode.NODE_NOT_FOUND : ErrorCode.UNKNOWN_ERROR;
    return {
      ok: false,
      error: { code, message: typeof failed?.message === "string" ? failed.message : String(thrown), timestamp: Date.now() },
    };
  }
}

/** `engine` with its flow storage replaced by the app's own flow store; `onFlowSaved` fires as before. */
export function withAppStorage(engine: EngineAdapter, flows: FlowStore): EngineAdapter {
  let emit: (events: WireEvent[]) => void = () => {};
  return delegatingEngine(() => engine, {
    setEventListener(listener) {
      emit = listener;
      engine.setEventListener(listener);
    },
    saveFlow: (flow) =>
      outcome(async () => {
        // The app's storage keeps flows as it is given them: what it answers is the stored flow.
        const saved = (await flows.saveFlow(flow as Flow)) as StoredFlow;
        const id = String(saved?.id ?? (flow as Flow).id);
        const savedAt = String(saved?.savedAt ?? new Date().toISOString());
        emit([{ type: "flowSaved", id, flowId: id, name: String(saved?.name ?? ""), savedAt, timestamp: Date.now() }]);
        return saved;
      }),
    loadFlow: (id) => outcome(async () => (await flows.loadFlow(id)) as StoredFlow),
    listFlows: (options) => outcome(async () => (await flows.listFlows(options)) as FlowListResponse),
    deleteFlow: (id) =>
      outcome(async () => {
        await flows.deleteFlow(id);
        return null;
      }),
  });
}
