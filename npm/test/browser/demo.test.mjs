// The demo page (npm/demo/) in headless Chromium: run a bundled template and see its result
// (screenshot in tests/output/demo.png), a native-only template's validation error, a pasted flow
// with input, cancellation, the history list and a run's timeline (screenshot in
// tests/output/demo-timeline.png), the flow's graph with live node states, debug mode
// (breakpoints, pause, step, resume, run to a node, pinned outputs; screenshot of a paused run in
// tests/output/demo-debug.png), a schedule activated with its fires (screenshot in
// tests/output/demo-triggers.png), and no request leaving localhost.
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
const timelineScreenshot = join(repoRoot, "tests", "output", "demo-timeline.png");
const debugScreenshot = join(repoRoot, "tests", "output", "demo-debug.png");

const session = useServedPage("/demo/", (page) => page.waitForSelector("body[data-ready='true']"));

/** Screenshots the page element `selector` to `path`; checks it is a PNG of that element's size and returns the element's box. */
async function screenshotOf(selector, path) {
  mkdirSync(join(repoRoot, "tests", "output"), { recursive: true });
  const element = session.page.locator(selector);
  await element.screenshot({ path });
  const png = readFileSync(path);
  assert.deepEqual([...png.subarray(1, 4)].map((byte) => String.fromCharCode(byte)).join(""), "PNG");
  const size = { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
  const box = await element.boundingBox();
  // Snapped to whole pixels: a box at y = 479.75 spans rows 479 to 880.
  assert.ok(
    Math.abs(size.width - box.width) <= 2 && Math.abs(size.height - box.height) <= 2,
    `the screenshot is ${selector}: ${JSON.stringify([size, box])}`,
  );
  return box;
}

const nodeStates = () =>
  session.page.$$eval("#nodes tr", (rows) => rows.map((row) => [row.dataset.node, row.querySelector(".state").dataset.state]));
const resultText = () => session.page.textContent("#result");

/** The history list, top to bottom. */
const historyRuns = () =>
  session.page.$$eval("#history li", (items) =>
    items.map((item) => ({
      id: item.dataset.id,
      flow: item.dataset.flow,
      status: item.dataset.status,
      start: Number(item.dataset.start),
      selected: item.querySelector("button").getAttribute("aria-pressed") === "true",
    })),
  );

/** The timeline's bars: their data attributes, whether their row is marked slowest, their colour. */
const timelineBars = () =>
  session.page.$$eval("#timeline .timeline-bar", (bars) =>
    bars.map((bar) => ({
      node: bar.dataset.node,
      state: bar.dataset.state,
      start: Number(bar.dataset.start),
      duration: Number(bar.dataset.duration),
      slowest: bar.closest("[role='listitem']").dataset.slowest === "true",
      colour: getComputedStyle(bar).backgroundColor,
    })),
  );

/** Waits until a run newer than `previous` (an id, or none) heads the history and its timeline is shown. */
async function newestRun(previous) {
  await session.page.waitForFunction((id) => {
    const first = document.querySelector("#history li");
    return first && first.dataset.id !== id && document.querySelector("#timeline").dataset.run === first.dataset.id;
  }, previous);
  return (await historyRuns())[0];
}

/** Chooses "Your own flow" and types a flow and input. */
async function paste(flow, input = "") {
  await session.page.selectOption("#template", "");
  await session.page.fill("#flow-text", typeof flow === "string" ? flow : JSON.stringify(flow, null, 2));
  await session.page.fill("#input-text", input);
}

test("a bundled template runs in the page: live node states, then the result (screenshot)", options, async () => {
  const templates = await session.page.$$eval("#template option", (options) => options.map((option) => [option.value, option.textContent]));
  assert.deepEqual(
    templates.map(([id]) => id),
    [
      "550e8400-e29b-41d4-a716-446655440001",
      "550e8400-e29b-41d4-a716-446655440002",
      "550e8400-e29b-41d4-a716-446655440003",
      "example-flow",
      "",
    ],
  );
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
  assert.deepEqual(await nodeStates(), [
    ["numbers", "completed"],
    ["summary", "completed"],
  ]);
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
  assert.deepEqual(
    await nodeStates(),
    [
      ["compose", "pending"],
      ["shout", "pending"],
      ["save", "pending"],
    ],
    "nothing ran",
  );
  const refused = await newestRun();
  assert.deepEqual([refused.flow, refused.status, refused.selected], ["550e8400-e29b-41d4-a716-446655440001", "failed", true]);
  assert.deepEqual(await timelineBars(), [], "no node ran, so no bar");
  assert.match(await session.page.textContent("#timeline"), /IMPLEMENTATION_NOT_FOUND.*No node ran/s);
});

test("a pasted flow runs with the given input", options, async () => {
  const flow = {
    id: "pasted",
    type: "group",
    nodes: [
      {
        id: "sum",
        name: "Sum",
        type: "transform",
        parameters: { operation: "reduce", transformFunction: "(s, x) => s + x", reduceInitial: "0" },
      },
    ],
  };
  await paste(flow, '{"data": [1, 2, 3, 4]}');
  await session.page.fill("#slowmo", "0");
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='success']");
  assert.equal(JSON.parse(await session.page.textContent("#result-data")).result, 10);
  assert.deepEqual(await nodeStates(), [["sum", "completed"]]);
});

