// Checks a freshly built wasm module before anything else uses it: it must instantiate in Node
// and run a one-node flow to the right answer. Exits non-zero with a plain message otherwise.
//
//   node scripts/lib/wasm-smoke.mjs <dir holding atomiton_conductor_wasm.js and _bg.wasm>
import { copyFileSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = resolve(process.argv[2] ?? "npm/wasm");

function fail(message, cause) {
  console.error(`wasm smoke check failed: ${message}${cause ? `\n  ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}` : ""}`);
  process.exit(1);
}

let glue;
try {
  // The glue is an ES module in a .js file; a copy named .mjs loads as one wherever it sits.
  copyFileSync(join(dir, "atomiton_conductor_wasm.js"), join(dir, "smoke-glue.mjs"));
  glue = await import(pathToFileURL(join(dir, "smoke-glue.mjs")).href);
  glue.initSync({ module: readFileSync(join(dir, "atomiton_conductor_wasm_bg.wasm")) });
} catch (error) {
  fail("the module does not instantiate in Node", error);
}

const timers = new Map();
let nextTimer = 1;
const host = {
  now: () => Date.now(),
  random: () => Math.random(),
  setTimer(ms, callback) {
    const id = nextTimer++;
    timers.set(id, setTimeout(() => { timers.delete(id); callback(); }, ms));
    return id;
  },
  clearTimer(id) { clearTimeout(timers.get(id)); timers.delete(id); },
  fetch() { throw new Error("no fetch in the smoke check"); },
};

let result;
try {
  const conductor = new glue.WasmConductor(JSON.stringify({ storage: { type: "memory" } }), host, undefined);
  conductor.setNotifier(() => {});
  const flow = { id: "smoke", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } };
  const options = { executionId: "smoke", customTypes: [], events: false };
  conductor.run(1, new TextEncoder().encode(JSON.stringify(flow)), JSON.stringify(options), []);
  const [completed] = conductor.takeCompleted();
  if (!completed) fail("a one-node flow did not finish inside the call that started it");
  result = JSON.parse(completed.result);
} catch (error) {
  fail("running a one-node flow threw", error);
}
const doubled = JSON.stringify(result?.data?.result ?? result?.data);
if (result?.success !== true || doubled !== "[2,4,6]") fail(`a one-node flow gave ${JSON.stringify(result)}`);
console.log("wasm smoke check: instantiated, a one-node flow ran");
