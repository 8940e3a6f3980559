/**
 * Electron's `ipcRenderer` (as a preload exposes it, e.g. `window.electron.ipcRenderer`) as the
 * bridge the IPC transport speaks: the same `<channel>:call` and `<channel>:event:<event>`
 * names the package's own preload uses.
 */
import type { AtomitonBridge, ChannelEnvelope } from "../types/channel-transport.js";

/** The part of Electron's `ipcRenderer` used. */
export type IpcRendererLike = {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
};

export function bridgeFromIpcRenderer(ipc: IpcRendererLike): AtomitonBridge {
  return {
    call: async (channel, command, args) => (await ipc.invoke(`${channel}:call`, command, args)) as ChannelEnvelope,
    listen(channel, event, callback) {
      const name = `${channel}:event:${event}`;
      const handler = (_event: unknown, data: unknown) => callback(data);
      ipc.on(name, handler);
      return () => void ipc.removeListener(name, handler);
    },
  };
}
