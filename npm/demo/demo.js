// The browser demo: pick a bundled template or paste a flow, run it in WebAssembly, watch the
// progress and each node's state (in a table and on the flow's graph), see the result or the
// error, and the history of runs with the timeline of the one picked; a flow's schedule activated,
// with its last fires. In debug mode the graph
// sets breakpoints and pinned outputs, and the run can be paused, stepped and resumed.
// Plain ES modules, no build step: it imports the package's browser entry from the built dist/
// next to this folder.
import { createConductor, createExecutionId, DEFAULT_SLOWMO_MS } from "../dist/browser.js";
import { setupCsvPanel } from "./csv.js";
import { GraphView } from "./graph.js";
import { setupTriggersPanel } from "./triggers.js";

// With execution history, durable runs and the node result cache: the browser module that
// records runs (in IndexedDB), which the history list and the timeline below read, checkpoints
// them (a run the page was closed or reloaded during is listed "interrupted", and goes on from
// where it stopped with the Resume button below), and reuses unchanged results.
const conductor = createConductor({ history: true, durability: {}, cache: true });

const $ = (id) => document.getElementById(id);

/** A DOM element with properties, attributes (`data-*`, `aria-*`) and children; text is never parsed as HTML. */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("data-") || key.startsWith("aria-") || key === "role" || key === "style") element.setAttribute(key, value);
    else element[key] = value;
  }
  element.append(...children.filter((child) => child !== undefined && child !== null));
  return element;
}

const PASTE = "";
const SAMPLE = `# A flow in the YAML flow format (JSON works too)
id: my-flow
type: group
name: Squares and their sum
nodes:
  - id: squares
    type: transform
    name: Square each number
    parameters:
      operation: map
      transformFunction: "x => x * x"
      data: [1, 2, 3, 4]
  - id: total
    type: transform
    name: Add them up
    parameters:
      operation: reduce
      transformFunction: "(sum, x) => sum + x"
      reduceInitial: "0"
edges:
  - id: e1
    source: squares
    target: total
    targetHandle: data
`;

const ui = {
  status: $("engine-status"),
  template: $("template"),
  templateNote: $("template-note"),
  flowText: $("flow-text"),
  inputText: $("input-text"),
  slowMo: $("slowmo"),
  cache: $("cache-toggle"),
  slowMoValue: $("slowmo-value"),
  run: $("run"),
  cancel: $("cancel"),
  progress: document.querySelector(".progress"),
  progressBar: $("progress-bar"),
  progressMessage: $("progress-message"),
  progressPercent: $("progress-percent"),
  nodes: $("nodes"),
  result: $("result"),
  history: $("history"),
  historyEmpty: $("history-empty"),
  historySource: $("history-source"),
  timeline: $("timeline"),
  graphPanel: $("graph-panel"),
  graph: $("graph"),
  debugToggle: $("debug-toggle"),
  debugNote: $("debug-note"),
  debugBar: $("debug-bar"),
  debugRun: $("debug-run"),
  debugPause: $("debug-pause"),
  debugResume: $("debug-resume"),
  debugStep: $("debug-step"),
  debugRunTo: $("debug-run-to"),
  debugStatus: $("debug-status"),
  debugPanel: $("debug-panel"),
  pausedNode: $("paused-node"),
  pausedInput: $("paused-input"),
  selectedNode: $("selected-node"),
  pinText: $("pin-text"),
  pin: $("pin"),
  unpin: $("unpin"),
  pinNote: $("pin-note"),
};

/** Templates by id: `{info, definition, issues}` (issues: why the browser build refuses it). */
const templates = new Map();
/** The run being shown; progress of any other run is ignored. */
let current = null;
/** Table rows by node id. */
const rows = new Map();
/** Where the history list comes from (see "history" below); set by `start`. */
let history;
/** The run whose timeline is shown. */
let selected = null;
/** The flow's graph (graph.js); drawn from the flow text whenever it changes. */
const graph = new GraphView(ui.graph, { onNodeClick: clickNode });
/** The flow text the graph was drawn from. */
let graphText;
/**
 * Debug mode (see "debugging" below): breakpoints and pinned outputs by node path, the selected
 * node, the pause being shown (`{nodeId, input}`), and the last output known of each node.
 * `available` is false with an engine that has no debugger (then the toggle stays off).
 */
const debug = {
  /** The id of the flow the marks below belong to. */
  flowId: undefined,
  available: typeof conductor.node.pause === "function" && typeof conductor.node.onPaused === "function",
  enabled: false,
  breakpoints: new Set(),
  pinned: new Map(),
  selected: null,
  paused: null,
  pausing: false,
  outputs: new Map(),
};

// ----- engine and templates -------------------------------------------------------------------

