// Shared setup for the remote tests: a real protocol server backed by a real native conductor,
// and remote conductors reaching it over HTTP, WebSocket and Electron-style IPC. Kept outside
// test/, where Node 20's runner would run it as a test file that runs no test.
import { WebSocket, WebSocketServer } from "ws";
import {
  createConductor,
  createProtocolServer,
  createRemoteConductor,
  createWebSocketTransport,
  registerIpcChannels,
} from "@atomiton/conductor/desktop";
import { until } from "./helpers.mjs";

export { until };

/** A `wait` node type that sleeps `parameters.ms` (default 20) unless its run is aborted. */
export const waitFactory = {
  getNodeExecutable: (type) =>
    type === "wait"
      ? {
          execute: (params) =>
            new Promise((resolve) => {
              const timer = setTimeout(() => resolve({ waited: params.ms ?? 20 }), params.ms ?? 20);
              params.signal.addEventListener("abort", () => {
                clearTimeout(timer);
                resolve("aborted");
              });
            }),
        }
      : undefined,
};

/** A real protocol server (HTTP + WebSocket) on an ephemeral port, closed after the test. */
export async function startServer(t, config = {}, serverOptions = {}) {
  const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0, nodeExecutorFactory: waitFactory, ...config });
  const server = await createProtocolServer(conductor, { WebSocketServer, ...serverOptions });
  t.after(() => server.close());
  return { conductor, server };
}

/**
 * Electron's IPC, in process: `ipcMain.handle` / `webContents.send` on the main side, and the
 * preload bridge `{call, listen}` (`window.atomiton.__bridge__`) on the renderer side. Values
 * cross with `structuredClone`, as Electron's IPC clones them.
 */
export function electronDouble() {
  const handlers = new Map();
  const rendererListeners = new Map();
  const ipcMain = {
    handle: (name, handler) => handlers.set(name, handler),
    removeHandler: (name) => handlers.delete(name),
  };
  const webContents = {
    sent: 0,
    send(name, data) {
      this.sent++;
      for (const callback of rendererListeners.get(name) ?? []) callback(structuredClone(data));
    },
  };
  const bridge = {
    async call(channel, command, args) {
      const handler = handlers.get(`${channel}:call`);
      if (!handler) throw new Error(`No handler registered for '${channel}:call'`);
      return structuredClone(await handler({ sender: webContents }, command, structuredClone(args)));
    },
    listen(channel, event, callback) {
      const name = `${channel}:event:${event}`;
      if (!rendererListeners.has(name)) rendererListeners.set(name, new Set());
      rendererListeners.get(name).add(callback);
      return () => rendererListeners.get(name).delete(callback);
    },
  };
  return { ipcMain, webContents, bridge, handlers };
}

/** The server's conductor also served over IPC; returns the renderer's bridge. */
export function ipcBridgeTo(t, conductor, options = {}) {
  const electron = electronDouble();
  const channels = registerIpcChannels(electron.ipcMain, conductor, { webContents: [electron.webContents], ...options });
  t.after(() => channels.dispose());
  return { ...electron, channels };
}

/** Remote conductors for one server: `{http, ws, bridge}`, closed after the test. */
export function remoteClients(t, { conductor, server }) {
  const { bridge } = ipcBridgeTo(t, conductor);
  const clients = {
    http: createRemoteConductor({ serverUrl: server.url }),
    ws: createRemoteConductor({ serverUrl: server.wsUrl, WebSocket }),
    bridge: createRemoteConductor({ bridge }),
  };
  t.after(() => {
    for (const client of Object.values(clients)) client.close();
  });
  return clients;
}

/** A raw WebSocket transport to the server, closed after the test. */
export function wsTransportTo(t, server) {
  const transport = createWebSocketTransport(server.wsUrl, { WebSocket });
  t.after(() => transport.close());
  return transport;
}

export const chainFlow = {
  id: "chain",
  type: "group",
  nodes: [
    { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } },
    { id: "sum", type: "transform", parameters: { operation: "reduce", transformFunction: "(acc, x) => acc + x", reduceInitial: "0" } },
  ],
  edges: [{ id: "e1", source: "double", target: "sum", targetHandle: "data" }],
};
