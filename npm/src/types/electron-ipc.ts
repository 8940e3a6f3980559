/**
 * The parts of Electron's main-process IPC the channel servers use (`server/ipc.ts`), typed
 * structurally so the package needs no electron dependency.
 */

/** The part of Electron's `ipcMain` used. */
export type IpcMainLike = {
  handle(channel: string, listener: (event: unknown, command: string, args?: unknown) => unknown): void;
  removeHandler(channel: string): void;
};

/** The part of Electron's `webContents` used (a window's `win.webContents`). */
export type WebContentsLike = {
  send(channel: string, data: unknown): void;
  isDestroyed?(): boolean;
};