async function start() {
  ui.slowMo.value = String(DEFAULT_SLOWMO_MS);
  showSlowMo();
  try {
    await conductor.ready;
  } catch (error) {
    setStatus("failed", "Engine failed to load");
    showFailure("The WebAssembly engine could not be loaded", { message: String(error?.message ?? error) });
    return;
  }
  history = (await engineHistory()) ?? pageHistory();
  ui.history.dataset.source = history.source;
  ui.historySource.textContent = history.source === "engine" ? "recorded by the engine" : "this page's runs, from their traces";
  await showHistory();
  const health = await conductor.system.health();
  setStatus(health.status === "ok" ? "ready" : "failed", `${health.status === "ok" ? "Ready" : "Unhealthy"} · ${health.message ?? ""}`);

  const { templates: list } = await conductor.flow.listTemplates();
  ui.template.replaceChildren();
  let firstRunnable;
  for (const info of list) {
    const { definition } = await conductor.flow.getTemplate(info.id);
    const validation = await conductor.node.validate(definition);
    const issues = validation.valid ? [] : validation.issues;
    templates.set(info.id, { info, definition, issues });
    firstRunnable ??= issues.length === 0 ? info.id : undefined;
    const label = issues.length === 0 ? info.name : `${info.name} — needs the desktop app`;
    ui.template.append(h("option", { value: info.id, textContent: label, title: info.description ?? "" }));
  }
  ui.template.append(h("option", { value: PASTE, textContent: "Your own flow (paste below)" }));
  ui.template.disabled = false;
  ui.template.value = firstRunnable ?? PASTE;
  showTemplate();
  ui.run.disabled = false;
  setDebugAvailability();
  document.body.dataset.ready = "true";
}

