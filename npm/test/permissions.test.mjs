// A run's `permissions` through the built package: nodes needing what is not granted are refused
// before anything runs, and paths are checked when the file operation happens.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { tempDir } from "../test-support/helpers.mjs";

function tree(t) {
  const dir = tempDir(t, "permissions");
  mkdirSync(join(dir, "root"));
  mkdirSync(join(dir, "outside"));
  writeFileSync(join(dir, "root", "inside.txt"), "inside");
  writeFileSync(join(dir, "outside", "secret.txt"), "secret");
  symlinkSync(join(dir, "outside", "secret.txt"), join(dir, "root", "link.txt"));
  return dir;
}

const read = (path) => ({ id: "read", type: "file-system", parameters: { operation: "read", path } });

test("a node needing a capability not granted fails the run before any node runs", async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" } });
  const flow = {
    id: "flow",
    type: "group",
    nodes: [
      { id: "write", type: "file-system", parameters: { operation: "write", path: join(dir, "root", "written.txt"), content: "x" } },
      { id: "sh", type: "shell-command", parameters: { program: "touch", args: [join(dir, "root", "touched")] } },
    ],
    edges: [{ id: "e", source: "write", target: "sh" }],
  };
  const result = await conductor.node.run(flow, { permissions: { files: { roots: [join(dir, "root")] } } });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "PERMISSION_DENIED");
  assert.equal(
    result.error.message,
    "Permission denied: node 'sh' (shell-command) needs the 'shell' capability, which this caller was not granted",
  );
  assert.deepEqual(
    result.error.context.issues.map((issue) => [issue.code, issue.nodeId]),
    [["PERMISSION_DENIED", "sh"]],
  );
  assert.equal(existsSync(join(dir, "root", "written.txt")), false, "the file node before it never ran");
  assert.equal(existsSync(join(dir, "root", "touched")), false);
  const granted = await conductor.node.run(flow, { permissions: { shell: true, files: { roots: [join(dir, "root")] } } });
  assert.equal(granted.success, true, JSON.stringify(granted.error));
  assert.equal(readFileSync(join(dir, "root", "written.txt"), "utf8"), "x");
});

test("file roots: inside works; '..', absolute paths and symlinks out are refused with PERMISSION_DENIED", async (t) => {
  const dir = tree(t);
  const conductor = createConductor({ storage: { type: "memory" }, workingDirectory: join(dir, "root") });
  const permissions = { files: { roots: ["."] } };
  const inside = await conductor.node.run(read("inside.txt"), { permissions });
  assert.equal(inside.data.content, "inside");
  for (const path of [
    "../outside/secret.txt",
    join(dir, "outside", "secret.txt"),
    "link.txt",
    join(dir, "root", "..", "outside", "secret.txt"),
  ]) {
    const result = await conductor.node.run(read(path), { permissions });
    assert.equal(result.error?.code, "PERMISSION_DENIED", path);
    assert.match(
      result.error.message,
      /^\[file-system\] Read operation failed: Permission denied: '.*' is outside the directories this run may use$/,
      path,
    );
  }
  const write = { id: "w", type: "file-system", parameters: { operation: "write", path: "new/../../outside/planted.txt", content: "x" } };
  assert.equal((await conductor.node.run(write, { permissions })).error?.code, "PERMISSION_DENIED");
  assert.equal(existsSync(join(dir, "outside", "planted.txt")), false);
  assert.equal((await conductor.node.run(read("link.txt"))).data.content, "secret", "without permissions nothing is narrowed");
});

test("permissions that do not parse fail the run with a clear message", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const result = await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { permissions: { shel: true } });
  assert.equal(result.error?.code, "VALIDATION_FAILED");
  assert.match(result.error.message, /^Invalid run options: .*shel/);
  assert.equal(
    (await conductor.node.run({ id: "t", type: "transform", parameters: { data: [1] } }, { permissions: {} })).success,
    true,
    "pure computation needs nothing",
  );
});

test("the wasm engine enforces whole capabilities and refuses grants limited to hosts, which it cannot check", async (t) => {
  const { createConductor: createBrowserConductor } = await import("@atomiton/conductor/browser");
  const { createServer } = await import("node:http");
  let requests = 0;
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const host = `127.0.0.1:${server.address().port}`;
  const conductor = createBrowserConductor({ storage: { type: "memory" } });
  const get = { id: "get", type: "http-request", parameters: { url: `http://${host}/`, method: "GET" } };
  assert.equal((await conductor.node.run(get, { permissions: {} })).error?.code, "PERMISSION_DENIED");
  const limited = await conductor.node.run(get, { permissions: { http: { hosts: [host] } } });
  assert.equal(limited.error?.code, "PERMISSION_DENIED");
  assert.equal(limited.error.message, "[http-request] Permission denied: this run may not make HTTP requests");
  assert.equal(requests, 0, "nothing was sent");
  assert.equal((await conductor.node.run(get, { permissions: { http: true } })).success, true);
  assert.equal(requests, 1);
});