test("a run parked at an approval shows Approve and Reject; Approve goes on with the run to its result", options, async () => {
  const flow = {
    id: "approve-me",
    type: "group",
    nodes: [
      { id: "draft", type: "edit-fields", parameters: { values: { amount: 120 } } },
      { id: "approval", type: "wait", parameters: { mode: "approval" } },
    ],
    edges: [{ id: "e1", source: "draft", target: "approval" }],
  };
  await paste(flow, "");
  await session.page.fill("#slowmo", "0");
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='waiting']");
  assert.match(await session.page.textContent("#waiting-for"), /Node approval waits for an approval/);
  assert.ok(await session.page.isVisible("#reject"));
  await session.page.click("#approve");
  await session.page.waitForSelector("#result[data-status='success']");
  const data = JSON.parse(await session.page.textContent("#result-data"));
  assert.deepEqual([data.approved, data.by], [true, "demo page"]);
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
    edges: [
      { id: "e1", source: "a", target: "b" },
      { id: "e2", source: "b", target: "c" },
    ],
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
  const cancelled = await newestRun();
  assert.deepEqual([cancelled.flow, cancelled.status, cancelled.selected], ["slow", "cancelled", true]);
  const bars = await timelineBars();
  assert.deepEqual(
    bars.map(({ node, state }) => [node, state]),
    [["a", "cancelled"]],
    "a was running when cancelled; b and c never started",
  );
  assert.equal(bars[0].colour, "rgb(163, 169, 180)", "cancelled is grey");
});

