// The WebAssembly engine in Node (`engine: "wasm"`, what `"auto"` falls back to where no native
// binary fits): the shared conformance fixtures with the native engine's expectations, every
// built-in node type giving the native engine's results on real files, processes and HTTP, flow
// storage shared with the native engine, and the scenarios the browser build is held to.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { createConductor, isValidProgressEvent } from "@atomiton/conductor";
import { assertFixtureResult, expectationFor, fixtures, stripClock, tempDir, until } from "../test-support/helpers.mjs";
import { writePng, writeXlsx } from "../test-support/generated-files.mjs";
import * as scenarios from "../test-support/browser-scenarios.mjs";

const wasm = createConductor({ engine: "wasm", storage: { type: "memory" } });

for (const fixture of fixtures()) {
  test(`fixture ${fixture.file} on wasm in Node, as on native: ${fixture.description}`, async () => {
    const result = await wasm.node.run(fixture.flow, fixture.options ?? {});
    assertFixtureResult(result, expectationFor(fixture, "native"));
  });
}

test("the conductor says it runs on wasm, in this process", async () => {
  const environment = wasm.getEnvironment();
  assert.equal(environment.type, "desktop");
  assert.equal(environment.details.engine, "wasm");
  assert.equal(environment.details.engineFallback, undefined, "chosen, not fallen back to");
  assert.equal((await wasm.system.health()).message, "Local conductor operational");
  const native = createConductor({ engine: "native", storage: { type: "memory" } });
  assert.equal(native.getEnvironment().details.engine, "native");
});

/** The same input files in a fresh working directory per engine. */
function workspace(t, engine) {
  const dir = tempDir(t, `wasm-fallback-${engine}`);
  writeFileSync(join(dir, "in.txt"), "line one\nline two\n");
  mkdirSync(join(dir, "tree", "sub"), { recursive: true });
  writeFileSync(join(dir, "tree", "a.txt"), "a");
  writeFileSync(join(dir, "tree", "sub", "b.txt"), "b");
  writeFileSync(join(dir, "table.csv"), "name,score\nAda,3\nLinus,5\n");
  writePng(join(dir, "pic.png"), 4, 3, (x, y) => [x * 60, y * 80, 200, 255]);
  writePng(join(dir, "mark.png"), 2, 2, () => [255, 0, 0, 128]);
  writeXlsx(join(dir, "book.xlsx"), "People", [
    ["name", "age"],
    ["Ada", 36],
    ["Linus", 28],
  ]);
  return dir;
}

/** One node of each kind and operation that reaches outside the data, run in order. */
function effectFlows(url) {
  const fs = (id, operation, path, extra = {}) => ({ id, type: "file-system", parameters: { operation, path, ...extra } });
  const sh = (id, program, args, extra = {}) => ({ id, type: "shell-command", parameters: { program, args, ...extra } });
  return [
    fs("write", "write", "out/deep/hello.txt", { content: "hi there" }),
    fs("read", "read", "out/deep/hello.txt"),
    fs("exists", "exists", "out/deep/hello.txt"),
    fs("not-there", "exists", "nowhere.txt"),
    fs("create", "create", "made/a/b", { recursive: true }),
    fs("create-again", "create", "made/a/b", { recursive: true }),
    fs("list", "list", "tree", { recursive: true }),
    fs("copy-dir", "copy", "tree", { targetPath: "tree-copy" }),
    fs("copy-file", "copy", "in.txt", { targetPath: "in-copy.txt" }),
    fs("move", "move", "in-copy.txt", { targetPath: "moved.txt" }),
    fs("read-moved", "read", "moved.txt"),
    fs("delete", "delete", "tree-copy"),
    fs("delete-again", "delete", "tree-copy"),
    fs("read-missing", "read", "missing.txt"),
    fs("copy-into-itself", "copy", "tree", { targetPath: "tree/inner" }),
    fs("copy-onto-itself", "copy", "in.txt", { targetPath: "in.txt" }),
    sh("echo", "echo", ["hello", "world"]),
    sh("stdin-and-exit", "sh", ["-c", "cat; echo oops >&2; exit 3"], { stdin: "piped in" }),
    sh("environment", "sh", ["-c", 'echo "$GREETING"; echo "${LD_PRELOAD:-none}"'], { environment: { GREETING: "hi" } }),
    sh("environment-refused", "sh", ["-c", "true"], { environment: { LD_PRELOAD: "/evil.so" } }),
    sh("cwd", "sh", ["-c", "ls"], { workingDirectory: "tree" }),
    sh("missing-program", "no-such-program-here", []),
    sh("bad-cwd", "ls", [], { workingDirectory: "nowhere" }),
    sh("capped", "sh", ["-c", "printf 0123456789"], { maxOutputBytes: 4 }),
    { id: "csv-file", type: "spreadsheet", parameters: { path: "table.csv" } },
    { id: "xlsx-file", type: "spreadsheet", parameters: { path: "book.xlsx", format: "xlsx" } },
    {
      id: "image-resize",
      type: "image",
      parameters: { operation: "composite", images: ["pic.png"], output: "out/small.png", width: 8, height: 6, format: "png" },
    },
    {
      id: "image-overlay",
      type: "image",
      parameters: { operation: "overlay", images: ["pic.png", "mark.png"], output: "out/over.jpeg", format: "jpeg", grayscale: true },
    },
    { id: "image-missing", type: "image", parameters: { operation: "composite", images: ["nope.png"], output: "out/x.png" } },
    { id: "http-get", type: "http-request", parameters: { url: `${url}/data?x=1` } },
    {
      id: "http-post",
      type: "http-request",
      parameters: { method: "POST", url: `${url}/echo`, body: '{"a":1}', headers: { "content-type": "application/json" } },
    },
    { id: "http-404", type: "http-request", parameters: { url: `${url}/missing` } },
  ];
}

