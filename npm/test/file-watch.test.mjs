// File watches through the built package: a saved flow whose entry is a `file-watch` node,
// activated; files copied into its folder start one run each, with the file's event as the run's
// input, and files there before do not. No test here judges speed: waits are for counts, with
// margins far beyond what a scan takes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor/desktop";
import { tempDir, until } from "../test-support/helpers.mjs";

const watching = (folder) => ({
  id: "inbox",
  name: "Inbox",
  type: "group",
  nodes: [
    { id: "watch", type: "file-watch", parameters: { path: folder, patterns: ["*.csv"], debounce: 500 } },
    { id: "kept", type: "edit-fields", parameters: { values: { file: "{{ relativePath }}", event: "{{ event }}" }, keepOnlySet: true } },
  ],
  edges: [{ id: "e1", source: "watch", target: "kept", targetHandle: "data" }],
});

test("native: files copied into a watched folder start one run each, with the file as the run's input", async (t) => {
  const directory = tempDir(t, "file-watch");
  const inbox = join(directory, "inbox");
  const staged = join(directory, "staged");
  mkdirSync(inbox);
  mkdirSync(staged);
  writeFileSync(join(inbox, "before.csv"), "there at activation");
  const conductor = createConductor({ storage: { directory: join(directory, "store") } });
  t.after(() => conductor.shutdown());
  await conductor.storage.saveFlow(watching(inbox));
  const [active] = await conductor.triggers.activate("inbox");
  assert.deepEqual([active.id, active.type], ["inbox/watch", "file-watch"]);

  for (let n = 0; n < 20; n++) {
    writeFileSync(join(staged, `order-${n}.csv`), `id\n${n}\n`);
    renameSync(join(staged, `order-${n}.csv`), join(inbox, `order-${n}.csv`));
  }
  writeFileSync(join(inbox, "ignored.txt"), "not a csv");
  const done = async () => (await conductor.executions.list({ flowId: "inbox", status: "success" })).executions;
  await until(async () => (await done()).length >= 20, 120_000, "twenty runs");
  const files = [];
  for (const run of await done()) {
    const record = await conductor.executions.get(run.id);
    const kept = record.nodes.find((node) => node.nodeId === "kept");
    files.push(kept.output.result);
    assert.equal(record.input.trigger.type, "file-watch");
    assert.match(record.input.trigger.path, /order-\d+\.csv$/);
  }
  files.sort((a, b) => a.file.localeCompare(b.file, "en", { numeric: true }));
  assert.deepEqual(
    files,
    Array.from({ length: 20 }, (_, n) => ({ file: `order-${n}.csv`, event: "created" })),
    "each file once, created; before.csv and ignored.txt not at all",
  );
  await conductor.triggers.deactivate("inbox");
});
