// The demo's Data panel: a CSV (or TSV) file dropped on the page, or chosen, streams through a
// filter in a Web Worker — read a batch of rows at a time by the engine's editor module, which
// runs such chains as streams — while the panel shows rows, bytes, rows/s and the time left.
// The page's own conductor is not used: a second one runs in worker mode, made on first use.
import { createConductor, createExecutionId } from "../dist/browser.js";
// The CLI's phrase for a stream's progress (the Node entry exports it as `formatStreamProgress`;
// /browser keeps to the values the TypeScript engine's browser entry had).
import { formatStream as formatStreamProgress } from "../dist/conductor/stream-text.js";

/** Rows shown of the result. */
const SHOWN_ROWS = 5;

/**
 * Wires the panel's elements: `drop` (the drop zone), `file` (a file input), `filter` (the
 * expression rows are kept by), `cancel`, `status` and `result`.
 */
export function setupCsvPanel(ui) {
  let conductor;
  /** The run going on: `{executionId, started}`. */
  let current = null;
  const worker = () => (conductor ??= createConductor({ worker: true, debugging: true, history: false, storage: { type: "memory" } }));

  const show = (text, status = "running") => {
    ui.status.textContent = text;
    ui.status.dataset.status = status;
  };

  async function runFile(file) {
    if (current) return;
    const executionId = createExecutionId();
    current = { executionId, started: performance.now() };
    ui.drop.dataset.state = "running";
    ui.cancel.disabled = false;
    ui.result.hidden = true;
    show(`Reading ${file.name}…`);
    const engine = worker();
    const unsubscribe = engine.node.onProgress((event) => {
      if (event.executionId !== executionId) return;
      const source = event.nodes.find((node) => node.id === "read");
      if (typeof source?.rows === "number") show(formatStreamProgress(source, performance.now() - current.started));
    });
    try {
      const text = await file.text();
      await engine.ready;
      const result = await engine.node.run(csvFlow(file, text, ui.filter.value), { executionId });
      const elapsed = performance.now() - current.started;
      if (!result.success) {
        show(`${result.error.code}: ${result.error.message}`, "error");
        return;
      }
      const rows = result.data.result;
      show(`${rows.length.toLocaleString("en")} rows kept · ${file.name} read in ${(elapsed / 1000).toFixed(1)} s`, "success");
      ui.result.textContent =
        JSON.stringify(rows.slice(0, SHOWN_ROWS), null, 2) +
        (rows.length > SHOWN_ROWS ? `\n… and ${(rows.length - SHOWN_ROWS).toLocaleString("en")} more` : "");
      ui.result.hidden = false;
    } catch (error) {
      show(String(error?.message ?? error), "error");
    } finally {
      unsubscribe();
      current = null;
      ui.drop.dataset.state = "idle";
      ui.cancel.disabled = true;
    }
  }

  ui.file.addEventListener("change", () => {
    const [file] = ui.file.files ?? [];
    if (file) void runFile(file);
    ui.file.value = "";
  });
  ui.drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    if (!current) ui.drop.dataset.state = "over";
  });
  ui.drop.addEventListener("dragleave", () => {
    if (!current) ui.drop.dataset.state = "idle";
  });
  ui.drop.addEventListener("drop", (event) => {
    event.preventDefault();
    const [file] = event.dataTransfer?.files ?? [];
    if (file) void runFile(file);
    else if (!current) ui.drop.dataset.state = "idle";
  });
  ui.cancel.addEventListener("click", () => {
    if (current) void conductor?.node.cancel(current.executionId);
  });
}

/** The flow a file runs: read it (CSV, or TSV by its name or type), keep the rows `filter` keeps. */
function csvFlow(file, text, filter) {
  const tsv = /\.tsv$/i.test(file.name) || file.type === "text/tab-separated-values";
  return {
    id: "csv-file",
    name: file.name,
    type: "group",
    nodes: [
      { id: "read", type: "spreadsheet", name: "Read the file", parameters: { data: text, hasHeaders: true, delimiter: tsv ? "\t" : "," } },
      {
        id: "keep",
        type: "transform",
        name: "Keep rows",
        parameters: { operation: "filter", transformFunction: filter.trim() || "row => true" },
      },
    ],
    edges: [{ id: "read-keep", source: "read", target: "keep", targetHandle: "data" }],
  };
}
