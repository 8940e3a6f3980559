// The browser demo: pick a bundled template or paste a flow, run it in WebAssembly, watch the
// progress and each node's state, see the result or the error. Plain ES module, no build step:
// it imports the package's browser entry from the built dist/ next to this folder.
import { conductor, createExecutionId, DEFAULT_SLOWMO_MS } from "../dist/browser.js";

const $ = (id) => document.getElementById(id);

/** A DOM element with properties, attributes (`data-*`, `aria-*`) and children; text is never parsed as HTML. */
function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.startsWith("data-") || key.startsWith("aria-")) element.setAttribute(key, value);
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
  slowMoValue: $("slowmo-value"),
  run: $("run"),
  cancel: $("cancel"),
  progress: document.querySelector(".progress"),
  progressBar: $("progress-bar"),
  progressMessage: $("progress-message"),
  progressPercent: $("progress-percent"),
  nodes: $("nodes"),
  result: $("result"),
};

/** Templates by id: `{info, definition, issues}` (issues: why the browser build refuses it). */
const templates = new Map();
/** The run being shown; progress of any other run is ignored. */
let current = null;
/** Table rows by node id. */
const rows = new Map();

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
    return;
  }
  ui.flowText.value = conductor.formats.toYaml(template.definition);
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

async function run() {
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
  try {
    const result = await conductor.node.run(flow, { executionId, input, slowMo: Number(ui.slowMo.value) });
    showResult(result, performance.now() - started);
  } finally {
    if (current === executionId) current = null;
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
  const nodes = Array.isArray(flow.nodes) && flow.nodes.length > 0 ? flatten(flow) : [{ id: flow.id, name: flow.name ?? flow.id, type: flow.type, depth: 1 }];
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
  setProgress(event.progress, event.message);
  for (const node of event.nodes) updateRow(node);
});

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
  ui.progress.dataset.status = "error";
  const error = result.error ?? {};
  const cancelled = error.code === "CANCELLED";
  ui.progressMessage.textContent = cancelled ? "Cancelled" : "Failed";
  showFailure(cancelled ? "Cancelled" : "Failed", error, elapsed);
}

/** The error panel: code, message, node and every validation issue. */
function showFailure(title, error, elapsed) {
  ui.result.dataset.status = "error";
  // Validation issues, unless the only one is the error itself.
  const all = error?.context?.issues ?? [];
  const issues = all.length === 1 && all[0].message === error.message ? [] : all;
  const parts = [
    h("p", { className: "banner", textContent: title }),
    h("p", { id: "error-message" }, error?.code ? h("code", { className: "error-code", textContent: error.code }) : undefined, String(error?.message ?? error)),
    h("p", { className: "meta", textContent: [elapsed, error?.nodeId ? `node ${error.nodeId}` : undefined].filter(Boolean).join(" · ") }),
  ];
  if (issues.length > 0) {
    parts.push(h("ul", { className: "issues" }, ...issues.map((issue) => h("li", {}, h("code", { textContent: issue.code }), ` ${issue.message}`))));
  }
  ui.result.replaceChildren(...parts);
}

ui.template.addEventListener("change", showTemplate);
ui.slowMo.addEventListener("input", showSlowMo);
ui.run.addEventListener("click", () => void run());
ui.cancel.addEventListener("click", () => void cancel());

start().catch((error) => {
  setStatus("failed", "Demo failed to start");
  showFailure("The demo could not start", error);
});