test(
  "the history lists the page's runs newest first; a run's timeline shows parallel nodes overlapping, the slowest marked (screenshot)",
  options,
  async () => {
    // The default browser conductor records nothing; the page's conductor asks for history, and
    // the list shows what the engine recorded.
    const unavailable = await session.page.evaluate(async () => {
      const { conductor } = await import("/dist/browser.js");
      return conductor.executions.list().then(
        () => "listed",
        (error) => `${error.name}: ${error.message}`,
      );
    });
    assert.match(unavailable, /^ConductorError: Execution history is not available in this build/);
    assert.equal(await session.page.getAttribute("#history", "data-source"), "engine");
    const before = await historyRuns();

    // 1. A bundled template.
    await session.page.selectOption("#template", "example-flow");
    await session.page.fill("#slowmo", "100");
    await session.page.click("#run");
    await session.page.waitForSelector("#result[data-status='success']");
    const template = await newestRun(before[0]?.id);
    assert.deepEqual(
      [template.flow, template.status, template.selected],
      ["example-flow", "success", true],
      "the run is selected when it ends",
    );
    assert.deepEqual(
      (await timelineBars()).map(({ node, state }) => [node, state]),
      [
        ["numbers", "completed"],
        ["summary", "completed"],
      ],
    );

    // 2. A pasted flow: `first`, then `fast` and `sheet` at once. With slowMo every node is paced
    // in steps of slowMo by its type's weight: a transform takes 3.5 steps, a spreadsheet (weight
    // 100) 5.5, so `sheet` is the slow one whatever the machine's speed.
    const parallel = {
      id: "fan-out",
      type: "group",
      nodes: [
        { id: "first", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 10", data: [1, 2, 3] } },
        { id: "fast", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
        { id: "sheet", type: "spreadsheet", parameters: { data: "name,score\nada,3\nbob,4" } },
      ],
      edges: [
        { id: "e1", source: "first", target: "fast", targetHandle: "data" },
        { id: "e2", source: "first", target: "sheet" },
      ],
    };
    await paste(parallel);
    await session.page.fill("#slowmo", "300");
    await session.page.click("#run");
    await session.page.waitForSelector("#result[data-status='success']");
    const fanOut = await newestRun(template.id);
    assert.deepEqual([fanOut.flow, fanOut.status], ["fan-out", "success"]);

    // 3. A flow that fails at run time (its expression is valid; reading a property of a number's
    // missing field throws): `after` never starts.
    const failing = {
      id: "fails",
      type: "group",
      nodes: [
        { id: "first", type: "transform", parameters: { data: [1, 2, 3] } },
        { id: "broken", type: "transform", parameters: { operation: "map", transformFunction: "x => x.missing.field" } },
        { id: "after", type: "transform", parameters: {} },
      ],
      edges: [
        { id: "e1", source: "first", target: "broken", targetHandle: "data" },
        { id: "e2", source: "broken", target: "after", targetHandle: "data" },
      ],
    };
    await paste(failing);
    await session.page.fill("#slowmo", "100");
    await session.page.click("#run");
    await session.page.waitForSelector("#result[data-status='error']");
    assert.match(await resultText(), /EXECUTION_FAILED.*Cannot read properties of undefined/s);
    const failed = await newestRun(fanOut.id);

    // The list: the three runs on top, newest first, with their statuses; the newest selected.
    const runs = await historyRuns();
    assert.equal(runs.length, before.length + 3);
    assert.deepEqual(
      runs.slice(0, 3).map(({ flow, status }) => [flow, status]),
      [
        ["fails", "failed"],
        ["fan-out", "success"],
        ["example-flow", "success"],
      ],
    );
    assert.deepEqual(
      runs.slice(0, 3).map(({ id }) => id),
      [failed.id, fanOut.id, template.id],
    );
    assert.ok(
      runs.every((run, i) => i === 0 || runs[i - 1].start >= run.start),
      "newest first",
    );
    assert.deepEqual(
      runs.map(({ selected }) => selected),
      runs.map((_, i) => i === 0),
      "only the newest is selected",
    );
    assert.match(await session.page.textContent("#history li:first-child"), /failed.*fails/s);

    // The failed run's timeline: `first` green, `broken` red, `after` never started.
    const failedBars = await timelineBars();
    assert.deepEqual(
      failedBars.map(({ node, state }) => [node, state]),
      [
        ["first", "completed"],
        ["broken", "error"],
      ],
    );
    assert.equal(failedBars[1].colour, "rgb(192, 57, 43)", "the failed node is red");
    assert.equal(failedBars[0].colour, "rgb(31, 138, 76)", "the completed node is green");
    assert.match(await session.page.textContent("#timeline"), /EXECUTION_FAILED/);

    // Clicking an entry shows its timeline.
    await session.page.click(`#history li[data-id='${fanOut.id}'] button`);
    await session.page.waitForSelector(`#timeline[data-run='${fanOut.id}']`);
    assert.equal(await session.page.getAttribute(`#history li[data-id='${fanOut.id}'] button`, "aria-pressed"), "true");
    assert.equal(await session.page.getAttribute(`#history li[data-id='${failed.id}'] button`, "aria-pressed"), "false");
    const bars = await timelineBars();
    const byNode = Object.fromEntries(bars.map((bar) => [bar.node, bar]));
    assert.deepEqual(bars.map(({ node }) => node).sort(), ["fast", "first", "sheet"], "one bar per executed node");
    assert.ok(bars.every(({ state, duration }) => state === "completed" && duration > 0));
    assert.equal(bars[0].node, "first", "bars in start order");
    const end = (bar) => bar.start + bar.duration;
    const { first, fast, sheet } = byNode;
    assert.ok(end(first) <= Math.min(fast.start, sheet.start) + 1, "first ends before the other two start");
    assert.ok(fast.start < end(sheet) && sheet.start < end(fast), "fast and sheet overlap in time");
    assert.ok(sheet.duration > fast.duration, "the spreadsheet is paced over more steps than a transform");
    assert.deepEqual(
      bars.filter(({ slowest }) => slowest).map(({ node }) => node),
      ["sheet"],
      "the slowest is marked",
    );
    assert.match(await session.page.textContent("#timeline [data-slowest='true']"), /sheet.*slowest/s);
    assert.match(await session.page.textContent("#timeline .timeline-head"), /slowest: sheet/);
    assert.match(await session.page.textContent("#timeline .timeline-head"), /up to 2 at once/);
    assert.equal(
      await session.page.getAttribute("#timeline [role='list']", "aria-label"),
      `Nodes of run ${fanOut.id.replace(/^exec_/, "").slice(0, 8)} on a time axis of ${await session.page.textContent("#timeline .tick.end")}`,
    );
    assert.equal(await session.page.textContent("#timeline .tick.start"), "0");
    assert.match(
      await session.page.getAttribute("#timeline .timeline-bar[data-node='sheet']", "title"),
      /^sheet \(spreadsheet\): completed, from [\d.]+ m?s for [\d.]+ m?s, the slowest$/,
    );

    // Geometry: every bar sits on the shared axis at start/total and is duration/total wide.
    const total = Number(await session.page.getAttribute("#timeline", "data-total"));
    assert.ok(total >= Math.max(...bars.map(end)));
    const boxes = {};
    for (const bar of bars) {
      const locator = session.page.locator(`#timeline .timeline-bar[data-node='${bar.node}']`);
      boxes[bar.node] = { bar: await locator.boundingBox(), track: await locator.locator("..").boundingBox() };
    }
    const track = boxes.first.track;
    assert.ok(track.width > 200, "the track has room");
    for (const bar of bars) {
      const { bar: box, track: own } = boxes[bar.node];
      assert.deepEqual([own.x, own.width], [track.x, track.width], "one axis for all bars");
      assert.ok(
        Math.abs(box.width - (bar.duration / total) * track.width) <= 1.5,
        `${bar.node}: width ${box.width} for ${bar.duration} of ${total} ms`,
      );
      assert.ok(
        Math.abs(box.x - track.x - (bar.start / total) * track.width) <= 1.5,
        `${bar.node}: offset ${box.x - track.x} for ${bar.start} ms`,
      );
    }
    const widthRatio = boxes.sheet.bar.width / boxes.fast.bar.width;
    assert.ok(Math.abs(widthRatio / (sheet.duration / fast.duration) - 1) < 0.03, "widths in the ratio of the durations");
    const [fastBox, sheetBox] = [boxes.fast.bar, boxes.sheet.bar];
    assert.ok(fastBox.x < sheetBox.x + sheetBox.width && sheetBox.x < fastBox.x + fastBox.width, "the parallel bars overlap on screen");
    assert.ok(
      boxes.first.bar.x + boxes.first.bar.width <= Math.min(fastBox.x, sheetBox.x) + 1.5,
      "first's bar ends where the others begin",
    );

    const panelBox = await screenshotOf("#history-panel", timelineScreenshot);
    const timelineBox = await session.page.locator("#timeline").boundingBox();
    assert.ok(
      timelineBox.width > 0 &&
        timelineBox.x >= panelBox.x &&
        timelineBox.y >= panelBox.y &&
        timelineBox.x + timelineBox.width <= panelBox.x + panelBox.width &&
        timelineBox.y + timelineBox.height <= panelBox.y + panelBox.height,
      "the timeline is inside the screenshot",
    );
  },
);

// ----- the graph view and debug mode -----------------------------------------------------------

/** A flow with a nested group and an edge that skips a level: `a` feeds `b` and `g`, both feed `z`, `z` also gets `a`. */
const branching = {
  id: "branching",
  type: "group",
  nodes: [
    { id: "a", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 10", data: [1, 2, 3] } },
    { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    {
      id: "g",
      type: "group",
      nodes: [
        { id: "x", type: "transform", parameters: { operation: "map", transformFunction: "x => x - 1" } },
        { id: "y", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2" } },
      ],
      edges: [{ id: "ge", source: "x", target: "y", targetHandle: "data" }],
    },
    { id: "z", type: "transform", parameters: {} },
  ],
  edges: [
    { id: "e1", source: "a", target: "b", targetHandle: "data" },
    { id: "e2", source: "a", target: "g" },
    { id: "e3", source: "b", target: "z" },
    { id: "e4", source: "g", target: "z" },
    { id: "e5", source: "a", target: "z" },
  ],
};

/** A chain of four transforms: a → b → c → d, each output arriving at the next one's `data` input. */
const chain = {
  id: "chain",
  type: "group",
  nodes: [
    { id: "a", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 10", data: [1, 2, 3] } },
    { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    { id: "c", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2" } },
    { id: "d", type: "transform", parameters: { operation: "reduce", transformFunction: "(sum, x) => sum + x", reduceInitial: "0" } },
  ],
  edges: [
    { id: "e1", source: "a", target: "b", targetHandle: "data" },
    { id: "e2", source: "b", target: "c", targetHandle: "data" },
    { id: "e3", source: "c", target: "d", targetHandle: "data" },
  ],
};

/** Every node's path below the root (`g/x` for `x` in group `g`), and every group's edges as paths. */
function definitionPaths(group, prefix = "", out = { nodes: [], edges: [] }) {
  for (const edge of group.edges ?? []) out.edges.push([prefix + edge.source, prefix + edge.target]);
  for (const node of group.nodes ?? []) {
    out.nodes.push(prefix + node.id);
    definitionPaths(node, `${prefix}${node.id}/`, out);
  }
  return out;
}

/**
 * What the native engine gives for the chain's first nodes alone (`ids`, in order): the output of
 * the last of them, the value the next node of the chain receives. With `input`, the flow gets it.
 */
async function nativeChainOutput(ids, input) {
  const nodes = chain.nodes.filter((node) => ids.includes(node.id));
  const edges = chain.edges.filter((edge) => ids.includes(edge.source) && ids.includes(edge.target));
  const result = await createConductor({ storage: { type: "memory" } }).node.run(
    { id: "part", type: "group", nodes, edges },
    input === undefined ? {} : { input },
  );
  assert.equal(result.success, true, JSON.stringify(result.error));
  return result.data;
}

/** The graph's nodes: path, state, marks, and where they are drawn. */
const graphNodes = () =>
  session.page.$$eval("#graph .graph-node", (buttons) =>
    buttons.map((button) => {
      const box = button.getBoundingClientRect();
      const group = button.parentElement.classList.contains("graph-group") ? button.parentElement.getBoundingClientRect() : box;
      return {
        path: button.dataset.node,
        state: button.dataset.state,
        level: Number(button.dataset.level),
        breakpoint: button.dataset.breakpoint === "true",
        pinned: button.dataset.pinned === "true",
        paused: button.dataset.paused === "true",
        selected: button.dataset.selected === "true",
        label: button.getAttribute("aria-label"),
        border: getComputedStyle(button).borderTopColor,
        box: { left: box.left, right: box.right, top: box.top, bottom: box.bottom },
        outer: { left: group.left, right: group.right, top: group.top, bottom: group.bottom },
      };
    }),
  );

const graphStates = async () => Object.fromEntries((await graphNodes()).map(({ path, state }) => [path, state]));
const graphNode = (path) => `#graph .graph-node[data-node='${path}']`;

/** Waits until the graph shows the flow with these node paths (it follows the flow text). */
const graphShows = (paths) =>
  session.page.waitForFunction(
    (expected) => [...document.querySelectorAll("#graph .graph-node")].map((node) => node.dataset.node).join() === expected.join(),
    paths,
  );

/** Turns debug mode on and clears every breakpoint and pin left by an earlier test. */
async function debugModeWithoutMarks() {
  assert.equal(await session.page.isHidden("#debug-note"), true, "this build of the engine has the debugger");
  await session.page.setChecked("#debug-toggle", true);
  await session.page.waitForSelector("#graph-panel[data-debug='true'] #debug-bar:not([hidden])");
  for (const path of await session.page.$$eval("#graph .graph-node[data-breakpoint='true']", (nodes) =>
    nodes.map((node) => node.dataset.node),
  )) {
    await session.page.click(graphNode(path));
  }
  for (const path of await session.page.$$eval("#graph .graph-node[data-pinned='true']", (nodes) =>
    nodes.map((node) => node.dataset.node),
  )) {
    await session.page.click(graphNode(path)); // selects it (and sets a breakpoint) ...
    await session.page.click("#unpin");
    await session.page.click(graphNode(path)); // ... which the second click clears
  }
  assert.deepEqual(
    (await graphNodes()).filter((node) => node.breakpoint || node.pinned),
    [],
  );
}

const pausedInput = async () => JSON.parse(await session.page.textContent("#paused-input"));
const pausedNodes = async () => (await graphNodes()).filter((node) => node.paused).map((node) => node.path);

test("the graph draws every node by dependency level and every edge, and colours the nodes as the run goes", options, async () => {
  await session.page.setChecked("#debug-toggle", false);
  await paste(branching);
  const expected = definitionPaths(branching);
  await graphShows(expected.nodes);
  assert.equal(await session.page.getAttribute("#graph", "data-nodes"), String(expected.nodes.length));

  // Levels: 0 without dependencies in its group, else 1 + the highest level it depends on.
  const nodes = await graphNodes();
  const by = Object.fromEntries(nodes.map((node) => [node.path, node]));
  assert.deepEqual(
    nodes.map(({ path, level }) => [path, level]),
    [
      ["a", 0],
      ["b", 1],
      ["g", 1],
      ["g/x", 0],
      ["g/y", 1],
      ["z", 2],
    ],
  );
  assert.ok(
    nodes.every(({ state }) => state === "pending"),
    "drawn before any run, all pending",
  );
  assert.equal(by["g/x"].label, "g/x (transform): pending");
  // Columns by level, left to right; the group's box holds its children, laid out the same way.
  assert.ok(by.a.box.right < by.b.box.left, "level 1 is right of level 0");
  assert.ok(Math.abs(by.b.box.left - by.g.outer.left) < 1, "b and the group g share a column");
  assert.ok(by.g.outer.right < by.z.box.left && by.b.box.right < by.z.box.left, "level 2 is right of level 1");
  for (const child of ["g/x", "g/y"]) {
    const { box } = by[child];
    assert.ok(
      box.left >= by.g.outer.left && box.right <= by.g.outer.right && box.top > by.g.box.bottom && box.bottom <= by.g.outer.bottom,
      `${child} is drawn inside its group, below its head`,
    );
  }
  assert.ok(by["g/x"].box.right < by["g/y"].box.left, "inside the group too, columns by level");

  // One curve per edge of the definition (nested ones too), from its source's right side to its
  // target's left side (a group's sides are its box's).
  const edges = await session.page.$$eval("#graph path.graph-edge", (paths) => {
    const origin = document.querySelector("#graph .graph-content").getBoundingClientRect();
    return paths.map((path) => {
      const numbers = path
        .getAttribute("d")
        .match(/-?[\d.]+/g)
        .map(Number);
      return {
        source: path.dataset.source,
        target: path.dataset.target,
        start: [numbers[0] + origin.left, numbers[1] + origin.top],
        end: numbers.slice(-2).map((value, i) => value + (i === 0 ? origin.left : origin.top)),
      };
    });
  });
  assert.equal(edges.length, expected.edges.length);
  assert.deepEqual(edges.map(({ source, target }) => [source, target]).sort(), [...expected.edges].sort());
  for (const { source, target, start, end } of edges) {
    assert.ok(
      Math.abs(start[0] - by[source].outer.right) < 1 && start[1] > by[source].box.top && start[1] < by[source].box.bottom,
      `${source} → ${target} starts at ${source}'s right side`,
    );
    assert.ok(
      Math.abs(end[0] - by[target].outer.left) < 1 && end[1] > by[target].box.top && end[1] < by[target].box.bottom,
      `${source} → ${target} ends at ${target}'s left side`,
    );
  }

  // Outside debug mode a click selects a node and sets no breakpoint.
  await session.page.click(graphNode("b"));
  assert.deepEqual(
    (await graphNodes())
      .filter((node) => node.selected || node.breakpoint)
      .map(({ path, selected, breakpoint }) => [path, selected, breakpoint]),
    [["b", true, false]],
  );

  // Live states: some node is seen executing, then every node is completed, edges too.
  await session.page.fill("#slowmo", "200");
  await session.page.click("#run");
  await session.page.waitForSelector("#graph .graph-node[data-state='executing']");
  await session.page.waitForSelector("#result[data-status='success']");
  const native = await createConductor({ storage: { type: "memory" } }).node.run(branching);
  assert.deepEqual(JSON.parse(await session.page.textContent("#result-data")), native.data);
  const after = await graphNodes();
  assert.deepEqual(
    after.map(({ path, state }) => [path, state]),
    expected.nodes.map((path) => [path, "completed"]),
  );
  assert.ok(
    after.every(({ border }) => border === "rgb(31, 138, 76)"),
    "completed nodes are green",
  );
  assert.deepEqual(await session.page.$$eval("#graph path.graph-edge", (paths) => [...new Set(paths.map((path) => path.dataset.state))]), [
    "completed",
  ]);
  assert.deepEqual(
    Object.fromEntries(await nodeStates()),
    { a: "completed", b: "completed", g: "completed", x: "completed", y: "completed", z: "completed" },
    "the table shows the same",
  );

  // A new run starts from pending; a failing node turns red.
  const failing = structuredClone(branching);
  failing.nodes[1].parameters.transformFunction = "x => x.missing.field";
  await paste(failing);
  await session.page.fill("#slowmo", "0");
  await session.page.click("#run");
  await session.page.waitForSelector("#result[data-status='error']");
  const failed = await graphNodes();
  assert.equal(failed.find(({ path }) => path === "b").state, "error");
  assert.equal(failed.find(({ path }) => path === "b").border, "rgb(192, 57, 43)", "the failed node is red");
  assert.notEqual(failed.find(({ path }) => path === "z").state, "completed");
});

test(
  "debug mode: a breakpoint on a node pauses the run before it with its input shown; Step, then Resume (screenshot)",
  options,
  async () => {
    await paste(chain);
    await graphShows(definitionPaths(chain).nodes);
    await debugModeWithoutMarks();

    // A click sets a breakpoint (and selects the node); a second click would clear it.
    await session.page.click(graphNode("b"));
    const nodes = await graphNodes();
    assert.deepEqual(
      nodes.filter((node) => node.breakpoint).map(({ path }) => path),
      ["b"],
    );
    assert.match(nodes.find(({ path }) => path === "b").label, /^b \(transform\): pending, breakpoint$/);
    assert.equal(await session.page.textContent("#selected-node"), "b");

    await session.page.fill("#slowmo", "0");
    await session.page.click("#debug-run");
    await session.page.waitForSelector("#graph-panel[data-paused='b']");
    assert.deepEqual(await pausedNodes(), ["b"], "the breakpoint's node is the paused one");
    // b's input: a's output, under the handle of the edge that brings it.
    const outputOfA = await nativeChainOutput(["a"]);
    assert.deepEqual(await pausedInput(), { data: outputOfA });
    assert.match(await session.page.textContent("#paused-node"), /Paused before b/);
    await session.page.waitForFunction(() => document.querySelector("#graph .graph-node[data-node='a']").dataset.state === "completed");
    const whilePaused = await graphStates();
    assert.deepEqual([whilePaused.b, whilePaused.c, whilePaused.d], ["pending", "pending", "pending"], "nothing after the breakpoint ran");
    assert.deepEqual(await session.page.$$eval("#debug-bar button", (buttons) => buttons.map((button) => [button.id, button.disabled])), [
      ["debug-run", true],
      ["debug-pause", true],
      ["debug-resume", false],
      ["debug-step", false],
      ["debug-run-to", true],
    ]);
    assert.equal(await session.page.textContent("#result .banner"), "Running…");

    const panelBox = await screenshotOf("#graph-panel", debugScreenshot);
    const inputBox = await session.page.locator("#paused-input").boundingBox();
    assert.ok(
      inputBox.width > 0 && inputBox.y + inputBox.height <= panelBox.y + panelBox.height,
      "the paused input is inside the screenshot",
    );

    // Step: b runs, the run pauses again before c, whose input is b's output.
    await session.page.click("#debug-step");
    await session.page.waitForSelector("#graph-panel[data-paused='c']");
    assert.deepEqual(await pausedNodes(), ["c"]);
    assert.deepEqual(await pausedInput(), { data: await nativeChainOutput(["a", "b"]) });
    await session.page.waitForFunction(() => document.querySelector("#graph .graph-node[data-node='b']").dataset.state === "completed");
    assert.deepEqual([(await graphStates()).c, (await graphStates()).d], ["pending", "pending"]);

    // Resume: the rest runs (no other breakpoint) and the result is the whole chain's.
    await session.page.click("#debug-resume");
    await session.page.waitForSelector("#result[data-status='success']");
    const native = await createConductor({ storage: { type: "memory" } }).node.run(chain);
    assert.deepEqual(JSON.parse(await session.page.textContent("#result-data")), native.data);
    assert.equal(
      native.data.result,
      [1, 2, 3].map((x) => (x * 10 + 1) * 2).reduce((sum, x) => sum + x, 0),
    );
    assert.deepEqual(await graphStates(), { a: "completed", b: "completed", c: "completed", d: "completed" });
    assert.deepEqual(await pausedNodes(), []);
    assert.equal(await session.page.getAttribute("#graph-panel", "data-paused"), null);
    assert.equal(await session.page.isHidden("#paused-input"), true);
    assert.deepEqual(
      await session.page.$$eval("#debug-bar button", (buttons) => buttons.filter((button) => !button.disabled).map((button) => button.id)),
      ["debug-run", "debug-run-to"],
    );

    // Outside debug mode the breakpoint is kept but not used.
    await session.page.setChecked("#debug-toggle", false);
    await session.page.click("#run");
    await session.page.waitForSelector("#result[data-status='success']");
    assert.deepEqual(await graphStates(), { a: "completed", b: "completed", c: "completed", d: "completed" });
    assert.equal(await session.page.isHidden("#debug-bar"), true);
  },
);

test("debug mode: Pause stops a running flow before its next node; Resume finishes it", options, async () => {
  await paste(chain);
  await graphShows(definitionPaths(chain).nodes);
  await debugModeWithoutMarks();
  await session.page.fill("#slowmo", "600");
  await session.page.click("#debug-run");
  await session.page.waitForSelector("#graph .graph-node[data-node='a'][data-state='executing']");
  await session.page.click("#debug-pause");
  await session.page.waitForSelector("#graph-panel[data-paused]");
  const paused = await session.page.getAttribute("#graph-panel", "data-paused");
  assert.ok(["b", "c", "d"].includes(paused), `paused before a node that had not started: ${paused}`);
  assert.deepEqual(await pausedNodes(), [paused]);
  assert.equal((await graphStates())[paused], "pending");
  await session.page.fill("#slowmo", "0"); // for the next run: this one keeps its pacing
  await session.page.click("#debug-resume");
  await session.page.waitForSelector("#result[data-status='success']");
  assert.deepEqual(
    JSON.parse(await session.page.textContent("#result-data")),
    (await createConductor({ storage: { type: "memory" } }).node.run(chain)).data,
  );
});

test("debug mode: Run to here runs a node and what it depends on; a pinned output replaces a node's run", options, async () => {
  await paste(chain);
  await graphShows(definitionPaths(chain).nodes);
  await debugModeWithoutMarks();
  assert.equal(await session.page.getAttribute("#history", "data-source"), "engine", "node outputs come from the engine's record of a run");
  await session.page.fill("#slowmo", "0");
  await session.page.click("#debug-run");
  await session.page.waitForSelector("#result[data-status='success']");

  // Run to here on c, which the click also gave a breakpoint: the run does not stop short of it.
  await session.page.click(graphNode("c"));
  assert.equal(await session.page.isEnabled("#debug-run-to"), true);
  await session.page.click("#debug-run-to");
  await session.page.waitForSelector("#result[data-status='success']");
  assert.deepEqual(
    JSON.parse(await session.page.textContent("#result-data")),
    await nativeChainOutput(["a", "b", "c"]),
    "the result is c's output",
  );
  assert.deepEqual(await graphStates(), { a: "completed", b: "completed", c: "completed", d: "pending" }, "d did not run");
  assert.match(await session.page.textContent("#result .meta"), /executed .*\ba → b → c$/);
  await session.page.click(graphNode("c")); // clears c's breakpoint

  // Pin b: the editor offers the output b produced in the last run; it is edited, then pinned.
  await session.page.click(graphNode("b"));
  await session.page.click(graphNode("b"));
  assert.deepEqual(
    (await graphNodes()).filter((node) => node.breakpoint || node.selected).map(({ path, breakpoint }) => [path, breakpoint]),
    [["b", false]],
  );
  const outputOfB = await nativeChainOutput(["a", "b"]);
  assert.deepEqual(JSON.parse(await session.page.inputValue("#pin-text")), outputOfB);
  await session.page.fill("#pin-text", "{not json");
  await session.page.click("#pin");
  assert.match(await session.page.textContent("#pin-note"), /not valid JSON/);
  assert.equal((await graphNodes()).find(({ path }) => path === "b").pinned, false);
  const pinned = { ...outputOfB, result: [100, 200] };
  await session.page.fill("#pin-text", JSON.stringify(pinned));
  await session.page.click("#pin");
  assert.equal((await graphNodes()).find(({ path }) => path === "b").pinned, true);
  assert.match((await graphNodes()).find(({ path }) => path === "b").label, /, pinned$/);

  await session.page.click("#debug-run");
  await session.page.waitForSelector("#result[data-status='success']");
  // c and d get b's pinned output as c would get it from b: as the `data` input.
  const expected = await nativeChainOutput(["c", "d"], { data: pinned });
  assert.equal(expected.result, (100 + 200) * 2);
  assert.deepEqual(JSON.parse(await session.page.textContent("#result-data")), expected);
  const states = await graphStates();
  assert.deepEqual([states.b, states.c, states.d], ["pinned", "completed", "completed"]);
  assert.equal((await graphNodes()).find(({ path }) => path === "b").border, "rgb(124, 58, 237)", "pinned is purple");

  // Unpinned, b runs again.
  await session.page.click("#unpin");
  assert.equal((await graphNodes()).find(({ path }) => path === "b").pinned, false);
  await session.page.click("#debug-run");
  await session.page.waitForSelector("#result[data-status='success']");
  assert.deepEqual(JSON.parse(await session.page.textContent("#result-data")), await nativeChainOutput(["a", "b", "c", "d"]));
  assert.equal((await graphStates()).b, "completed");
});

/** A CSV of `n` employees (the data-pipeline template's columns) and how many earn 80,000 or more. */
function employeesCsv(n) {
  const lines = ["name,department,salary,start"];
  let high = 0;
  for (let i = 0; i < n; i++) {
    const salary = 40_000 + ((i * 7919) % 90_000);
    if (salary >= 80_000) high++;
    lines.push(`"Person ${i}, Jr",${["Engineering", "Research", "Operations"][i % 3]},${salary},20${10 + (i % 15)}-01-0${1 + (i % 9)}`);
  }
  return { text: `${lines.join("\n")}\n`, high };
}

test(
  "Data: a CSV file chosen on the page streams through the filter in a worker, with rows, bytes and the time left shown as it goes",
  options,
  async () => {
    const { page } = session;
    const { text, high } = employeesCsv(300_000);
    await page.fill("#csv-filter", "row => Number(row.salary) >= 80000");
    await page.evaluate(() => {
      window.csvTexts = [];
      const status = document.getElementById("csv-status");
      new MutationObserver(() => window.csvTexts.push(status.textContent)).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    await page.setInputFiles("#csv-file", { name: "employees.csv", mimeType: "text/csv", buffer: Buffer.from(text) });
    await page.waitForSelector("#csv-status[data-status='success']", { timeout: 120_000 });
    const texts = await page.evaluate(() => window.csvTexts);
    assert.match(texts.at(-1), new RegExp(`^${high.toLocaleString("en")} rows kept · employees\\.csv read in`));
    // The worker's engine reported the stream as it went: rows and bytes of the file's size.
    const total = `${(Buffer.byteLength(text) / 1e6).toFixed(Buffer.byteLength(text) < 1e7 ? 1 : 0)} MB`;
    assert.ok(
      texts.some((line) => /^[\d,]+ rows · .+ of /.test(line) && line.includes(`of ${total}`)),
      `a progress line naming the file's ${total}; saw:\n${texts.join("\n")}`,
    );
    const shown = JSON.parse((await page.textContent("#csv-result")).split("\n…")[0]);
    assert.equal(shown.length, 5);
    for (const row of shown) assert.ok(Number(row.salary) >= 80_000, JSON.stringify(row));
    assert.equal(shown[0].name, "Person 6, Jr", "quoted fields keep their commas");
    // The run was in a worker: the page's own conductor has no such run in its history.
    assert.ok(page.workers().some((w) => w.url().endsWith("/dist/engines/worker/main.js")));
  },
);

test("Data: a TSV file dropped on the panel runs the same way", options, async () => {
  const { page } = session;
  await page.fill("#csv-filter", "row => row.team === 'a'");
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(["team\tn\na\t1\nb\t2\na\t3\n"], "teams.tsv", { type: "text/tab-separated-values" }));
    document.getElementById("csv-drop").dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => /teams\.tsv read in/.test(document.getElementById("csv-status").textContent), null, { timeout: 60_000 });
  assert.match(await page.textContent("#csv-status"), /^2 rows kept/);
  assert.deepEqual(JSON.parse(await page.textContent("#csv-result")), [
    { team: "a", n: "1" },
    { team: "a", n: "3" },
  ]);
});

test("Reuse unchanged results: a second run shows unchanged nodes cached; an edited node and what follows it run", options, async () => {
  await session.page.setChecked("#debug-toggle", false);
  const flow = (body) => ({
    id: "cached-demo",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } },
      { id: "b", type: "transform", parameters: { operation: "map", transformFunction: body } },
      { id: "c", type: "transform", parameters: { operation: "filter", transformFunction: "x => x > 3" } },
    ],
    edges: [
      { id: "e1", source: "a", target: "b", targetHandle: "data" },
      { id: "e2", source: "b", target: "c", targetHandle: "data" },
    ],
  });
  const runAndWait = async () => {
    const before = await historyRuns();
    await session.page.click("#run");
    return newestRun(before[0]?.id);
  };
  await paste(flow("x => x + 1"));
  await graphShows(["a", "b", "c"]);
  await session.page.fill("#slowmo", "0");
  await session.page.setChecked("#cache-toggle", true);
  try {
    await runAndWait();
    assert.deepEqual(await graphStates(), { a: "completed", b: "completed", c: "completed" });
    await runAndWait();
    assert.deepEqual(await graphStates(), { a: "cached", b: "cached", c: "cached" });
    const cached = await graphNodes();
    assert.ok(
      cached.every(({ label }) => /: cached, cache entry [0-9a-f]{12}…, \d+ ms old$/.test(label)),
      JSON.stringify(cached.map(({ label }) => label)),
    );
    assert.equal(cached[0].border, "rgb(14, 116, 144)", "cached nodes have their own colour");

    await paste(flow("x => x + 10"));
    await graphShows(["a", "b", "c"]);
    await runAndWait();
    assert.deepEqual(await graphStates(), { a: "cached", b: "completed", c: "completed" });
    assert.deepEqual(JSON.parse(await session.page.textContent("#result-data")).result, [12, 14, 16]);
  } finally {
    await session.page.setChecked("#cache-toggle", false);
  }
});

test(
  "a run the page was reloaded during is listed interrupted; Resume asks about the request that was in flight and finishes the run",
  options,
  async () => {
    const flow = {
      id: "durable-demo",
      type: "group",
      nodes: [
        { id: "a", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x * 2" } },
        { id: "fetch", type: "http-request", parameters: { url: `${session.server.url}/demo/index.html`, method: "GET" } },
        { id: "c", type: "transform", parameters: { data: [3], transformFunction: "x => x + 1" } },
      ],
      edges: [
        { id: "e1", source: "a", target: "fetch" },
        { id: "e2", source: "fetch", target: "c" },
      ],
    };
    await paste(flow);
    await session.page.fill("#slowmo", "1000");
    await session.page.click("#run");
    // The request's start is stored before it is sent (slow motion holds it a second first).
    await session.page.waitForSelector("#nodes tr[data-node='fetch'] .state[data-state='executing']");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await session.page.reload();
    await session.page.waitForSelector("body[data-ready='true']");
    await session.page.fill("#slowmo", "0");

    await session.page.waitForSelector("#history li[data-flow='durable-demo'][data-status='interrupted']");
    const id = await session.page.getAttribute("#history li[data-flow='durable-demo']", "data-id");
    await session.page.click(`#history li[data-id='${id}'] button`);
    await session.page.click(".resume .resume-run");
    await session.page.waitForSelector(".resume .decision[data-node='fetch']");
    assert.match(await session.page.textContent(".resume .resume-note"), /'fetch' \(http-request\)/);
    await session.page.click(".resume .decision[data-node='fetch'] .rerun");
    await session.page.waitForSelector(`#history li[data-id='${id}'][data-status='success']`);
    const runs = (await historyRuns()).filter((run) => run.flow === "durable-demo");
    assert.deepEqual(
      runs.map((run) => run.status),
      ["success"],
      "the same run, resumed: one record",
    );
  },
);

test(
  "Triggers: a pasted flow's schedule activated fires in the page, its fires listed with their runs; paused, deactivated; a webhook refused (screenshot)",
  options,
  async () => {
    const page = session.page;
    const ticking = {
      id: "ticking-demo",
      type: "group",
      nodes: [
        { id: "tick", type: "schedule", parameters: { every: "1s" } },
        { id: "seen", type: "edit-fields", parameters: { values: { at: "{{ scheduledAt }}" } } },
      ],
      edges: [{ id: "e1", source: "tick", target: "seen" }],
    };
    await paste(ticking);
    await page.click("#triggers-activate");
    await page.waitForSelector("#triggers li[data-id='ticking-demo/tick'][data-type='schedule'][data-paused='false']");
    assert.match(await page.textContent("#triggers-status"), /Active: tick \(schedule\)/);
    // Two fires whose runs ended, each listed with its run, which the history list shows too.
    await page.waitForFunction(() => document.querySelectorAll("#fires li[data-status='succeeded']").length >= 2, null, {
      timeout: 60_000,
    });
    const fires = await page.$$eval("#fires li", (items) =>
      items.map((item) => ({ at: Number(item.dataset.scheduled), status: item.dataset.status, run: item.dataset.execution })),
    );
    const succeeded = fires.filter((fire) => fire.status === "succeeded");
    assert.ok(
      succeeded.every((fire) => fire.run.startsWith("exec_")),
      JSON.stringify(fires),
    );
    const times = fires.map((fire) => fire.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      "newest first",
    );
    for (let i = 1; i < times.length; i++) assert.equal(times[i - 1] - times[i], 1000, "one fire a second, none lost");
    await page.waitForFunction(
      (id) => document.querySelector(`#history li[data-id='${id}']`)?.dataset.flow === "ticking-demo",
      succeeded[0].run,
      { timeout: 60_000 },
    );
    await screenshotOf("#triggers-panel", join(repoRoot, "tests", "output", "demo-triggers.png"));

    // Paused: the trigger says so, and its next fire is not shown.
    await page.click("#triggers li[data-id='ticking-demo/tick'] button:text('Pause')");
    await page.waitForSelector("#triggers li[data-id='ticking-demo/tick'][data-paused='true']");
    // Deactivated: no trigger left, the fires stay listed.
    await page.click("#triggers-deactivate");
    await page.waitForFunction(() => document.querySelectorAll("#triggers li").length === 0);
    assert.match(await page.textContent("#triggers-status"), /Deactivated 1 trigger of ticking-demo/);
    assert.ok((await page.$$("#fires li")).length >= 2);

    // A webhook needs Node.js: the page says so, with the code.
    await paste({
      id: "hooked-demo",
      type: "group",
      nodes: [{ id: "hook", type: "webhook", parameters: { path: "demo", auth: "none" } }],
      edges: [],
    });
    await page.click("#triggers-activate");
    await page.waitForSelector("#triggers-status[data-state='error']");
    assert.match(await page.textContent("#triggers-status"), /IMPLEMENTATION_NOT_FOUND: .*webhook trigger needs Node\.js/);
  },
);

test("the page fetched nothing outside localhost and raised no errors", options, () => {
  assert.ok(
    session.requests.some((url) => url.endsWith("/dist/engines/wasm/atomiton_conductor_wasm_bg.wasm")),
    "requests were recorded",
  );
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
  for (const [path, status] of [
    ["/%2e%2e/README.md", 200],
    ["/demo/%2e%2e/%2e%2e/Cargo.toml", 404],
    ["/..%2fREADME.md", 403],
    ["/demo/..%2f..%2f..%2fCargo.toml", 403],
    ["/%2e%2e%2f%2e%2e%2fetc/passwd", 403],
  ]) {
    const response = await get(path);
    assert.equal(response.status, status, path);
    assert.doesNotMatch(await response.text(), /Atomiton Conductor|\[workspace\]|root:/, path);
  }
  assert.equal((await get("/demo/..%5C..%5CREADME.md")).status, 400, "an encoded backslash");
  assert.equal((await get("/demo/", { method: "POST" })).status, 405);
});
