// The native addon and the three wasm modules expose the conductor methods the one Rust
// declaration of a session's methods gives them (core/src/session/boundary/methods.rs, as
// generated into methods.generated.ts), each with the features it was built with, and the same
// module functions. This catches a method added to, renamed in or gated differently in one
// binding only.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { loadNative } from "../dist/engines/native/loader.js";
import { CATALOG_FUNCTION_GATES, SESSION_METHOD_GATES, SESSION_METHOD_KINDS } from "../dist/engines/session/methods.generated.js";

const require = createRequire(import.meta.url);

/** The addon's process-wide worker pool. */
const NATIVE_ONLY_FUNCTIONS = ["NativeConductor", "workerPoolStats", "workerPoolResetPeak"];
/** What wasm-bindgen adds to every class and module. */
const WASM_ONLY = ["__destroy_into_raw", "free"];
const WASM_ONLY_FUNCTIONS = ["WasmConductor", "default", "initSync"];

/** The methods the Rust declaration gives a class with `features` (`native`: the addon's own). */
const declared = (features) =>
  Object.keys(SESSION_METHOD_KINDS)
    .filter((name) => SESSION_METHOD_GATES[name] === undefined || features.includes(SESSION_METHOD_GATES[name]))
    .sort();

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
    features: ["debugger", "history", "catalog"],
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

test("the native addon's NativeConductor has exactly the methods the Rust declaration gives it", () => {
  const addon = nativeAddon();
  assert.deepEqual(methods(addon.NativeConductor), declared(["native", "debugger", "history"]));
  for (const name of NATIVE_ONLY_FUNCTIONS) assert.equal(typeof addon[name], "function", name);
});

for (const module of modules) {
  test(`the ${module.name} module's WasmConductor has exactly the methods the Rust declaration gives it`, async () => {
    const wasm = await module.load();
    assert.deepEqual(without(methods(wasm.WasmConductor), WASM_ONLY), declared(module.features));
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
    // The browser modules leave out the catalog functions (the package serves the catalog from
    // generated data there); the rest are the addon's.
    const gated = (name) => CATALOG_FUNCTION_GATES[name] !== undefined && !module.features.includes(CATALOG_FUNCTION_GATES[name]);
    const expected = functions(addon, NATIVE_ONLY_FUNCTIONS).filter((name) => !gated(name));
    assert.deepEqual(functions(wasm, WASM_ONLY_FUNCTIONS), expected);
  });
}
