/**
 * The transports `configureTransport(type, config)` and `ConductorConfig.transport` name:
 * `"http"` and `"ws"` reach a protocol server at a URL, `"ipc"` an Electron main process
 * through a bridge. Bad settings are coded errors.
 */
import { ConductorError, ErrorCode } from "../types/errors.js";
import { createHttpTransport } from "./http.js";
import type { FetchLike } from "../types/fetch.js";
import { createIpcTransport } from "./ipc.js";
import { bridgeFromIpcRenderer, type IpcRendererLike } from "./ipc-renderer.js";
import type { AtomitonBridge, ChannelTransport } from "../types/channel-transport.js";
import { createWebSocketTransport } from "./websocket.js";
import type { WebSocketConstructor } from "../types/websocket-client.js";

/** Where flows run: in this process, or on a server or main process over a transport. */
export type TransportKind = "local" | "http" | "ws" | "ipc";

export const TRANSPORT_KINDS: readonly TransportKind[] = ["local", "http", "ws", "ipc"];

/** `configureTransport`'s settings (each kind reads its own). */
export type TransportSettings = {
  /** `"http"` / `"ws"`: the server (`http(s)://` or `ws(s)://`; the scheme follows the kind). */
  apiUrl?: string;
  /** Same as `apiUrl`. */
  serverUrl?: string;
  /** `"ws"`: the WebSocket class where there is no global one (Node 20: the `ws` package's). */
  WebSocket?: WebSocketConstructor;
  /** `"http"`: a `fetch` to use instead of the global one. */
  fetch?: FetchLike;
  /** `"ws"`: how long a call waits for its answer (default 30 s). */
  timeoutMs?: number;
  /** `"ipc"`: the preload's bridge (default `window.atomiton.__bridge__`). */
  bridge?: AtomitonBridge | null;
  /** `"ipc"`: Electron's `ipcRenderer` as a preload exposes it (default `window.electron.ipcRenderer`). */
  ipcRenderer?: IpcRendererLike;
  /** `"local"`: most atomic nodes of a run in flight at once (waiting or working), for runs started from now on. */
  concurrency?: number;
  /** `"local"`: bound on each run in ms, for runs started from now on. */
  timeout?: number;
  /** `"local"`: `http-request` requests in flight to one origin, for runs started from now on. */
  http?: { maxRequestsPerHost?: number };
};

type PageGlobals = { atomiton?: { __bridge__?: AtomitonBridge }; electron?: { ipcRenderer?: IpcRendererLike } };

/** A coded error for a transport that cannot be set up. */
function unavailable(code: ErrorCode, message: string): ConductorError {
  return new ConductorError({ code, message, timestamp: new Date() });
}

/** Whether `value` names a transport kind. */
export function isTransportKind(value: unknown): value is TransportKind {
  return typeof value === "string" && (TRANSPORT_KINDS as readonly string[]).includes(value);
}

/** `kind` checked: an unknown one is a `VALIDATION_FAILED` error naming the valid ones. */
export function checkTransportKind(kind: unknown): TransportKind {
  if (isTransportKind(kind)) return kind;
  throw unavailable(ErrorCode.VALIDATION_FAILED, `Unknown transport type '${String(kind)}' (expected ${TRANSPORT_KINDS.join(", ")})`);
}

/** `url` with the scheme `kind` speaks: our protocol server answers HTTP and WebSocket on one port. */
function urlFor(kind: "http" | "ws", url: string): string {
  const match = /^(https?|wss?):\/\//i.exec(url);
  if (!match)
    throw unavailable(
      ErrorCode.VALIDATION_FAILED,
      `Invalid server URL for the ${kind} transport (expected http(s):// or ws(s)://): ${url}`,
    );
  const secure = /^(https|wss)$/i.test(match[1]!);
  const scheme = kind === "http" ? (secure ? "https" : "http") : secure ? "wss" : "ws";
  return `${scheme}://${url.slice(match[0].length)}`;
}

function ipcBridge(settings: TransportSettings): AtomitonBridge {
  const page = globalThis as PageGlobals;
  const ipcRenderer = settings.ipcRenderer ?? page.electron?.ipcRenderer;
  const bridge = settings.bridge ?? page.atomiton?.__bridge__ ?? (ipcRenderer ? bridgeFromIpcRenderer(ipcRenderer) : undefined);
  if (!bridge) {
    throw unavailable(
      ErrorCode.NO_TRANSPORT,
      "No IPC bridge: pass { bridge } or { ipcRenderer }, or expose window.atomiton.__bridge__ from the preload",
    );
  }
  return bridge;
}

/** The channel transport of a remote kind. */
export function remoteTransport(kind: Exclude<TransportKind, "local">, settings: TransportSettings): ChannelTransport {
  if (kind === "ipc") return createIpcTransport(ipcBridge(settings));
  const url = settings.apiUrl ?? settings.serverUrl;
  if (!url) throw unavailable(ErrorCode.VALIDATION_FAILED, `The ${kind} transport needs a server URL: pass { apiUrl }`);
  const target = urlFor(kind, url);
  try {
    return kind === "http"
      ? createHttpTransport(target, { fetch: settings.fetch })
      : createWebSocketTransport(target, { WebSocket: settings.WebSocket, timeoutMs: settings.timeoutMs });
  } catch (error) {
    throw unavailable(ErrorCode.NO_TRANSPORT, error instanceof Error ? error.message : String(error));
  }
}