function setStatus(state, text) {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function showTemplate() {
  const template = templates.get(ui.template.value);
  if (!template) {
    ui.flowText.value = SAMPLE;
    ui.templateNote.hidden = true;
    showGraph();
    return;
  }
  ui.flowText.value = conductor.formats.toYaml(template.definition);
  showGraph();
  ui.templateNote.hidden = template.issues.length === 0;
  ui.templateNote.textContent =
    template.issues.length === 0
      ? ""
      : `This template uses nodes that need the desktop app (${template.issues.map((issue) => issue.nodeId).join(", ")}): ` +
        "the browser build refuses it before anything runs. Run it to see the validation error.";
}

function showSlowMo() {
  ui.slowMoValue.textContent = `${ui.slowMo.value} ms`;
}

// ----- running --------------------------------------------------------------------------------

/** Runs the flow in the text box; in debug mode with its breakpoints and pins (and `runTo`, see runToSelected). */
async function run({ runTo } = {}) {
  let flow;
  try {
    flow = conductor.formats.parseFlow(ui.flowText.value);
  } catch (error) {
    return showFailure("Could not read the flow", error);
  }
  let input;
  if (ui.inputText.value.trim() !== "") {
    try {
      input = JSON.parse(ui.inputText.value);
    } catch (error) {
      return showFailure("The input is not valid JSON", error);
    }
  }
  const executionId = createExecutionId();
  current = executionId;
  resetProgress(flow);
  setRunning(true);
  ui.result.dataset.status = "running";
  ui.result.replaceChildren(h("p", { className: "banner", textContent: "Running…" }));
  const started = performance.now();
  const startedAt = Date.now();
  try {
    // The cache is the conductor's; a run reads and fills it only when the switch is on.
    const cache = ui.cache.checked;
    const result = await conductor.node.run(flow, { executionId, input, slowMo: Number(ui.slowMo.value), cache, ...debugOptions(runTo) });
    showResult(result, performance.now() - started);
    history.add(recordFromResult({ id: executionId, flow, result, startedAt, endedAt: Date.now() }));
    await showHistory();
    await selectRun(executionId);
    await learnOutputs(executionId, result, runTo);
  } finally {
    if (current === executionId) current = null;
    clearPaused();
    setRunning(false);
  }
}

async function cancel() {
  if (current) await conductor.node.cancel(current);
}

function setRunning(running) {
  ui.run.disabled = running;
  ui.cancel.disabled = !running;
  ui.template.disabled = running;
  updateDebugControls();
}

// ----- progress -------------------------------------------------------------------------------

/** The flow's nodes below the root, in definition order, as progress snapshots list them. */
function flatten(node, depth = 1, out = []) {
  for (const child of node.nodes ?? []) {
    out.push({ id: child.id, name: child.name ?? child.id, type: child.type, depth });
    flatten(child, depth + 1, out);
  }
  return out;
}

function resetProgress(flow) {
  setProgress(0, "Starting…");
  delete ui.progress.dataset.status;
  rows.clear();
  ui.nodes.replaceChildren();
  if (graphText !== ui.flowText.value) showGraph();
  graph.resetStates();
  const nodes =
    Array.isArray(flow.nodes) && flow.nodes.length > 0
      ? flatten(flow)
      : [{ id: flow.id, name: flow.name ?? flow.id, type: flow.type, depth: 1 }];
  for (const node of nodes) updateRow({ ...node, state: "pending", progress: 0 });
}

function setProgress(percent, message) {
  const value = Math.max(0, Math.min(100, Math.round(percent)));
  ui.progressBar.style.width = `${value}%`;
  ui.progress.setAttribute("aria-valuenow", String(value));
  ui.progressPercent.textContent = `${value}%`;
  ui.progressMessage.textContent = message;
}

function updateRow(node) {
  let row = rows.get(node.id);
  if (!row) {
    row = {
      element: h("tr", { "data-node": node.id, "data-depth": String(node.depth ?? 1) }),
      state: h("span", { className: "state" }),
      progress: h("td", { className: "num" }),
    };
    row.element.append(
      h("td", {}, h("div", { textContent: node.name || node.id }), h("div", { className: "node-id", textContent: node.id })),
      h("td", { className: "type", textContent: node.type ?? "" }),
      h("td", {}, row.state),
      row.progress,
    );
    rows.set(node.id, row);
    ui.nodes.append(row.element);
  }
  row.state.dataset.state = node.state;
  row.state.textContent = node.state;
  row.progress.textContent = `${Math.round(node.progress ?? 0)}%`;
}

conductor.node.onProgress((event) => {
  if (event.executionId !== current) return;
  setProgress(event.progress, debug.paused ? `Paused before ${debug.paused.nodeId}` : event.message);
  for (const node of event.nodes) {
    updateRow(node);
    const path = graph.pathOf(node);
    if (path) graph.setState(path, node.state, node);
  }
});

// ----- graph ----------------------------------------------------------------------------------

/**
 * Draws the flow in the text box (the graph follows the text as it is edited). While the flow
 * keeps its id, the breakpoints, pins, selection and known outputs of nodes still there are kept;
 * another flow (another id) starts without any. Text that cannot be read (half typed, say)
 * drops nothing.
 */
function showGraph() {
  graphText = ui.flowText.value;
  let flow;
  try {
    flow = conductor.formats.parseFlow(graphText);
  } catch (error) {
    graph.showMessage(`The flow cannot be drawn: ${error?.message ?? error}`);
    return;
  }
  const model = graph.render(flow);
  const sameFlow = flow.id === debug.flowId;
  debug.flowId = flow.id;
  forgetMissingNodes(new Set(sameFlow ? model.nodes.map((node) => node.path) : []));
  for (const path of debug.breakpoints) graph.mark(path, "breakpoint", true);
  for (const path of debug.pinned.keys()) graph.mark(path, "pinned", true);
  if (debug.selected) graph.mark(debug.selected, "selected", true);
  showSelected();
}

function forgetMissingNodes(paths) {
  for (const path of [...debug.breakpoints]) if (!paths.has(path)) debug.breakpoints.delete(path);
  for (const collection of [debug.pinned, debug.outputs]) {
    for (const path of [...collection.keys()]) if (!paths.has(path)) collection.delete(path);
  }
  if (debug.selected && !paths.has(debug.selected)) debug.selected = null;
}

/** A click on a node selects it; in debug mode it also sets or clears its breakpoint. */
function clickNode(path) {
  select(path);
  if (debug.enabled) toggleBreakpoint(path);
}

function select(path) {
  if (debug.selected) graph.mark(debug.selected, "selected", false);
  debug.selected = path;
  graph.mark(path, "selected", true);
  showSelected();
}

function toggleBreakpoint(path) {
  const on = !debug.breakpoints.has(path);
  if (on) debug.breakpoints.add(path);
  else debug.breakpoints.delete(path);
  graph.mark(path, "breakpoint", on);
}

// ----- debugging ------------------------------------------------------------------------------
//
// The engine names nodes by path (see graph.js). A run in debug mode passes the breakpoints
// (pause before those nodes start) and the pinned outputs (those nodes do not run; their output
// feeds the next ones). While paused, Step runs the next node and pauses again, Resume runs on to
// the next breakpoint. "Run to here" runs the selected node and the nodes it depends on only.

function setDebugAvailability() {
  ui.debugToggle.disabled = !debug.available;
  ui.debugNote.hidden = debug.available;
  // A reload may restore the checkbox as it was: follow it.
  setDebugMode(ui.debugToggle.checked);
}

function setDebugMode(on) {
  debug.enabled = on && debug.available;
  ui.graphPanel.dataset.debug = String(debug.enabled);
  ui.debugBar.hidden = !debug.enabled;
  ui.debugPanel.hidden = !debug.enabled;
  updateDebugControls();
}

/** The run options debug mode adds; none outside it. */
function debugOptions(runTo) {
  if (!debug.enabled) return {};
  // Running to a node that has a breakpoint would stop just short of it: that one is left out.
  const breakpoints = [...debug.breakpoints].filter((path) => path !== runTo);
  return {
    ...(breakpoints.length > 0 ? { breakpoints } : {}),
    ...(debug.pinned.size > 0 ? { pinned: Object.fromEntries(debug.pinned) } : {}),
    ...(runTo ? { runTo } : {}),
  };
}

/** Enables the buttons that make sense now, and says what the run is doing. */
function updateDebugControls() {
  const running = current !== null;
  const paused = running && debug.paused !== null;
  ui.debugToggle.disabled = !debug.available || running; // the controls must stay while a run is paused
  ui.debugRun.disabled = running || !debug.enabled;
  ui.debugPause.disabled = !running || paused || debug.pausing;
  ui.debugResume.disabled = !paused;
  ui.debugStep.disabled = !paused;
  ui.debugRunTo.disabled = running || !debug.selected;
  ui.pin.disabled = !debug.selected;
  ui.unpin.disabled = !debug.selected || !debug.pinned.has(debug.selected);
  ui.debugStatus.textContent = paused
    ? `Paused before ${debug.paused.nodeId}: Step runs it, Resume runs on.`
    : debug.pausing
      ? "Pausing before the next node…"
      : running
        ? "Running…"
        : "Click a node to set or clear a breakpoint; the last one clicked is selected.";
}

/** The engine paused the run before `nodeId`: mark it and show the input it is about to get. */
function showPaused({ nodeId, input }) {
  debug.paused = { nodeId, input };
  debug.pausing = false;
  graph.clearMark("paused");
  graph.mark(nodeId, "paused", true);
  ui.graphPanel.dataset.paused = nodeId;
  ui.progressMessage.textContent = `Paused before ${nodeId}`;
  ui.pausedNode.replaceChildren("Paused before ", h("code", { textContent: nodeId }), ". Its input:");
  ui.pausedInput.textContent = JSON.stringify(input, null, 2) ?? "undefined";
  ui.pausedInput.hidden = false;
  updateDebugControls();
}

function clearPaused() {
  debug.paused = null;
  debug.pausing = false;
  graph.clearMark("paused");
  delete ui.graphPanel.dataset.paused;
  ui.pausedNode.textContent = "Not paused.";
  ui.pausedInput.hidden = true;
  ui.pausedInput.textContent = "";
  updateDebugControls();
}

async function pauseRun() {
  if (!current) return;
  debug.pausing = true;
  updateDebugControls();
  // The pause itself is shown when the engine reports it (onPaused), before the next node.
  if (!(await conductor.node.pause(current))) debug.pausing = false;
  updateDebugControls();
}

/**
 * Resume or Step. The pause shown is cleared *before* asking: a step's next pause can be
 * reported before the call's promise settles, and must not be cleared after it.
 */
async function continueRun(how) {
  const id = current;
  if (!id || !debug.paused) return;
  clearPaused();
  await conductor.node[how](id);
}

function runToSelected() {
  if (debug.selected) void run({ runTo: debug.selected });
}

if (debug.available) {
  conductor.node.onPaused((event) => {
    if (event.executionId === current) showPaused(event);
  });
}

// ----- pinned outputs -------------------------------------------------------------------------

/**
 * What the editor shows for the selected node: its pinned output, or the output it produced in
 * the last run when known (from the engine's record of the run, or a run to that node).
 */
function showSelected() {
  const path = debug.selected;
  ui.selectedNode.textContent = path ?? "none";
  ui.pinNote.hidden = true;
  const value = path === null ? undefined : debug.pinned.has(path) ? debug.pinned.get(path) : debug.outputs.get(path);
  ui.pinText.value = value === undefined ? "" : JSON.stringify(value, null, 2);
  ui.pinText.disabled = path === null;
  updateDebugControls();
}

function pinSelected() {
  const path = debug.selected;
  if (!path) return;
  let value;
  try {
    value = JSON.parse(ui.pinText.value);
  } catch (error) {
    ui.pinNote.hidden = false;
    ui.pinNote.textContent = `Not pinned: the output is not valid JSON (${error.message}).`;
    return;
  }
  debug.pinned.set(path, value);
  graph.mark(path, "pinned", true);
  ui.pinNote.hidden = false;
  ui.pinNote.textContent = `${path} is pinned: the next run uses this output instead of running it.`;
  updateDebugControls();
}

function unpinSelected() {
  const path = debug.selected;
  if (!path) return;
  debug.pinned.delete(path);
  graph.mark(path, "pinned", false);
  showSelected();
}

/** Remembers each node's output from a run that ended, for "Pin output". */
async function learnOutputs(executionId, result, runTo) {
  if (runTo && result.success) debug.outputs.set(runTo, result.data);
  if (history.source === "engine") {
    // The engine's record has every node's output; the page's own records have none.
    let record;
    try {
      record = await history.get(executionId);
    } catch {
      record = undefined; // only the editor's suggestion is lost: the output can still be typed
    }
    for (const node of record?.nodes ?? []) if ("output" in node) debug.outputs.set(node.nodeId, node.output);
  }
  if (debug.selected && !debug.pinned.has(debug.selected)) showSelected();
}

// ----- result ---------------------------------------------------------------------------------

function showResult(result, elapsedMs) {
  const elapsed = `${elapsedMs < 10 ? elapsedMs.toFixed(1) : Math.round(elapsedMs)} ms`;
  if (result.success) {
    ui.progress.dataset.status = "success";
    ui.result.dataset.status = "success";
    ui.result.replaceChildren(
      h("p", { className: "banner", textContent: "Succeeded" }),
      h("p", { className: "meta", textContent: `${elapsed} · executed ${(result.executedNodes ?? []).join(" → ")}` }),
      h("pre", { className: "json", id: "result-data", textContent: JSON.stringify(result.data, null, 2) }),
    );
    return;
  }
  const error = result.error ?? {};
  if (error.code === "WAITING") return showWaiting(result, elapsed);
  ui.progress.dataset.status = "error";
  const cancelled = error.code === "CANCELLED";
  ui.progressMessage.textContent = cancelled ? "Cancelled" : "Failed";
  showFailure(cancelled ? "Cancelled" : "Failed", error, elapsed);
}

/**
 * A run parked at a `wait` node: what it waits for, and the buttons that wake it — Approve and
 * Reject for an approval, Send for a signal (its payload from the input box). The run then goes
 * on here, as the same run, and its result replaces this panel.
 */
function showWaiting(result, elapsed) {
  const waiting = result.error.context ?? {};
  const executionId = result.error.executionId ?? result.context?.executionId;
  ui.progress.dataset.status = "waiting";
  ui.progressMessage.textContent = "Waiting";
  ui.result.dataset.status = "waiting";
  const what =
    waiting.kind === "approval"
      ? "an approval"
      : waiting.kind === "signal"
        ? `signal '${waiting.signal}'`
        : `its time (${new Date(waiting.wakeAt).toLocaleTimeString()})`;
  const goOn = (wake) => async () => {
    const started = performance.now();
    setRunning(true);
    try {
      const woken = await wake();
      showResult(woken, performance.now() - started);
      await showHistory();
      await selectRun(executionId);
    } catch (error) {
      showFailure("Refused", error);
    } finally {
      setRunning(false);
    }
  };
  const approve = (approved) => goOn(() => conductor.executions.approve(executionId, waiting.nodeId, { approved, by: "demo page" }));
  const send = goOn(() =>
    conductor.executions.signal(executionId, waiting.signal, ui.inputText.value.trim() ? JSON.parse(ui.inputText.value) : null),
  );
  const buttons =
    waiting.kind === "approval"
      ? [
          h("button", { id: "approve", textContent: "Approve", onclick: approve(true) }),
          h("button", { id: "reject", textContent: "Reject", onclick: approve(false) }),
        ]
      : waiting.kind === "signal"
        ? [h("button", { id: "send-signal", textContent: `Send '${waiting.signal}' (the input box is its payload)`, onclick: send })]
        : [];
  ui.result.replaceChildren(
    h("p", { className: "banner", textContent: "Waiting" }),
    h("p", {
      id: "waiting-for",
      textContent: `Node ${waiting.nodeId} waits for ${what}. The run is parked: reload the page and it is still here (Runs).`,
    }),
    h("p", { className: "meta", textContent: elapsed }),
    h("p", { className: "actions" }, ...buttons),
  );
}

/** The error panel: code, message, node and every validation issue. */
function showFailure(title, error, elapsed) {
  ui.result.dataset.status = "error";
  // Validation issues, unless the only one is the error itself.
  const all = error?.context?.issues ?? [];
  const issues = all.length === 1 && all[0].message === error.message ? [] : all;
  const parts = [
    h("p", { className: "banner", textContent: title }),
    h(
      "p",
      { id: "error-message" },
      error?.code ? h("code", { className: "error-code", textContent: error.code }) : undefined,
      String(error?.message ?? error),
    ),
    h("p", { className: "meta", textContent: [elapsed, error?.nodeId ? `node ${error.nodeId}` : undefined].filter(Boolean).join(" · ") }),
  ];
  if (issues.length > 0) {
    parts.push(
      h("ul", { className: "issues" }, ...issues.map((issue) => h("li", {}, h("code", { textContent: issue.code }), ` ${issue.message}`))),
    );
  }
  ui.result.replaceChildren(...parts);
}

// ----- history and timeline -------------------------------------------------------------------
//
// The list and the timeline read one record shape, whatever its source (times: epoch ms):
//   {id, flowId, status, startTime, endTime, duration, error?,
//    nodes: [{nodeId, nodeType, state, attempts, reused?, startTime, endTime, error?}]}
// Why two sources: `conductor.executions` is the engine's execution history (this page creates
// its conductor with `history: true`, which loads the module that records runs; the Node package
// and a server record every run). A conductor without it (the default browser module, which
// leaves history out to stay under its size budget) rejects `executions.list()`; the page then
// keeps its own list: a record built from each of its runs' results and traces, the newest
// PAGE_HISTORY_LIMIT runs, gone when the page is closed.

const PAGE_HISTORY_LIMIT = 50;

/** The engine's history, or `undefined` when this build has none (`executions.list()` rejects). */
async function engineHistory() {
  try {
    await conductor.executions.list({ limit: 1 });
  } catch {
    return undefined;
  }
  return {
    source: "engine",
    list: async () => (await conductor.executions.list({ limit: PAGE_HISTORY_LIMIT })).executions,
    get: (id) => conductor.executions.get(id),
    add() {}, // the engine recorded the run itself
  };
}

/** This page's runs, newest first, at most PAGE_HISTORY_LIMIT. */
function pageHistory() {
  const records = [];
  return {
    source: "page",
    list: async () => records,
    get: async (id) => records.find((record) => record.id === id),
    add(record) {
      records.unshift(record);
      records.length = Math.min(records.length, PAGE_HISTORY_LIMIT);
    },
  };
}

/** Each node's path below the root (`group/child`), as recorded runs name nodes; traces give bare ids. */
function nodePaths(node, prefix = "", paths = new Map()) {
  for (const child of node.nodes ?? []) {
    const path = prefix + child.id;
    if (!paths.has(child.id)) paths.set(child.id, path);
    nodePaths(child, `${path}/`, paths);
  }
  return paths;
}

/** A record of the shape above from a run's result: its trace gives each node's state and times. */
function recordFromResult({ id, flow, result, startedAt, endedAt }) {
  const trace = result.trace;
  const error = result.success ? undefined : result.error;
  const status = result.success ? "success" : error?.code === "CANCELLED" ? "cancelled" : "failed";
  const startTime = trace?.startTime ?? startedAt;
  const endTime = trace?.endTime ?? endedAt;
  const paths = nodePaths(flow);
  const nodes = [];
  // As the engine records them: nodes that ended or were running when the run ended, not those
  // still pending. A trace node that never started has startTime 0.
  for (const node of trace?.nodes ?? []) {
    if (node.state === "pending") continue;
    const started = node.startTime > 0;
    let nodeError;
    if (node.state === "error") {
      nodeError = status === "cancelled" ? { code: "CANCELLED", message: "Cancelled" } : error?.nodeId === node.nodeId ? error : undefined;
    }
    nodes.push({
      nodeId: paths.get(node.nodeId) ?? node.nodeId,
      nodeType: node.nodeType,
      state: node.state,
      attempts: 1,
      startTime: started ? node.startTime : undefined,
      endTime: node.endTime ?? (started ? endTime : undefined),
      ...(nodeError ? { error: { code: nodeError.code, message: nodeError.message } } : {}),
    });
  }
  return {
    id,
    flowId: flow.id,
    status,
    startTime,
    endTime,
    duration: trace?.duration ?? endTime - startTime,
    ...(error ? { error: { code: error.code, message: error.message, nodeId: error.nodeId } } : {}),
    nodes,
  };
}

const shortId = (id) =>
  String(id)
    .replace(/^exec_/, "")
    .slice(0, 8);
const round = (ms) => Math.round(ms * 10) / 10;

function formatMs(ms) {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

const clock = (time) => new Date(time).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });

