/**
 * The channel servers over Electron IPC: `ipcMain.handle("<channel>:call",
 * (event, command, args) => envelope)`, broadcasts as `webContents.send("<channel>:event:<event>",
 * data)`. Typed structurally, so the package needs no electron dependency.
 */
import { createChannelHandlers, type ChannelHandlers, type ChannelHandlersOptions } from "./channels.js";
import type { ServedConductor } from "./events.js";
import type { IpcMainLike, WebContentsLike } from "../types/electron-ipc.js";

export type IpcChannelsOptions = ChannelHandlersOptions & {
  /** Where broadcasts go: a list, or a function asked at each broadcast (e.g. every open window's webContents). */
  webContents?: Iterable<WebContentsLike> | (() => Iterable<WebContentsLike>);
};

export type IpcChannels = {
  handlers: ChannelHandlers;
  /** Adds a broadcast target (the TypeScript engine `trackWindow`); returns its removal. */
  track(webContents: WebContentsLike): () => void;
  /** Removes the IPC handlers and stops broadcasting. */
  dispose(): void;
};

export function registerIpcChannels(ipcMain: IpcMainLike, conductor: ServedConductor, options: IpcChannelsOptions = {}): IpcChannels {
  const handlers = createChannelHandlers(conductor, options);
  const tracked = new Set<WebContentsLike>();
  const targets = (): Set<WebContentsLike> => {
    const given = typeof options.webContents === "function" ? options.webContents() : (options.webContents ?? []);
    return new Set([...tracked, ...given]);
  };
  for (const channel of handlers.channels) {
    ipcMain.handle(`${channel}:call`, (_event, command, args) => handlers.dispatch(channel, command, args));
  }
  const stopBroadcasting = handlers.subscribe((channel, event, data) => {
    for (const target of targets()) {
      if (!target.isDestroyed?.()) target.send(`${channel}:event:${event}`, data);
    }
  });
  return {
    handlers,
    track(webContents) {
      tracked.add(webContents);
      return () => {
        tracked.delete(webContents);
      };
    },
    dispose() {
      stopBroadcasting();
      for (const channel of handlers.channels) ipcMain.removeHandler(`${channel}:call`);
    },
  };
}
