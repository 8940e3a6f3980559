// Stands in for Electron's main-process module when test/dropin-desktop.test.mjs runs a script
// with NODE_PATH pointing here: `ipcMain` keeps its handlers, one window records what it is sent.
const handlers = new Map();
const sent = [];
module.exports = {
  ipcMain: {
    handle: (channel, handler) => handlers.set(channel, handler),
    removeHandler: (channel) => handlers.delete(channel),
  },
  BrowserWindow: { getAllWindows: () => [{ webContents: { send: (channel, data) => sent.push([channel, data]) } }] },
  // For the test script: what the main process registered and sent.
  __handlers: handlers,
  __sent: sent,
};