/** The history list, newest first; the selected run stays marked. */
async function showHistory() {
  let runs;
  try {
    runs = await history.list();
  } catch (error) {
    ui.historyEmpty.hidden = false;
    ui.historyEmpty.textContent = `The history could not be read: ${error?.message ?? error}`;
    return;
  }
  ui.historyEmpty.hidden = runs.length > 0;
  ui.history.replaceChildren(
    ...runs.map((run) => {
      const button = h(
        "button",
        { type: "button", className: "run", "aria-pressed": String(run.id === selected), title: run.id },
        h("span", { className: "status", "data-status": run.status, textContent: run.status }),
        h("code", { className: "run-id", textContent: shortId(run.id) }),
        h("span", { className: "run-flow", textContent: run.flowId }),
        h("time", { className: "run-time", dateTime: new Date(run.startTime).toISOString(), textContent: clock(run.startTime) }),
        h("span", { className: "run-duration", textContent: formatMs(run.duration) }),
      );
      button.addEventListener("click", () => void selectRun(run.id));
      return h(
        "li",
        { "data-id": run.id, "data-status": run.status, "data-flow": run.flowId, "data-start": String(run.startTime) },
        button,
      );
    }),
  );
}

async function selectRun(id) {
  selected = id;
  for (const item of ui.history.children) item.querySelector("button").setAttribute("aria-pressed", String(item.dataset.id === id));
  let record;
  try {
    record = await history.get(id);
  } catch (error) {
    ui.timeline.replaceChildren(
      h("p", { className: "placeholder", textContent: `Run ${shortId(id)} could not be read: ${error?.message ?? error}` }),
    );
    return;
  }
  if (selected !== id) return; // another run was picked meanwhile
  if (record) renderTimeline(record);
  else ui.timeline.replaceChildren(h("p", { className: "placeholder", textContent: `Run ${shortId(id)} is no longer in the history.` }));
}

