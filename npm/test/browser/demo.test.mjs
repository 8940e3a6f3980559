// The demo page (npm/demo/) in headless Chromium: run a bundled template and see its result
// (screenshot in tests/output/demo.png), a native-only template's validation error, a pasted flow
// with input, cancellation, and no request leaving localhost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor } from "@atomiton/conductor";
import { serveStatic } from "../../demo/serve.mjs";
import { chromiumMissing } from "../../test-support/chromium.mjs";
import { useServedPage } from "../../test-support/browser-page.mjs";
import { repoRoot } from "../../test-support/helpers.mjs";

const options = { skip: chromiumMissing, timeout: 60_000 };
const screenshot = join(repoRoot, "tests", "output", "demo.png");

const session = useServedPage("/demo/", (page) => page.waitForSelector("body[data-ready='true']"));

const nodeStates = () => session.page.$$eval("#nodes tr", (rows) => rows.map((row) => [row.dataset.node, row.querySelector(".state").dataset.state]));
const resultText = () => session.page.textContent("#result");

/** Chooses "Your own flow" and types a flow and input. */
async function paste(flow, input = "") {
  await session.page.selectOption("#template", "");
  await session.page.fill("#flow-text", typeof flow === "string" ? flow : JSON.stringify(flow, null, 2));
  await session.page.fill("#input-text", input);
}

test("a bundled template runs in the page: live node states, then the result (screenshot)", options, async () => {
  const templates = await session.page.$$eval("#template option", (options) => options.map((option) => [option.value, option.textContent]));
  assert.deepEqual(templates.map(([id]) => id), ["550e8400-e29b-41d4-a716-446655440001", "550e8400-e29b-41d4-a716-446655440002", "550e8400-e29b-41d4-a716-446655440003", "example-flow", ""]);
  assert.match(templates[0][1], /needs the desktop app/);
  assert.equal(await session.page.inputValue("#template"), "example-flow", "the first template the browser can run is chosen");
  assert.match(await session.page.inputValue("#flow-text"), /^id: example-flow$/m, "its YAML is shown");
  assert.match(await session.page.textContent("#engine-status"), /Browser conductor operational/);

  await session.page.fill("#slowmo", "150");
  await session.page.click("#run");
  await session.page.waitForSelector("#nodes .state[data-state='executing']");
  assert.equal(await session.page.isEnabled("#cancel"), true, "Cancel is offered while running");
  await session.page.waitForSelector("#result[data-status='success']");

  const data = JSON.parse(await session.page.textContent("#result-data"));
  const { definition } = await createConductor({ storage: { type: "memory" } }).flow.getTemplate("example-flow");
  const native = await createConductor({ storage: { type: "memory" } }).node.run(definition);
  assert.deepEqual(data, native.data, "the page shows what the native engine gives");
  assert.deepEqual(data, { result: { summary: "map produced 3 items", count: "3" } });
  assert.deepEqual(await nodeStates(), [["numbers", "completed"], ["summary", "completed"]]);
  assert.equal(await session.page.textContent("#progress-percent"), "100%");
  assert.equal(await session.page.textContent("#progress-message"), "All nodes completed");
  assert.match(await resultText(), /Succeeded/);
  assert.equal(await session.page.isEnabled("#run"), true);

  mkdirSync(join(repoRoot, "tests", "output"), { recursive: true });
  await session.page.screenshot({ path: screenshot, fullPage: true });
  const png = readFileSync(screenshot);
  assert.deepEqual([...png.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join(""), "PNG");
  const box = await session.page.locator("#result-data").boundingBox();
  const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  assert.ok(box && box.width > 0 && box.y + box.height <= size.height, "the result is inside the screenshot");
});

test("a template with native-only nodes shows the validation error", options, async () => {
  await session.page.selectOption("#template", "550e8400-e29b-41d4-a716-446655440001");
  assert.match(await session.page.textContent("#template-note"), /nodes that need the desktop app \(save\)/);
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='error']");
  const text = await resultText();
  assert.match(text, /IMPLEMENTATION_NOT_FOUND/);
  assert.match(text, /Node 'save' \(file-system\) needs a file system, which this environment does not provide/);
  assert.deepEqual(await nodeStates(), [["compose", "pending"], ["shout", "pending"], ["save", "pending"]], "nothing ran");
});

