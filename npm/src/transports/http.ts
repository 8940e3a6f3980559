/**
 * The HTTP transport: `POST <baseUrl>/api/<channel>/<command>` with the args as JSON body, the
 * response body is the result as is (reference §8.2, case 3).
 */
import { cachedChannels } from "./channels.js";
import { parseWire, revive, toWire } from "../values/codec.js";
import type { ChannelTransport, RemoteCallError } from "./types.js";

/** The part of `fetch` the transport uses (the global one, or any compatible function). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; statusText: string; json(): Promise<unknown>; text?(): Promise<string> }>;

export type HttpTransportOptions = { fetch?: FetchLike };

export function createHttpTransport(baseUrl: string, options: HttpTransportOptions = {}): ChannelTransport {
  const send = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (!send) throw new Error("fetch is not available in this environment; pass a fetch function");
  const root = baseUrl.replace(/\/+$/, "");
  return {
    channel: cachedChannels((channel) => ({
      async call(command, args) {
        const response = await send(`${root}/api/${encodeURIComponent(channel)}/${encodeURIComponent(command)}`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(toWire(args)),
        });
        if (!response.ok) throw await httpError(response);
        // Values JSON cannot say arrive as tags (see values/codec.ts).
        return response.text ? parseWire(await response.text()) : revive(await response.json());
      },
      // HTTP has no way to push events: listening is a no-op, as in the original.
      listen: () => () => {},
    })),
  };
}

/**
 * `Error("HTTP <status>: <statusText>")` — the original message, kept exactly — with the
 * status, and the server's `code` and message (as `cause`) when its body says them.
 */
async function httpError(response: Awaited<ReturnType<FetchLike>>): Promise<RemoteCallError> {
  const body = (await response.json().catch(() => undefined)) as { error?: unknown; code?: unknown } | undefined;
  const failure: RemoteCallError = new Error(`HTTP ${response.status}: ${response.statusText}`, { cause: body?.error });
  failure.status = response.status;
  if (typeof body?.code === "string") failure.code = body.code;
  return failure;
}