/**
 * An interrupted run's way on: Resume continues it as the same run from its checkpoints. When a
 * node with effects was running as the page went away (it may have had its effect), the engine
 * asks what to do with it: run it again, or skip it with the output it should have given.
 */
function resumePanel(record) {
  const panel = h("div", { className: "resume", "data-run": record.id });
  const note = h("p", { className: "resume-note" });
  const resume = async (decision) => {
    for (const button of panel.querySelectorAll("button")) button.disabled = true;
    note.textContent = "Resuming…";
    const result = await conductor.executions.resume(record.id, decision);
    // The nodes to decide on are in the error's context.
    const waiting = result.error?.code === "DECISION_REQUIRED" ? (result.error.context?.nodes ?? []) : [];
    if (waiting.length > 0) {
      note.textContent = result.error.message;
      panel.replaceChildren(note, ...waiting.map(({ nodeId, nodeType }) => decisionFor(nodeId, nodeType, resume)));
      return;
    }
    note.textContent = result.success ? "Resumed: the run ended successfully." : `Resumed: ${result.error?.code} ${result.error?.message}`;
    await showHistory();
    await selectRun(record.id);
  };
  const button = h("button", { type: "button", className: "resume-run", textContent: "Resume" });
  button.addEventListener("click", () => void resume({}));
  note.textContent = "Interrupted: the page went away while it ran. Its completed nodes are checkpointed.";
  panel.append(note, button);
  return panel;
}

