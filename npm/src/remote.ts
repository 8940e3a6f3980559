/**
 * A conductor in a Node process whose flows run elsewhere: on a desktop main process (through a
 * bridge) or on a protocol server (`http(s)://` or `ws(s)://`). Same API as `createConductor`;
 * the catalog and formats are answered by a local engine (native, or wasm as `engine` selects).
 * `auth` logs in to the server (the token is kept in memory and sent with every call).
 */
import { createConductorApi, type Conductor } from "./conductor/api.js";
import { refused } from "./conductor/failure.js";
import { checkConductorConfig } from "./options/entries.js";
import { ErrorCode } from "./types/errors.js";
import { engineChoice } from "./engines/choice.js";
import { createLocalEngine, localEngineKind } from "./engines/local.js";
import { RemoteEngine, remoteEngine } from "./engines/remote/engine.js";
import { nodeEnvironment } from "./node-environment.js";
import { channelAuth, memoryTokenStore } from "./transports/auth.js";
import { detectTransport } from "./transports/detect.js";
import type { RemoteConductorOptions } from "./types/options.generated.js";

export type { RemoteConductorOptions } from "./types/options.generated.js";

export type RemoteConductor = Conductor & {
  /** Stops listening for the server's events and closes the connection (a WebSocket keeps a process alive). */
  close(): void;
};

export function createRemoteConductor(options: RemoteConductorOptions): RemoteConductor {
  checkConductorConfig(options, "remote");
  const tokens = memoryTokenStore(options.token ?? null);
  const transport = options.channelTransport ?? detectTransport({ ...options, token: tokens.get });
  if (!transport)
    throw refused(
      ErrorCode.NO_TRANSPORT,
      "No transport available: pass a bridge, a serverUrl (http(s):// or ws(s)://) or a channelTransport",
    );
  // The local engine only answers the catalog and formats: it never stores flows.
  const local = createLocalEngine(localEngineKind(engineChoice(options.engine)), { ...options, storage: { type: "memory" } });
  const engine = new RemoteEngine(transport, local);
  const conductor = createConductorApi(engine, options, {
    environment: nodeEnvironment(),
    remote: remoteEngine,
    auth: channelAuth(transport, tokens),
  });
  return Object.assign(conductor, { close: () => engine.close() });
}
