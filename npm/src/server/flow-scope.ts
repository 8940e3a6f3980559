/**
 * Saved flows of callers with scope `"own"`: each caller's flows live in the served storage
 * under ids prefixed with the caller's namespace (`o<12 hex>.`, from a hash of the caller's
 * id), so one caller can neither read, list, overwrite nor delete another's, and listing needs no
 * index. Callers see their ids without the prefix; callers with scope `"all"` (and the app
 * itself) see the stored ids. Flows saved by the app directly have no prefix and are visible to
 * scope `"all"` only.
 */
import { createHash, randomUUID } from "node:crypto";
import type { FlowDefinition, FlowListResponse, ListFlowsOptions } from "../types/storage.js";
import type { Caller } from "./caller.js";
import type { ServedConductor } from "./events.js";

type Storage = ServedConductor["storage"];

/** The four storage operations, as one caller sees them. */
export type ScopedStorage = {
  saveFlow(flow: FlowDefinition): Promise<FlowDefinition>;
  loadFlow(id: string): Promise<FlowDefinition>;
  listFlows(options: ListFlowsOptions): Promise<FlowListResponse>;
  deleteFlow(id: string): Promise<void>;
  /** The id under which the caller's flow `id` is stored. */
  storedId(id: string): string;
  /** A `flowSaved` / `flowDeleted` payload as this caller sees it; `undefined`: not theirs. */
  event(data: unknown): unknown;
};

type Fields = Record<string, unknown>;

/** `storage` as `caller` may use it. */
export function scopedStorage(storage: Storage, caller: Caller | undefined): ScopedStorage {
  if (!caller || caller.grant.scope === "all") {
    return {
      saveFlow: (flow) => storage.saveFlow(flow),
      loadFlow: (id) => storage.loadFlow(id),
      listFlows: (options) => storage.listFlows(options),
      deleteFlow: (id) => storage.deleteFlow(id),
      storedId: (id) => id,
      event: (data) => data,
    };
  }
  const prefix = `o${createHash("sha256").update(caller.id).digest("hex").slice(0, 12)}.`;
  const stored = (id: string) => `${prefix}${id}`;
  const own = (id: unknown): id is string => typeof id === "string" && id.startsWith(prefix);
  const shown = <T>(flow: T): T => {
    const record = flow as Fields;
    return own(record?.id) ? ({ ...record, id: record.id.slice(prefix.length) } as T) : flow;
  };
  // The engine's messages name the stored id; the caller knows its own.
  const translated = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (thrown) {
      if (thrown instanceof Error) thrown.message = thrown.message.split(prefix).join("");
      throw thrown;
    }
  };
  return {
    async saveFlow(flow) {
      const given = flow as Fields | null;
      if (given === null || typeof given !== "object") return storage.saveFlow(flow);
      const id = typeof given.id === "string" && given.id !== "" ? given.id : randomUUID();
      return shown(await translated(storage.saveFlow({ ...flow, id: stored(id) })));
    },
    loadFlow: async (id) => shown(await translated(storage.loadFlow(stored(id)))),
    deleteFlow: (id) => translated(storage.deleteFlow(stored(id))),
    storedId: stored,
    async listFlows(options) {
      const limit = count(options?.limit, 50);
      const offset = count(options?.offset, 0);
      // The engine sorts; the caller's share is then paged here.
      const all = await storage.listFlows({ ...options, limit: Number.MAX_SAFE_INTEGER, offset: 0 });
      const mine = all.flows.filter((flow) => own((flow as Fields).id)).map(shown);
      return { ...all, flows: mine.slice(offset, offset + limit), total: mine.length };
    },
    event(data) {
      const payload = data as Fields | null;
      if (!own(payload?.id)) return undefined;
      const visible = shown(payload);
      return own(payload?.flowId) ? { ...visible, flowId: payload.flowId.slice(prefix.length) } : visible;
    },
  };
}

function count(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? Math.floor(value) : fallback;
}
