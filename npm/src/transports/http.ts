/**
 * The HTTP transport: `POST <baseUrl>/api/<channel>/<command>` with the args as JSON body, the
 * response body is the result as is (as the TypeScript engine's HTTP transport read it), and the token, when there is one,
 * as `Authorization: Bearer`.
 */
import { Listeners } from "../util/listeners.js";
import { cachedChannels } from "./channels.js";
import { parseWire, revive, toWire } from "../values/codec.js";
import type { ChannelTransport, RemoteCallError } from "../types/channel-transport.js";
import type { FetchLike } from "../types/fetch.js";

export type HttpTransportOptions = {
  fetch?: FetchLike;
  /** The bearer token to send (`Authorization: Bearer`), read at every call: a session token or an API key. */
  token?: () => string | null | undefined;
};

export function createHttpTransport(baseUrl: string, options: HttpTransportOptions = {}): ChannelTransport {
  const send = options.fetch ?? (globalThis.fetch as FetchLike | undefined);
  if (!send) throw new Error("fetch is not available in this environment; pass a fetch function");
  const root = baseUrl.replace(/\/+$/, "");
  // HTTP cannot push events. Only one is ever delivered: `auth` `sessionExpired`, raised here when
  // the server says the token this client sent has expired or was revoked.
  const listeners = new Map<string, Listeners<unknown>>();
  return {
    channel: cachedChannels((channel) => ({
      async call(command, args) {
        const token = options.token?.();
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (token) headers.Authorization = `Bearer ${token}`;
        const response = await send(`${root}/api/${encodeURIComponent(channel)}/${encodeURIComponent(command)}`, {
          method: "POST",
          headers,
          body: JSON.stringify(toWire(args)),
        });
        if (!response.ok) {
          const failure = await httpError(response);
          if (token && (failure.reason === "expired" || failure.reason === "revoked")) {
            listeners.get("auth:sessionExpired")?.emit({ reason: failure.reason, timestamp: Date.now() });
          }
          throw failure;
        }
        // Values JSON cannot say arrive as tags (see values/codec.ts).
        return response.text ? parseWire(await response.text()) : revive(await response.json());
      },
      listen(event, callback) {
        const key = `${channel}:${event}`;
        let set = listeners.get(key);
        if (!set) listeners.set(key, (set = new Listeners<unknown>()));
        return set.add(callback);
      },
    })),
  };
}

/**
 * `Error("HTTP <status>: <statusText>")` — the TypeScript engine's message, kept exactly — with the
 * status, and the server's `code`, `reason` and message (as `cause`) when its body says them.
 */
async function httpError(response: Awaited<ReturnType<FetchLike>>): Promise<RemoteCallError> {
  const body = (await response.json().catch(() => undefined)) as { error?: unknown; code?: unknown; reason?: unknown } | undefined;
  const failure: RemoteCallError = new Error(`HTTP ${response.status}: ${response.statusText}`, { cause: body?.error });
  failure.status = response.status;
  if (typeof body?.code === "string") failure.code = body.code;
  if (typeof body?.reason === "string") failure.reason = body.reason;
  return failure;
}
