// Checks a freshly built wasm module before anything else uses it: it must instantiate in Node
// and run a one-node flow to the right answer; the Node fallback module must also run a
// file-system node through the effects it is given. Exits non-zero with a plain message otherwise.
//
//   node scripts/lib/wasm-smoke.mjs <dir holding the glue and _bg.wasm> [browser|node]
import { copyFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const dir = resolve(process.argv[2] ?? "npm/wasm");
const nodeModule = process.argv[3] === "node";

function fail(message, cause) {
  console.error(`wasm smoke check failed: ${message}${cause ? `\n  ${cause instanceof Error ? cause.stack ?? cause.message : String(cause)}` : ""}`);
  process.exit(1);
}

let glue;
try {
  if (nodeModule) {
    // CommonJS that instantiates as it is required.
    glue = createRequire(import.meta.url)(join(dir, "atomiton_conductor_wasm.cjs"));
  } else {
    // The glue is an ES module in a .js file; a copy named .mjs loads as one wherever it sits.
    copyFileSync(join(dir, "atomiton_conductor_wasm.js"), join(dir, "smoke-glue.mjs"));
    glue = await import(pathToFileURL(join(dir, "smoke-glue.mjs")).href);
    glue.initSync({ module: readFileSync(join(dir, "atomiton_conductor_wasm_bg.wasm")) });
  }
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
  // The fallback module's file system: just enough for an `exists` check.
  effects: nodeModule ? { stat: async (path) => (path === "/" ? { isFile: false, isDir: true, size: 0, modifiedMs: 0 } : null) } : undefined,
};

/** Runs `flow` in a fresh conductor and returns its result, waiting for effects if it must. */
async function run(flow) {
  const conductor = new glue.WasmConductor(JSON.stringify({ storage: { type: "memory" } }), host, undefined);
  let wake = () => {};
  conductor.setNotifier(() => queueMicrotask(() => wake()));
  const options = { executionId: "smoke", customTypes: [], events: false };
  let status = conductor.run(1, new TextEncoder().encode(JSON.stringify(flow)), JSON.stringify(options), []);
  for (let turns = 0; !(status & 1) && turns < 100; turns++) {
    // A module that never wakes up again is broken: say so rather than hang.
    const hung = setTimeout(() => fail(`a one-node ${flow.type} flow never woke up`), 60_000);
    await new Promise((resolve) => (wake = resolve));
    clearTimeout(hung);
    status = conductor.drive();
  }
  const [completed] = conductor.takeCompleted();
  if (!completed) fail(`a one-node ${flow.type} flow did not finish`);
  return JSON.parse(completed.result);
}

try {
  const result = await run({ id: "smoke", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2", data: [1, 2, 3] } });
  const doubled = JSON.stringify(result?.data?.result ?? result?.data);
  if (result?.success !== true || doubled !== "[2,4,6]") fail(`a one-node flow gave ${JSON.stringify(result)}`);
  if (nodeModule) {
    const exists = await run({ id: "fs", type: "file-system", parameters: { operation: "exists", path: "/" } });
    if (exists?.success !== true || exists?.data?.exists !== true) fail(`a file-system node gave ${JSON.stringify(exists)}`);
  }
} catch (error) {
  fail("running a one-node flow threw", error);
}
console.log(`wasm smoke check: instantiated, ${nodeModule ? "a transform and a file-system node" : "a one-node flow"} ran`);
