/**
 * Flow storage the app made itself, in place of the engine's own: either an object with the
 * conductor's storage methods (`saveFlow`, `loadFlow`, `listFlows`, `deleteFlow`), or a
 * key-value storage engine (`save`, `load`, `list`, `delete`, as `@atomiton/storage`'s
 * `createStorage()` returns), in which flows are kept under `flows/<id>`.
 */
import { randomUUID } from "node:crypto";
import { delegatingEngine } from "../conductor/delegate.js";
import type { EngineAdapter } from "../conductor/engine.js";
import type { AppStorage, FlowStore, KeyValueStorage } from "../types/app-storage.js";
import { ErrorCode } from "../types/errors.js";
import type { FlowListItem, FlowListResponse, ListFlowsOptions } from "../types/storage.js";
import type { StoredFlow } from "../types/answers.generated.js";
import type { Outcome, WireEvent } from "../types/wire.js";

type Flow = Record<string, unknown>;

const PREFIX = "flows/";
/** The engine's rule for flow ids, so that no id can escape `flows/` in the app's storage. */
const FLOW_ID = /^[A-Za-z0-9](?:[A-Za-z0-9_-]|\.(?!\.)){0,127}$/;

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

function failure(code: ErrorCode, message: string): never {
  throw Object.assign(new Error(message), { code });
}

function checkedId(id: string): string {
  if (typeof id !== "string" || !FLOW_ID.test(id))
    failure(
      ErrorCode.VALIDATION_FAILED,
      `Invalid flow id '${String(id)}': use 1-128 letters, digits, '-', '_' or inner '.', starting with a letter or digit`,
    );
  return id;
}

/** The conductor's storage methods over a key-value engine. */
function overKeyValue(storage: KeyValueStorage): FlowStore {
  const read = async (id: string): Promise<Flow> => {
    const key = PREFIX + checkedId(id);
    let flow: unknown;
    try {
      flow = await storage.load(key);
    } catch {
      flow = undefined; // the engines throw for a missing key
    }
    if (typeof flow !== "object" || flow === null) failure(ErrorCode.NODE_NOT_FOUND, `Flow with id ${id} not found`);
    // As the engine's store answers: a flow saved as 0.9.0 is loaded as 1.0.0.
    return (flow as Flow).version === "0.9.0" ? { ...(flow as Flow), version: "1.0.0" } : (flow as Flow);
  };
  return {
    async saveFlow(flow) {
      const id = checkedId(typeof flow.id === "string" && flow.id ? flow.id : randomUUID());
      const now = new Date().toISOString();
      const previous = await read(id).catch(() => undefined);
      const saved = {
        ...flow,
        id,
        createdAt: previous?.createdAt ?? now,
        savedAt: now,
        // A flow of the ports format (version 2 or later) keeps its version, which decides what
        // its edges mean; any other is stamped 1.0.0, as the engine's store does.
        version: takesPorts(flow.version) ? flow.version : "1.0.0",
      };
      await storage.save(PREFIX + id, saved);
      return saved;
    },
    loadFlow: read,
    async listFlows(options = {}) {
      const keys = await storage.list(PREFIX);
      const ids = (Array.isArray(keys) ? keys : []).map((entry) =>
        String(typeof entry === "object" && entry ? ((entry as Flow).key ?? (entry as Flow).id) : entry),
      );
      const flows = await Promise.all(
        ids.filter((key) => key.startsWith(PREFIX)).map((key) => read(key.slice(PREFIX.length)).catch(() => undefined)),
      );
      return listing(
        flows.filter((flow): flow is Flow => flow !== undefined),
        options,
      );
    },
    async deleteFlow(id) {
      await read(id);
      await storage.delete(PREFIX + id);
    },
  };
}

/** Whether `version` is of the ports format (major version 2 or later, as the engine reads it). */
function takesPorts(version: unknown): version is string {
  if (typeof version !== "string") return false;
  const major = Number.parseInt(
    version
      .trim()
      .replace(/^[vV]+/, "")
      .split(".")[0] ?? "",
    10,
  );
  return Number.isFinite(major) && major >= 2;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** A listed flow as the engine's store lists one: every field set. */
type Listed = Required<Omit<FlowListItem, "deleted">>;

/**
 * `{flows, total}` listed, sorted and paged as the engine's store does it (the flow-storage
 * contract, npm/test/flow-storage-contract.test.mjs, holds both to the same answers): flows
 * marked `deleted` left out, names compared without case, ties in id order.
 */
function listing(
  flows: Flow[],
  { limit = 50, offset = 0, sortBy = "savedAt", sortOrder = "desc" }: ListFlowsOptions,
): { flows: FlowListItem[]; total: number } {
  const items = flows
    .filter((flow) => flow.deleted !== true)
    .map((flow): Listed => {
      const savedAt = text(flow.savedAt);
      return {
        id: String(flow.id),
        name: text(flow.name),
        nodeCount: Array.isArray(flow.nodes) ? flow.nodes.length : 0,
        savedAt,
        updatedAt: savedAt,
        createdAt: typeof flow.createdAt === "string" ? flow.createdAt : savedAt,
        modifiedAt: savedAt,
        version: text(flow.version),
      };
    });
  const field = (item: Listed): string =>
    sortBy === "name" ? item.name.toLowerCase() : sortBy === "createdAt" ? item.createdAt : item.savedAt;
  const direction = sortOrder === "asc" ? 1 : -1;
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  items.sort((a, b) => direction * (order(field(a), field(b)) || order(a.id, b.id)));
  return { flows: items.slice(offset, offset + limit), total: items.length };
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

/** `engine` with its flow storage replaced by `storage`; `onFlowSaved` fires as before. */
export function withAppStorage(engine: EngineAdapter, storage: AppStorage): EngineAdapter {
  const flows = "saveFlow" in storage ? storage : overKeyValue(storage);
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
