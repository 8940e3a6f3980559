// file-system does what its parameters say, through the built package, on the native engine
// and on the WebAssembly engine in Node: overwrite: false never replaces a file (node by node and
// at the end of a stream of rows), createDirectories: false never makes one, fullPaths and
// encoding shape what is read, delete of a non-empty directory needs recursive, and a missing
// file is the user's to fix (FILE_NOT_FOUND, type "not-found"), never "internal".
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { tempDir } from "../test-support/helpers.mjs";

const fs = (parameters) => ({ id: "fs", type: "file-system", parameters });

for (const engine of ["native", "wasm"]) {
  const setup = (t) => {
    const dir = tempDir(t, `fs-parameters-${engine}`);
    writeFileSync(join(dir, "notes.txt"), "original");
    mkdirSync(join(dir, "photos", "2024"), { recursive: true });
    writeFileSync(join(dir, "photos", "a.png"), "a");
    writeFileSync(join(dir, "photos", "2024", "b.png"), "b");
    const conductor = createConductor({ engine, storage: { type: "memory" }, workingDirectory: dir });
    t.after(() => conductor.shutdown());
    return { dir, conductor };
  };

  test(`${engine}: overwrite: false refuses an existing file with FILE_EXISTS and leaves it as it was`, async (t) => {
    const { dir, conductor } = setup(t);
    for (const [operation, extra] of [
      ["write", { content: "replaced" }],
      ["copy", { path: "photos/a.png", targetPath: "notes.txt" }],
      ["move", { path: "photos/a.png", targetPath: "notes.txt" }],
    ]) {
      const result = await conductor.node.run(fs({ operation, path: "notes.txt", overwrite: false, ...extra }));
      assert.equal(result.success, false, operation);
      assert.deepEqual([result.error.code, result.error.type, result.error.retryable], ["FILE_EXISTS", "conflict", false], operation);
      assert.match(result.error.recovery.suggestions.join(" "), /overwrite: true/);
      assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "original", `${operation} left the file alone`);
    }
    assert.ok(existsSync(join(dir, "photos", "a.png")), "the refused move kept its source");
    // The default (true) replaces it, as the TypeScript engine always did.
    const replaced = await conductor.node.run(fs({ operation: "write", path: "notes.txt", content: "replaced" }));
    assert.equal(replaced.success, true, JSON.stringify(replaced.error));
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "replaced");
  });

  test(`${engine}: a stream of rows ending in a write with overwrite: false refuses an existing file too`, async (t) => {
    const { dir, conductor } = setup(t);
    writeFileSync(join(dir, "people.csv"), "name,age\nAda,36\nAlan,41\n");
    const flow = {
      id: "rows",
      type: "group",
      nodes: [
        { id: "load", type: "spreadsheet", parameters: { path: "people.csv" } },
        { id: "save", type: "file-system", parameters: { operation: "write", path: "notes.txt", format: "jsonl", overwrite: false } },
      ],
      edges: [{ id: "e", source: "load", target: "save", targetHandle: "input" }],
    };
    const result = await conductor.node.run(flow);
    assert.equal(result.error?.code, "FILE_EXISTS", JSON.stringify(result.error));
    assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "original");
    flow.nodes[1].parameters.path = "new.jsonl";
    const written = await conductor.node.run(flow);
    assert.equal(written.success, true, JSON.stringify(written.error));
    assert.equal(readFileSync(join(dir, "new.jsonl"), "utf8"), '{"name":"Ada","age":"36"}\n{"name":"Alan","age":"41"}\n');
  });

  test(`${engine}: createDirectories: false fails with FILE_NOT_FOUND and creates nothing`, async (t) => {
    const { dir, conductor } = setup(t);
    const refused = await conductor.node.run(fs({ operation: "write", path: "new/dir/a.txt", content: "x", createDirectories: false }));
    assert.deepEqual([refused.error?.code, refused.error?.type], ["FILE_NOT_FOUND", "not-found"]);
    assert.equal(existsSync(join(dir, "new")), false, "no directory was made");
    const made = await conductor.node.run(fs({ operation: "write", path: "new/dir/a.txt", content: "x" }));
    assert.equal(made.success, true, JSON.stringify(made.error));
    assert.equal(readFileSync(join(dir, "new", "dir", "a.txt"), "utf8"), "x");
  });

  test(`${engine}: fullPaths and recursive shape a list; encoding: buffer reads bytes`, async (t) => {
    const { conductor } = setup(t);
    const names = await conductor.node.run(fs({ operation: "list", path: "photos", fullPaths: false, recursive: true }));
    assert.deepEqual(names.data.files, ["2024", "2024/b.png", "a.png"]);
    const paths = await conductor.node.run(fs({ operation: "list", path: "photos" }));
    assert.deepEqual(paths.data.files, [join("photos", "2024"), join("photos", "a.png")]);
    const bytes = await conductor.node.run(fs({ operation: "read", path: "notes.txt", encoding: "buffer" }));
    assert.ok(Buffer.isBuffer(bytes.data.content) || bytes.data.content instanceof Uint8Array, typeof bytes.data.content);
    assert.equal(Buffer.from(bytes.data.content).toString(), "original");
    assert.equal((await conductor.node.run(fs({ operation: "read", path: "notes.txt" }))).data.content, "original");
  });

  test(`${engine}: delete of a non-empty directory needs recursive: true`, async (t) => {
    const { dir, conductor } = setup(t);
    const refused = await conductor.node.run(fs({ operation: "delete", path: "photos" }));
    assert.equal(refused.success, false);
    assert.match(refused.error.message, /recursive/);
    assert.ok(existsSync(join(dir, "photos", "a.png")), "nothing was deleted");
    const deleted = await conductor.node.run(fs({ operation: "delete", path: "photos", recursive: true }));
    assert.equal(deleted.success, true, JSON.stringify(deleted.error));
    assert.equal(existsSync(join(dir, "photos")), false);
  });

  test(`${engine}: a missing file is FILE_NOT_FOUND with advice about the path, not "contact support"`, async (t) => {
    const { conductor } = setup(t);
    const result = await conductor.node.run(fs({ operation: "read", path: "missing.txt" }));
    assert.deepEqual([result.error.code, result.error.type, result.error.nodeId], ["FILE_NOT_FOUND", "not-found", "fs"]);
    assert.match(result.error.message, /missing\.txt/);
    const advice = result.error.recovery.suggestions.join(" ");
    assert.match(advice, /Check the path/);
    assert.doesNotMatch(advice, /support/i);
  });
}