/** The choice for node `nodeId`, which was running with effects: run it again, or skip it with an output (JSON). */
function decisionFor(nodeId, nodeType, resume) {
  const output = h("input", {
    type: "text",
    className: "skip-output",
    value: "null",
    "aria-label": `Output for ${nodeId} when skipped (JSON)`,
  });
  const again = h("button", { type: "button", className: "rerun", textContent: "Run it again" });
  const skip = h("button", { type: "button", className: "skip", textContent: "Skip it, with output" });
  again.addEventListener("click", () => void resume({ rerun: [nodeId] }));
  skip.addEventListener("click", () => {
    let value;
    try {
      value = JSON.parse(output.value);
    } catch {
      output.setCustomValidity("Not JSON");
      output.reportValidity();
      return;
    }
    void resume({ skip: { [nodeId]: value } });
  });
  return h(
    "p",
    { className: "decision", "data-node": nodeId },
    h("code", { textContent: nodeId }),
    ` (${nodeType}) may have had its effect: `,
    again,
    " ",
    skip,
    " ",
    output,
  );
}

/** What a bar shows: a node whose error is a cancellation counts as cancelled. */
const barState = (node) => (node.state === "error" && node.error?.code === "CANCELLED" ? "cancelled" : node.state);

/**
 * The timeline of one record (either source): one bar per node that started, on an axis from
 * the run's start to its end, so nodes that ran at once overlap and the slowest stands out.
 */