test("a pasted flow runs with the given input", options, async () => {
  const flow = { id: "pasted", type: "group", nodes: [{ id: "sum", name: "Sum", type: "transform", parameters: { operation: "reduce", transformFunction: "(s, x) => s + x", reduceInitial: "0" } }] };
  await paste(flow, '{"data": [1, 2, 3, 4]}');
  await session.page.fill("#slowmo", "0");
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='success']");
  assert.equal(JSON.parse(await session.page.textContent("#result-data")).result, 10);
  assert.deepEqual(await nodeStates(), [["sum", "completed"]]);
});

test("a pasted YAML flow with a syntax error, and input that is not JSON, are reported", options, async () => {
  await paste("id: [unclosed");
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='error']");
  assert.match(await resultText(), /Could not read the flow.*DESERIALIZATION_FAILED/s);
  await paste({ id: "t", type: "transform", parameters: { data: [1] } }, "{not json");
  await session.page.click("#run");
  await session.page.waitForFunction(() => document.querySelector("#result").textContent.includes("The input is not valid JSON"));
});

test("Cancel stops a running flow", options, async () => {
  const chain = {
    id: "slow",
    type: "group",
    nodes: ["a", "b", "c"].map((id) => ({ id, type: "transform", parameters: { data: [1] } })),
    edges: [{ id: "e1", source: "a", target: "b" }, { id: "e2", source: "b", target: "c" }],
  };
  await paste(chain);
  await session.page.fill("#slowmo", "1000");
  await session.page.click("#run");
  await session.page.waitForSelector("#nodes tr[data-node='a'] .state[data-state='executing']");
  await session.page.click("#cancel");
  await session.page.waitForSelector("#result[data-status='error']");
  assert.match(await resultText(), /Cancelled.*CANCELLED.*Execution cancelled/s);
  const states = Object.fromEntries(await nodeStates());
  assert.notEqual(states.c, "completed", "the last node never ran");
  assert.equal(await session.page.isEnabled("#run"), true);
});

test("the page fetched nothing outside localhost and raised no errors", options, () => {
  assert.ok(session.requests.some((url) => url.endsWith("/dist/engines/wasm/atomiton_conductor_wasm_bg.wasm")), "requests were recorded");
  const outside = session.requests.filter((url) => !url.startsWith(`${session.server.url}/`) && !url.startsWith("data:"));
  assert.deepEqual(outside, []);
  assert.deepEqual(session.pageErrors, []);
});

test("the demo's static server: MIME types browsers need, nothing outside npm/", async (t) => {
  const server = await serveStatic();
  t.after(() => server.close());
  const get = (path, init) => fetch(`${server.url}${path}`, { redirect: "manual", ...init });
  const types = {
    "/demo/": "text/html; charset=utf-8",
    "/demo/demo.js": "text/javascript; charset=utf-8",
    "/demo/demo.css": "text/css; charset=utf-8",
    "/dist/browser.js": "text/javascript; charset=utf-8",
    "/dist/engines/wasm/atomiton_conductor_wasm_bg.wasm": "application/wasm",
    "/package.json": "application/json; charset=utf-8",
  };
  for (const [path, type] of Object.entries(types)) {
    const response = await get(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("content-type"), type, path);
    await response.arrayBuffer();
  }
  assert.equal((await get("/")).headers.get("location"), "/demo/");
  assert.equal((await get("/demo")).headers.get("location"), "/demo/");
  assert.equal((await get("/demo/missing.js")).status, 404);
  // README.md and Cargo.toml exist one level up, outside npm/. Dot segments (also as %2e) are
  // removed by URL parsing, so those requests ask for files inside npm/: the package's own
  // README (200, not the repository's) and a Cargo.toml that does not exist (404); an encoded
  // separator gets past the parser and is refused (403).
  for (const [path, status] of [["/%2e%2e/README.md", 200], ["/demo/%2e%2e/%2e%2e/Cargo.toml", 404], ["/..%2fREADME.md", 403], ["/demo/..%2f..%2f..%2fCargo.toml", 403], ["/%2e%2e%2f%2e%2e%2fetc/passwd", 403]]) {
    const response = await get(path);
    assert.equal(response.status, status, path);
    assert.doesNotMatch(await response.text(), /Atomiton Conductor|\[workspace\]|root:/, path);
  }
  assert.equal((await get("/demo/..%5C..%5CREADME.md")).status, 400, "an encoded backslash");
  assert.equal((await get("/demo/", { method: "POST" })).status, 405);
});
