// An Electron main process as the docs write it, in CommonJS: setupMainProcessHandler with no
// ipcMain of its own. Run by test/dropin-desktop.test.mjs with NODE_PATH giving it a stand-in
// `electron` module; prints what the renderer side would see as one JSON line.
const { setupMainProcessHandler } = require("@atomiton/conductor/desktop");
const electron = require("electron");

const handler = setupMainProcessHandler({ concurrency: 4, storage: { type: "memory" } });

(async () => {
  const call = (channel, command, args) => electron.__handlers.get(`${channel}:call`)({}, command, args);
  const unsubscribe = handler.channels.handlers.subscribe(() => {});
  const templates = await call("flow", "listTemplates", {});
  const flow = {
    id: "f",
    type: "group",
    nodes: [{ id: "a", type: "edit-fields", parameters: { values: { ok: true }, keepOnlySet: true } }],
    edges: [],
  };
  await call("storage", "saveFlow", { flow });
  unsubscribe();
  const registered = [...electron.__handlers.keys()].sort();
  await handler.dispose();
  process.stdout.write(
    `${JSON.stringify({
      registered,
      templates: templates.result.templates.map((template) => template.slug),
      broadcasts: electron.__sent.map(([channel]) => channel),
      afterDispose: [...electron.__handlers.keys()],
    })}\n`,
  );
})();
