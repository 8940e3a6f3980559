// What the docs import and call: the readable template ids, the `conductor` instance (and the
// browser build a bundler gives a renderer through the root's `browser` condition), the older
// README's SimpleExecutor, and an HTTP 429 in `http-request`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import * as root from "@atomiton/conductor";
import * as browser from "@atomiton/conductor/browser";
import { repoRoot } from "../test-support/helpers.mjs";

const { conductor, createConductor, createSimpleNode, SimpleExecutor } = root;
const npm = join(repoRoot, "npm");

test("templates answer to hello-world, data-pipeline and image-processing, and still to their UUIDs", async () => {
  const local = createConductor({ storage: { type: "memory" } });
  for (const engine of [local, browser.createConductor({ storage: { type: "memory" } })]) {
    const hello = await engine.flow.getTemplate("hello-world");
    assert.equal(hello.definition.name, "Hello World Flow");
    assert.equal(hello.definition.id, "550e8400-e29b-41d4-a716-446655440001", "the definition keeps its id");
    assert.equal((await engine.flow.loadFlow("data-pipeline")).name, "Data Transform Pipeline");
    assert.equal((await engine.flow.loadFlow("image-processing")).name, "Image Processing Workflow");
    assert.equal((await engine.flow.getTemplate("550e8400-e29b-41d4-a716-446655440001")).definition.name, "Hello World Flow");
    const { templates } = await engine.flow.listTemplates();
    assert.deepEqual(
      templates.map((template) => template.slug),
      ["hello-world", "data-pipeline", "image-processing", "double-and-summarise"],
    );
    await assert.rejects(engine.flow.getTemplate("goodbye-world"), /Flow template goodbye-world not found/);
  }
});

test("the root exports a ready conductor, made on first use", async () => {
  assert.equal(typeof conductor.execute, "function");
  assert.equal(typeof conductor.node.run, "function");
  assert.equal(conductor.inDesktop, true);
  assert.equal((await conductor.flow.getTemplate("hello-world")).definition.name, "Hello World Flow");
  assert.ok(Object.keys(conductor).includes("configureTransport"));
  assert.equal(root.conductor, (await import("@atomiton/conductor/desktop")).conductor);
});

test("a bundler resolving the root with the browser condition gets the wasm build and its conductor", async () => {
  // What Vite or webpack do for a renderer: resolve with the "browser" condition.
  const script = `
    import { conductor, createConductor } from "@atomiton/conductor";
    await conductor.ready;
    const result = await conductor.execute({ flowId: "double-and-summarise" });
    console.log(JSON.stringify({ resolved: import.meta.resolve("@atomiton/conductor"), type: conductor.getEnvironment().type, outputs: result.outputs, separate: createConductor() !== conductor }));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ["--conditions=browser", "--input-type=module", "-e", script], {
    cwd: npm,
  });
  const seen = JSON.parse(stdout);
  assert.ok(seen.resolved.endsWith("/dist/browser.js"), seen.resolved);
  assert.equal(seen.type, "browser");
  assert.deepEqual(seen.outputs, { result: { summary: "map produced 3 items", count: "3" } });
  assert.equal(seen.separate, true);
});

test("the older README's SimpleExecutor and createSimpleNode run on the engine", async () => {
  const doubleNode = createSimpleNode("double", "math", async (input) => input * 2);
  const addTenNode = createSimpleNode("add-ten", "math", async (input) => input + 10);
  const executor = new SimpleExecutor();
  assert.deepEqual(await executor.executeBlueprint({ id: "working-example", nodes: [doubleNode, addTenNode] }, 5), {
    success: true,
    outputs: 20,
  });
  assert.deepEqual(await executor.executeComposite({ id: "again", nodes: [addTenNode] }, 1), { success: true, outputs: 11 });

  const reached = [];
  const failing = await executor.executeBlueprint(
    {
      id: "fails",
      nodes: [
        createSimpleNode("parse", "parser", (text) => JSON.parse(text)),
        createSimpleNode("after", "logic", (value) => reached.push(value)),
      ],
    },
    "not json",
  );
  assert.equal(failing.success, false);
  assert.match(failing.error, /JSON/);
  assert.deepEqual(reached, [], "it stops at the first failure");
});

test("http-request: a 429 is RATE_LIMIT_EXCEEDED, retried after Retry-After within the node's retries", async (t) => {
  let requests = 0;
  let limited = 1;
  const server = createServer((_request, response) => {
    requests++;
    if (limited-- > 0) {
      response.writeHead(429, { "Retry-After": "0", "Content-Type": "application/json" });
      response.end('{"error":"slow down"}');
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end('{"items":[1,2]}');
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${server.address().port}/items`;
  const local = createConductor({ storage: { type: "memory" }, retryDelay: 1 });
  const fetchNode = (retries) => ({ id: "fetch", type: "http-request", parameters: { url, retries } });

  const retried = await local.node.run(fetchNode(1));
  assert.equal(retried.success, true, JSON.stringify(retried.error));
  assert.deepEqual(retried.data.result, { items: [1, 2] });
  assert.equal(requests, 2);

  limited = 1;
  const failed = await local.node.run(fetchNode(0));
  assert.equal(failed.success, false);
  assert.equal(failed.error.code, "RATE_LIMIT_EXCEEDED");
  assert.equal(failed.error.message, `[http-request] Rate limit exceeded: 429 Too Many Requests from ${url}; retry after 0 ms`);
  assert.deepEqual([failed.error.type, failed.error.retryable, failed.error.context.retryAfterMs], ["network", true, 0]);
  assert.equal(requests, 3);
});