/** A server whose answers depend only on the request's method, path and body. */
async function startHttp(t) {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      if (request.url?.startsWith("/data")) {
        response.writeHead(200, { "content-type": "application/json", "x-kind": "data" });
        response.end(JSON.stringify({ items: [1, 2, 3], query: request.url }));
      } else if (request.url === "/echo") {
        response.writeHead(201, { "content-type": "application/json" });
        response.end(JSON.stringify({ method: request.method, body }));
      } else {
        response.writeHead(404, { "content-type": "text/plain" });
        response.end("not here");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

/** A result with what legitimately differs between two runs taken out: clocks, dates, the working directory. */
function comparable(result, dir) {
  const text = JSON.stringify(
    stripClock({
      success: result.success,
      data: result.data,
      error: result.error && { code: result.error.code, message: result.error.message },
      warnings: result.warnings,
    }),
  );
  return JSON.parse(text.split(dir).join("<dir>"), (key, value) => (key === "modified" || key === "date" ? "<time>" : value));
}

test("every built-in node type that reaches outside the data gives the native engine's results", async (t) => {
  const url = await startHttp(t);
  const outcomes = {};
  for (const engine of ["native", "wasm"]) {
    const dir = workspace(t, engine);
    const conductor = createConductor({ engine, storage: { type: "memory" }, workingDirectory: dir });
    outcomes[engine] = [];
    for (const flow of effectFlows(url)) outcomes[engine].push([flow.id, comparable(await conductor.node.run(flow), dir)]);
    outcomes[engine].push(["written image", readFileSync(join(dir, "out", "small.png")).toString("base64")]);
    await conductor.shutdown();
  }
  for (const [index, [id, native]] of outcomes.native.entries()) assert.deepEqual(outcomes.wasm[index], [id, native], id);
  // The comparison means something only if the nodes did their work.
  const byId = Object.fromEntries(outcomes.wasm);
  assert.equal(byId.read.data.content, "hi there");
  assert.equal(byId["read-moved"].data.content, "line one\nline two\n");
  assert.deepEqual(byId.list.data.count, 3);
  assert.match(byId["read-missing"].error.message, /File does not exist/);
  assert.match(byId["copy-into-itself"].error.message, /into itself/);
  assert.deepEqual(byId["stdin-and-exit"].data.stdout, "piped in");
  assert.equal(byId["stdin-and-exit"].data.exitCode, 3);
  assert.equal(byId.environment.data.stdout, "hi\nnone\n", "loader variables never reach the child");
  assert.match(byId["environment-refused"].error.message, /LD_PRELOAD cannot be set/, "asking for one is an error");
  assert.equal(byId.capped.data.stdout, "0123");
  assert.deepEqual(
    byId.capped.warnings.map((w) => w.message),
    ["shell-command: stdout reached maxOutputBytes (4 bytes); what came after was dropped"],
  );
  assert.match(byId["missing-program"].error.message, /spawn no-such-program-here ENOENT/);
  assert.deepEqual(byId["xlsx-file"].data.records, [
    { name: "Ada", age: "36" },
    { name: "Linus", age: "28" },
  ]);
  assert.equal(byId["image-resize"].data.width, 8);
  assert.equal(byId["http-get"].data.status, 200);
  assert.match(byId["copy-onto-itself"].error.message, /they are the same file/);
});

test("a timed-out or cancelled command is killed with everything it started", async (t) => {
  const dir = tempDir(t, "wasm-fallback-kill");
  const conductor = createConductor({ engine: "wasm", storage: { type: "memory" }, workingDirectory: dir });
  // A killed process whose new parent has not reaped it yet is a zombie: dead for this purpose.
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0] !== "Z";
    } catch {
      return true;
    }
  };
  // The shell starts a long sleep in the background, records its pid (whole, through a rename),
  // then waits on it.
  const script = 'sleep 3600 & echo $! > "$1.tmp" && mv "$1.tmp" "$1"; wait';
  const pidIn = (file) => {
    try {
      const pid = Number(readFileSync(join(dir, file), "utf8"));
      return pid > 1 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  // `timeout` bounds both the process and the node: either may end it first; both kill it.
  const timed = await conductor.node.run({
    id: "t",
    type: "shell-command",
    parameters: { program: "sh", args: ["-c", script, "sh", "timed.pid"], timeout: 500 },
  });
  assert.ok(timed.data?.timedOut === true || timed.error?.code === "TIMEOUT", JSON.stringify(timed.data ?? timed.error));
  const timedChild = pidIn("timed.pid");
  assert.ok(timedChild, "the command recorded its child");
  await until(() => !alive(timedChild), undefined, "the timed-out command's background child to die");

  const running = conductor.node.run(
    { id: "c", type: "shell-command", parameters: { program: "sh", args: ["-c", script, "sh", "cancelled.pid"] } },
    { executionId: "to-cancel" },
  );
  await until(() => pidIn("cancelled.pid") !== undefined, undefined, "the second command to start");
  const cancelledChild = pidIn("cancelled.pid");
  assert.equal(alive(cancelledChild), true);
  assert.equal(await conductor.node.cancel("to-cancel"), true);
  const cancelled = await running;
  assert.equal(cancelled.error?.code, "CANCELLED");
  await until(() => !alive(cancelledChild), undefined, "the cancelled command's background child to die");
});

test("flows saved on wasm are the native engine's files, and the other way round", async (t) => {
  const directory = tempDir(t, "wasm-fallback-flows");
  const onWasm = createConductor({ engine: "wasm", storage: { type: "fs", directory } });
  const onNative = createConductor({ engine: "native", storage: { type: "fs", directory } });
  const flow = (id, name) => ({ id, name, type: "group", nodes: [{ id: "a", type: "transform", parameters: { data: [1] } }], edges: [] });
  await onWasm.storage.saveFlow(flow("from-wasm", "Saved on wasm"));
  await onNative.storage.saveFlow(flow("from-native", "Saved on native"));
  assert.equal((await onNative.storage.loadFlow("from-wasm")).name, "Saved on wasm");
  assert.equal((await onWasm.storage.loadFlow("from-native")).name, "Saved on native");
  const listed = async (c) => (await c.storage.listFlows({ sortBy: "name", sortOrder: "asc" })).flows.map((f) => f.id);
  assert.deepEqual(await listed(onWasm), await listed(onNative));
  assert.deepEqual(await listed(onWasm), ["from-native", "from-wasm"]);
  assert.equal(readFileSync(join(directory, "from-wasm.flow.yaml"), "utf8").startsWith("id: from-wasm\n"), true, "human-readable YAML");
  await onWasm.storage.deleteFlow("from-native");
  await assert.rejects(onNative.storage.loadFlow("from-native"), /not found/);
});

/** `@atomiton/conductor` on wasm, shaped like the browser module the scenarios take. */
const wasmModule = {
  isValidProgressEvent,
  createConductor: (config) => Object.assign(createConductor({ ...config, engine: "wasm" }), { ready: Promise.resolve() }),
};

test("progress events, as the browser build gives them", async () => {
  scenarios.checkProgressEvents(await scenarios.progressEvents(wasmModule));
});

test("node.cancel and an AbortSignal stop a run, as on the browser build", async () => {
  scenarios.checkCancellation(await scenarios.cancellation(wasmModule));
});

test("custom executors run with built-ins as the fallback, with the native engine's results", async () => {
  const native = {
    createConductor: (config) => Object.assign(createConductor({ ...config, engine: "native" }), { ready: Promise.resolve() }),
  };
  const results = await scenarios.customExecutors(wasmModule);
  scenarios.checkCustomExecutors(results);
  assert.deepEqual(results, await scenarios.customExecutors(native));
});

test("a Rust panic gives INTERNAL_ERROR, and every conductor runs its next flow on a fresh instance", async () => {
  scenarios.checkPanicRecovery(await scenarios.panicRecovery(wasmModule));
});
