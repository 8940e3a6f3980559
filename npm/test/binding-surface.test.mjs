// The native addon and the three wasm modules expose the same conductor methods and module
// functions, but for the few each target has on its own, named here. The forwarders both share
// come from one definition (atomiton_core::session_forwarders! and catalog_forwarders!); this
// catches a method or function added to, renamed in or gated differently in one binding only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { loadNative } from "../dist/engines/native/loader.js";

const require = createRequire(import.meta.url);

/** Native only: `running` (the session engine then fails only the lost runs: engines/session/runs.ts) and `markCrashed` (queue mode's history). */
const NATIVE_ONLY = ["markCrashed", "running"];
/** The addon's process-wide worker pool. */
const NATIVE_ONLY_FUNCTIONS = ["NativeConductor", "workerPoolStats", "workerPoolResetPeak"];
/** What wasm-bindgen adds to every class and module. */
const WASM_ONLY = ["__destroy_into_raw", "free"];
const WASM_ONLY_FUNCTIONS = ["WasmConductor", "default", "initSync"];
/** Methods of core features a module may be built without. */
const GATED = { debugger: ["controlRun", "runState"], history: ["executions"] };

const modules = [
  { name: "browser", load: () => import("../dist/engines/wasm/atomiton_conductor_wasm.js"), features: [] },
  {
    name: "browser with history",
    load: () => import("../dist/engines/wasm-history/atomiton_conductor_wasm.js"),
    features: ["debugger", "history"],
  },
  {
    name: "Node fallback",
    load: async () => require("../dist/engines/wasm-node/atomiton_conductor_wasm.cjs"),
    features: ["debugger", "history"],
  },
];

function methods(cls) {
  return Object.getOwnPropertyNames(cls.prototype)
    .filter((name) => name !== "constructor" && typeof cls.prototype[name] === "function")
    .sort();
}

const without = (names, left) => names.filter((name) => !left.includes(name)).sort();

function nativeAddon() {
  const native = loadNative();
  assert.ok(native.ok, "the native addon loads (scripts/build-npm.sh)");
  return native.addon;
}

test("the native-only methods and functions are there (the lists below are not stale)", () => {
  const addon = nativeAddon();
  const native = methods(addon.NativeConductor);
  for (const name of [...NATIVE_ONLY, ...Object.values(GATED).flat()]) assert.ok(native.includes(name), `NativeConductor.${name}`);
  for (const name of NATIVE_ONLY_FUNCTIONS) assert.equal(typeof addon[name], "function", name);
});

for (const module of modules) {
  test(`the ${module.name} module's WasmConductor has the native addon's methods`, async () => {
    const wasm = await module.load();
    const absent = Object.entries(GATED).flatMap(([feature, names]) => (module.features.includes(feature) ? [] : names));
    const expected = without(methods(nativeAddon().NativeConductor), [...NATIVE_ONLY, ...absent]);
    assert.deepEqual(without(methods(wasm.WasmConductor), WASM_ONLY), expected);
    for (const name of WASM_ONLY) assert.ok(methods(wasm.WasmConductor).includes(name), `WasmConductor.${name} (wasm-bindgen's)`);
  });

  test(`the ${module.name} module has the native addon's module functions`, async () => {
    const wasm = await module.load();
    const addon = nativeAddon();
    const functions = (exports, left) =>
      without(
        Object.keys(exports).filter((name) => typeof exports[name] === "function"),
        left,
      );
    assert.deepEqual(functions(wasm, WASM_ONLY_FUNCTIONS), functions(addon, NATIVE_ONLY_FUNCTIONS));
  });
}
