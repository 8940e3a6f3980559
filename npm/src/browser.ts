/**
 * `@atomiton/conductor/browser`: the same conductor API in browsers and Electron renderers.
 * Flows run locally in WebAssembly, in the page or (`worker: true`) in a dedicated Web Worker;
 * with a desktop bridge (`window.atomiton.__bridge__`), a
 * configured server URL or a custom `transport`, they run there over the TypeScript engine's wire
 * protocol and this package is the renderer-side client.
 */
import { createConductorApi, type Conductor } from "./conductor/api.js";
import type { EngineAdapter } from "./conductor/engine.js";
import { bridgeAuth, webTokenStore } from "./browser/auth.js";
import { browserEnvironment } from "./browser/environment.js";
import { RemoteEngine, remoteEngine } from "./engines/remote/engine.js";
import { executionTransportEngine } from "./engines/transport/engine.js";
import { WasmEngine } from "./engines/wasm/engine.js";
import { WorkerEngine } from "./engines/worker/engine.js";
import { createIpcTransport } from "./transports/ipc.js";
import { detectTransport } from "./transports/detect.js";
import type { AtomitonBridge } from "./types/channel-transport.js";
import { checkConductorConfig } from "./options/entries.js";
import type { ConductorConfig } from "./types/execution.js";
import type { BrowserConductorConfig } from "./types/options.generated.js";

/** The TypeScript engine's browser package's slowMo default, in ms. */
export const DEFAULT_SLOWMO_MS = 250;

export type BrowserConductor = Conductor & {
  /**
   * Resolves once the wasm engine is instantiated (in worker mode: once the worker has opened
   * its session; calls made earlier wait for it anyway); after an internal error replaced the
   * instance (or the worker), once the replacement is.
   */
  ready: Promise<void>;
};

export type { WorkerOption } from "./types/worker-option.js";

/** The browser entry's config: `ConductorConfig` and where the local wasm engine runs. */
export type { BrowserConductorConfig } from "./types/options.generated.js";

type BrowserWindow = { atomiton?: { __bridge__?: AtomitonBridge }; __ATOMITON_WS_URL__?: string; confirm?: (message: string) => boolean };

const browserWindow = (): BrowserWindow => globalThis as BrowserWindow;

/**
 * A conductor; `config.serverUrl` (`http(s)://` or `ws(s)://`) runs flows on a server, and
 * `config.worker` runs the local engine in a Web Worker.
 */
export function createConductorInstance(config: BrowserConductorConfig = {}): BrowserConductor {
  checkConductorConfig(config, "browser");
  const win = browserWindow();
  const bridge = win.atomiton?.__bridge__;
  const worker = config.worker || undefined;
  const localEngine = (settings: ConductorConfig) => (worker ? new WorkerEngine(settings, worker) : new WasmEngine(settings));
  const local = localEngine(config);
  const custom = typeof config.transport === "object" ? config.transport : undefined;
  // A transport named in the config ("local", "http", ...) or an apiUrl wins over what the page offers.
  const named = typeof config.transport === "string" || (config.transport === undefined && config.apiUrl !== undefined);
  // A server authenticates every call with the token `auth.login` stored; a bridge needs none.
  const tokens = webTokenStore();
  const channels = named
    ? undefined
    : detectTransport({ bridge, serverUrl: config.serverUrl, wsUrl: win.__ATOMITON_WS_URL__, token: tokens.get });
  let engine: EngineAdapter = local;
  if (custom) engine = executionTransportEngine(custom, local);
  else if (channels) engine = new RemoteEngine(channels, local);
  const remoteNamed = named && config.transport !== "local";
  const system = bridge ? createIpcTransport(bridge).channel("system") : undefined;
  const conductor = createConductorApi(engine, config, {
    environment: browserEnvironment(!!bridge, !!(custom || channels || remoteNamed)),
    locals: { local, create: localEngine },
    remote: remoteEngine,
    auth: channels ? bridgeAuth(channels, tokens) : undefined,
    async restart() {
      if (typeof win.confirm !== "function" || !win.confirm("System will restart. Continue?")) return;
      if (!system) throw new Error("Restart not available in browser environment");
      await system.call("restart");
    },
  });
  // A getter: after a trap the engine loads a fresh instance, and `ready` is then that one's.
  // The engine marks it handled, so a page that never awaits it sees no unhandled rejection
  // when the module cannot load (every call reports that failure itself).
  return Object.defineProperty(conductor, "ready", { get: () => local.ready, enumerable: true }) as BrowserConductor;
}

/** Alias of `createConductorInstance`. */
export const createConductor = createConductorInstance;

/** The conductor created at import; its first call waits for the wasm instantiation. */
export const conductor: BrowserConductor = createConductorInstance();

export type { Conductor } from "./conductor/api.js";
export { isValidProgressEvent } from "./conductor/progress.js";
export { ErrorCode } from "./types/errors.js";
export { createExecutionId, toExecutionId } from "./types/ids.js";
export type * from "./types/index.js";
