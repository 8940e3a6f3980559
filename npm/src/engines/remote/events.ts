/**
 * Events the server broadcasts (as the TypeScript engine's desktop did: `node` progress/completed/error,
 * `storage` flowSaved) → the engine's `WireEvent`s. Payloads are passed on as they come; only the
 * fields a `WireEvent` names are filled in where the TypeScript engine's desktop leaves them out.
 */
import { ErrorCode } from "../../types/errors.js";
import type { WireEvent } from "../../types/wire.js";
import type { ChannelTransport } from "../../types/channel-transport.js";
import { epochMs } from "./wire.js";

type Payload = Record<string, unknown>;

/** Subscribes `deliver` to every event the conductor API consumes; returns the unsubscribes. */
export function listenToServerEvents(transport: ChannelTransport, deliver: (event: WireEvent) => void): Array<() => void> {
  const node = transport.channel("node");
  const storage = transport.channel("storage");
  const on = (channel: typeof node, event: string, toWire: (data: Payload) => WireEvent) =>
    channel.listen(event, (data) => deliver(toWire(typeof data === "object" && data !== null ? (data as Payload) : {})));
  return [
    on(node, "progress", (data) => ({ ...data, type: "progress" })),
    on(node, "paused", (data) => ({
      type: "paused",
      executionId: String(data.executionId ?? ""),
      nodeId: String(data.nodeId ?? ""),
      input: data.input,
    })),
    on(node, "completed", (data) => ({
      type: "completed",
      executionId: String(data.executionId ?? ""),
      nodeId: String(data.nodeId ?? ""),
    })),
    on(node, "error", (data) => ({
      type: "error",
      executionId: String(data.executionId ?? ""),
      nodeId: String(data.nodeId ?? ""),
      error: {
        code: (typeof data.code === "string" ? data.code : ErrorCode.EXECUTION_FAILED) as ErrorCode,
        message: String(data.error ?? ""),
        timestamp: epochMs(data.timestamp),
      },
    })),
    // The desktop sends `{id, name, savedAt}`; our server also `flowId` and `timestamp`.
    on(storage, "flowSaved", (data) => ({
      type: "flowSaved",
      id: String(data.id ?? data.flowId ?? ""),
      flowId: String(data.flowId ?? data.id ?? ""),
      name: String(data.name ?? ""),
      savedAt: String(data.savedAt ?? ""),
      timestamp: epochMs(data.timestamp) ?? epochMs(data.savedAt) ?? Date.now(),
    })),
  ];
}