function renderTimeline(record) {
  const ids = record.nodes.map((node) => node.nodeId);
  // Groups span their children; the slowest node is looked for among the nodes doing the work.
  const isContainer = (node) =>
    node.nodeType === "group" || node.nodeType === "parallel" || ids.some((other) => other.startsWith(`${node.nodeId}/`));
  const bars = record.nodes
    .filter((node) => Number.isFinite(node.startTime))
    .map((node) => {
      const end = Number.isFinite(node.endTime) ? node.endTime : (record.endTime ?? node.startTime);
      return {
        node,
        start: round(Math.max(0, node.startTime - record.startTime)),
        duration: round(Math.max(0, end - node.startTime)),
        state: barState(node),
      };
    })
    .sort((a, b) => a.start - b.start || a.node.nodeId.localeCompare(b.node.nodeId));
  const notStarted = record.nodes.filter((node) => !Number.isFinite(node.startTime));
  // Up to the next tenth of a millisecond, as the bars are rounded: a bar's start plus its
  // duration (two rounded figures added in floating point) is then never past the axis's end.
  const total = Math.ceil(Math.max(record.duration ?? 0, ...bars.map((bar) => bar.start + bar.duration), 1) * 10) / 10;
  const workers = bars.filter((bar) => !isContainer(bar.node));
  const slowest = (workers.length > 0 ? workers : bars).reduce(
    (best, bar) => (best && best.duration >= bar.duration ? best : bar),
    undefined,
  );
  // Most nodes running at once (containers aside): ends sort before starts at the same instant.
  const edges = workers
    .flatMap((bar) => [
      [bar.start, 1],
      [bar.start + bar.duration, -1],
    ])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let parallel = 0;
  for (const [, step] of edges) parallel = Math.max(parallel, (running += step));

  const percent = (ms) => `${(ms / total) * 100}%`;
  const summary = [record.flowId, formatMs(total), `${bars.length} node${bars.length === 1 ? "" : "s"}`];
  if (parallel > 1) summary.push(`up to ${parallel} at once`);
  const parts = [
    h(
      "p",
      { className: "timeline-head" },
      h("span", { className: "status", "data-status": record.status, textContent: record.status }),
      " ",
      h("code", { textContent: shortId(record.id) }),
      ` ${summary.join(" · ")}`,
      slowest
        ? h("span", { className: "slowest-note", textContent: ` · slowest: ${slowest.node.nodeId} (${formatMs(slowest.duration)})` })
        : undefined,
    ),
  ];
  if (record.status === "interrupted") parts.push(resumePanel(record));
  if (record.error) {
    parts.push(
      h(
        "p",
        { className: "timeline-error" },
        h("code", { className: "error-code", textContent: record.error.code ?? "" }),
        String(record.error.message ?? ""),
      ),
    );
  }
  if (bars.length === 0) {
    parts.push(h("p", { className: "placeholder", textContent: "No node ran." }));
  } else {
    const list = h("div", {
      className: "timeline-rows",
      role: "list",
      "aria-label": `Nodes of run ${shortId(record.id)} on a time axis of ${formatMs(total)}`,
    });
    for (const bar of bars) {
      const { node, start, duration, state } = bar;
      const isSlowest = bar === slowest;
      const depth = node.nodeId.split("/").length;
      const description = `${node.nodeId} (${node.nodeType}): ${state}${node.reused ? ", reused" : ""}, from ${formatMs(start)} for ${formatMs(duration)}${isSlowest ? ", the slowest" : ""}${node.error?.message && state === "error" ? ` — ${node.error.message}` : ""}`;
      list.append(
        h(
          "div",
          {
            className: "timeline-row",
            role: "listitem",
            "aria-label": description,
            "data-depth": String(depth),
            ...(isSlowest ? { "data-slowest": "true" } : {}),
          },
          h("span", { className: "timeline-label", title: node.nodeId, textContent: node.nodeId.split("/").pop() }),
          h(
            "div",
            { className: "timeline-track" },
            h("div", {
              className: "timeline-bar",
              title: description,
              "data-node": node.nodeId,
              "data-state": state,
              "data-start": String(start),
              "data-duration": String(duration),
              ...(node.reused ? { "data-reused": "true" } : {}),
              style: `left: ${percent(start)}; width: ${percent(duration)}`,
            }),
          ),
          h(
            "span",
            { className: "timeline-duration" },
            formatMs(duration),
            isSlowest ? h("span", { className: "slowest", textContent: "slowest" }) : undefined,
          ),
        ),
      );
    }
    parts.push(
      list,
      h(
        "div",
        { className: "timeline-axis", "aria-hidden": "true" },
        h("span"),
        h(
          "div",
          { className: "axis-track" },
          h("span", { className: "tick start", textContent: "0" }),
          h("span", { className: "tick end", textContent: formatMs(total) }),
        ),
        h("span"),
      ),
    );
  }
  if (notStarted.length > 0) {
    parts.push(
      h("p", {
        className: "meta",
        textContent: `Did not start: ${notStarted.map((node) => `${node.nodeId} (${barState(node)})`).join(", ")}`,
      }),
    );
  }
  ui.timeline.dataset.run = record.id;
  ui.timeline.dataset.total = String(total);
  ui.timeline.replaceChildren(...parts);
}

