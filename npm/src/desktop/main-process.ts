/**
 * `setupMainProcessHandler(options)`: the one-call Electron main-process setup of the published
 * docs. It creates a conductor, serves it to the renderers over IPC (the channels of
 * `registerIpcChannels`) and returns a handle that undoes both.
 */
import type { Conductor } from "../conductor/api.js";
import nodeRequire from "../runtime/node-require.cjs";
import { registerIpcChannels, type IpcChannels } from "../server/ipc.js";
import type { IpcMainLike, WebContentsLike } from "../types/electron-ipc.js";
import { checkConductorConfig } from "../options/entries.js";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { MainProcessHandlerOptions } from "../types/options.generated.js";
import { createNativeConductor } from "./native-conductor.js";

export type { MainProcessHandlerOptions } from "../types/options.generated.js";

export type MainProcessHandler = {
  /** The conductor the renderers reach. */
  conductor: Conductor;
  channels: IpcChannels;
  /** Removes the IPC handlers and shuts the conductor down (runs in flight are cancelled). */
  dispose(): Promise<void>;
  /** Alias of `dispose`, the name the older handler used. */
  cleanup(): Promise<void>;
};

/** The part of the `electron` module used. */
type ElectronMain = {
  ipcMain: IpcMainLike;
  BrowserWindow?: { getAllWindows(): Array<{ webContents: WebContentsLike }> };
};

/** `electron`'s main-process API when this is Electron's main process; outside it the module is absent (or, from npm, a path string). */
function electronMain(): ElectronMain | undefined {
  const electron = nodeRequire.requireOptional("electron") as Partial<ElectronMain> | string | undefined;
  return typeof electron === "object" && electron !== null && typeof electron.ipcMain?.handle === "function"
    ? (electron as ElectronMain)
    : undefined;
}

/**
 * Creates a conductor from `options` (`concurrency`, `timeout`, `storage` as a `StorageConfig` or
 * as a storage object the app made, ...) and registers its IPC channels on `ipcMain`. Events go
 * to `options.webContents`, by default to every open window. Throws a `ConductorError`
 * (`NO_TRANSPORT`, "Main process handler requires Electron main process context ...") when
 * there is no `ipcMain`.
 */
export function setupMainProcessHandler(options: MainProcessHandlerOptions = {}): MainProcessHandler {
  checkConductorConfig(options, "main");
  const { ipcMain: givenIpcMain, webContents, restart, permissions, ...config } = options;
  const electron = electronMain();
  const ipcMain = givenIpcMain ?? electron?.ipcMain;
  if (!ipcMain) {
    const message = "Main process handler requires Electron main process context: call it in Electron's main process, or pass { ipcMain }";
    throw new ConductorError({ code: ErrorCode.NO_TRANSPORT, message, timestamp: new Date() });
  }
  const windows = electron?.BrowserWindow;
  const targets = webContents ?? (windows ? () => windows.getAllWindows().map((window) => window.webContents) : undefined);
  const conductor = createNativeConductor(config);
  const channels = registerIpcChannels(ipcMain, conductor, { webContents: targets, restart, permissions });
  let disposed: Promise<void> | undefined;
  const dispose = (): Promise<void> => {
    disposed ??= (async () => {
      channels.dispose();
      await conductor.shutdown();
    })();
    return disposed;
  };
  return { conductor, channels, dispose, cleanup: dispose };
}
