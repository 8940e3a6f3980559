/**
 * A conductor in a Node process whose flows run elsewhere: on a desktop main process (through a
 * bridge) or on a protocol server (`http(s)://` or `ws(s)://`). Same API as `createConductor`;
 * the catalog and formats are answered by a local engine (native, or wasm as `engine` selects).
 * `auth` logs in to the server (the token is kept in memory and sent with every call).
 */
import { createConductorApi, type Conductor } from "./conductor/api.js";
import { engineChoice } from "./engines/choice.js";
import { createLocalEngine, localEngineKind } from "./engines/local.js";
import { RemoteEngine } from "./engines/remote/engine.js";
import { nodeEnvironment } from "./node-environment.js";
import { channelAuth, memoryTokenStore } from "./transports/auth.js";
import { detectTransport, type TransportOptions } from "./transports/detect.js";
import type { ChannelTransport } from "./transports/types.js";
import type { ConductorConfig } from "./types/execution.js";

export type RemoteConductorOptions = ConductorConfig &
  Omit<TransportOptions, "token"> & {
    /** A ready transport, instead of `bridge` / `serverUrl` / `wsUrl`. */
    channelTransport?: ChannelTransport;
    /**
     * The bearer token to start with: an API key (`generateApiKey().key`), or a saved session
     * token. `auth.login` replaces it; `auth.logout` clears it. Not used with `channelTransport`,
     * which carries its own credentials.
     */
    token?: string;
  };

export type RemoteConductor = Conductor & {
  /** Stops listening for the server's events and closes the connection (a WebSocket keeps a process alive). */
  close(): void;
};

export function createRemoteConductor(options: RemoteConductorOptions): RemoteConductor {
  const tokens = memoryTokenStore(options.token ?? null);
  const transport = options.channelTransport ?? detectTransport({ ...options, token: tokens.get });
  if (!transport) throw new Error("No transport available: pass a bridge, a serverUrl (http(s):// or ws(s)://) or a channelTransport");
  // The local engine only answers the catalog and formats: it never stores flows.
  const local = createLocalEngine(localEngineKind(engineChoice(options.engine)), { ...options, storage: { type: "memory" } });
  const engine = new RemoteEngine(transport, local);
  const conductor = createConductorApi(engine, options, { environment: nodeEnvironment(), auth: channelAuth(transport, tokens) });
  return Object.assign(conductor, { close: () => engine.close() });
}