ui.template.addEventListener("change", showTemplate);
ui.slowMo.addEventListener("input", showSlowMo);
ui.run.addEventListener("click", () => void run());
ui.cancel.addEventListener("click", () => void cancel());
ui.flowText.addEventListener("input", showGraph);
ui.debugToggle.addEventListener("change", () => setDebugMode(ui.debugToggle.checked));
ui.debugRun.addEventListener("click", () => void run());
ui.debugPause.addEventListener("click", () => void pauseRun());
ui.debugResume.addEventListener("click", () => void continueRun("resume"));
ui.debugStep.addEventListener("click", () => void continueRun("step"));
ui.debugRunTo.addEventListener("click", runToSelected);
ui.pin.addEventListener("click", pinSelected);
ui.unpin.addEventListener("click", unpinSelected);

setupCsvPanel({
  drop: $("csv-drop"),
  file: $("csv-file"),
  filter: $("csv-filter"),
  cancel: $("csv-cancel"),
  status: $("csv-status"),
  result: $("csv-result"),
});

setupTriggersPanel(
  conductor,
  {
    activate: $("triggers-activate"),
    deactivate: $("triggers-deactivate"),
    status: $("triggers-status"),
    list: $("triggers"),
    fires: $("fires"),
    firesOf: $("fires-of"),
  },
  { flow: () => conductor.formats.parseFlow(ui.flowText.value), h, onFired: () => history && void showHistory() },
);

start().catch((error) => {
  setStatus("failed", "Demo failed to start");
  showFailure("The demo could not start", error);
});
