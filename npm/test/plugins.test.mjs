// WebAssembly node types through the built package: the plugin fixtures of tests/plugins/
// (Extism's Rust and AssemblyScript PDKs) give the same outputs on the native engine and on the
// WebAssembly engine in Node, and each misbehaving plugin function ends as that node's coded
// error with the JS thread free (an event-loop probe runs throughout) and the process alive.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConductorError, createConductor } from "@atomiton/conductor";
import { probed, repoRoot } from "../test-support/helpers.mjs";

const fixtures = join(repoRoot, "tests", "plugins");
const textStats = join(fixtures, "text_stats.wasm");

/** Every function of the Rust fixture as a node type of its own, and the AssemblyScript one. */
const plugins = {
  "text-stats": { wasm: textStats, config: { greeting: "hello" } },
  vowels: { wasm: readFileSync(join(fixtures, "vowels_as.wasm")), config: { label: "as" } },
  // Fuel for minutes of its loop: its node's timeout and cancellation are what end it here.
  spin: { wasm: textStats, function: "spin", fuel: 1e12 },
  hog: { wasm: textStats, function: "hog", memoryLimit: 16 * 1024 * 1024 },
  boom: { wasm: textStats, function: "boom" },
  fetch: { wasm: textStats, function: "fetch" },
  flood: { wasm: textStats, function: "flood" },
  chatty: { wasm: textStats, function: "chatty", fuel: 50_000_000 },
  refuse: { wasm: textStats, function: "refuse" },
};

const engines = {
  native: createConductor({ storage: { type: "memory" }, plugins }),
  wasm: createConductor({ engine: "wasm", storage: { type: "memory" }, plugins }),
};

const node = (type, data, parameters = {}) => ({ id: "p", type, parameters: { data, ...parameters } });

test("the same plugins give the same outputs on the native engine and the WebAssembly engine in Node", async () => {
  const text = { text: "The quick brown fox jumps over the lazy dog" };
  const outputs = {};
  for (const [name, conductor] of Object.entries(engines)) {
    const stats = await conductor.node.run(node("text-stats", text));
    assert.equal(stats.success, true, `${name}: ${JSON.stringify(stats.error)}`);
    const vowels = await conductor.node.run(node("vowels", "Programming in AssemblyScript"));
    outputs[name] = [stats.data, vowels.data];
  }
  assert.deepEqual(outputs.native, [
    { words: 9, vowels: 11, longest: "jumps", meanWordLength: 35 / 9, greeting: "hello", calls: 1 },
    { vowels: 7, length: 31, label: "as", language: "AssemblyScript" },
  ]);
  assert.deepEqual(outputs.wasm, outputs.native);
  assert.ok(Object.is(outputs.wasm[0].meanWordLength, outputs.native[0].meanWordLength), "bit for bit");
});

test("an endless plugin ends at the node's timeout and at a cancellation, the JS thread free meanwhile", async () => {
  const conductor = engines.native;
  // A JS thread held by the plugin would show one gap of the whole 5 s; a busy machine's
  // ticks come every 10 ms or so.
  const timed = await probed(() => conductor.node.run(node("spin", "x", { timeout: 5000 })));
  assert.equal(timed.value.error?.code, "TIMEOUT", JSON.stringify(timed.value.error));
  assert.ok(timed.widest() < 1500, `the event loop stalled for ${Math.round(timed.widest())} ms`);
  const controller = new AbortController();
  const cancelled = await probed(async () => {
    const running = conductor.node.run(node("spin", "x"), { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    return running;
  });
  assert.equal(cancelled.value.error?.code, "CANCELLED");
  assert.ok(cancelled.widest() < 1500, `the event loop stalled for ${Math.round(cancelled.widest())} ms`);
});

test("memory growth, a trap, an HTTP request, a huge output, host work past its fuel and a reported failure: each a coded error, on both engines", async () => {
  const expected = [
    ["hog", "MEMORY_LIMIT_EXCEEDED", /the plugin reached its memory limit \(16 MiB\)/],
    ["boom", "EXECUTION_FAILED", /^\[boom\] the plugin trapped/],
    ["fetch", "PERMISSION_DENIED", /the plugin made an HTTP request, and plugins have no network access/],
    ["flood", "MEMORY_LIMIT_EXCEEDED", /memory limit \(64 MiB\)/],
    ["refuse", "EXECUTION_FAILED", /^\[refuse\] no text to count$/],
    // A megabyte logged per call: the host's work costs fuel too.
    ["chatty", "EXECUTION_FAILED", /^\[chatty\] the plugin used its whole fuel \(50000000 units\)/],
  ];
  for (const [name, conductor] of Object.entries(engines)) {
    for (const [type, code, message] of expected) {
      const result = await conductor.node.run(node(type, "x"));
      assert.equal(result.error?.code, code, `${name} ${type}: ${JSON.stringify(result.error)}`);
      assert.match(result.error.message, message, `${name} ${type}`);
    }
    // And the engine carries on.
    assert.equal((await conductor.node.run(node("vowels", "aeiou"))).data.vowels, 5, name);
  }
});

test("a plugin that cannot be read or is not WebAssembly is refused when the conductor is made", () => {
  const refused = (plugins, pattern) =>
    assert.throws(
      () => createConductor({ storage: { type: "memory" }, plugins }),
      (error) => error instanceof ConductorError && error.code === "VALIDATION_FAILED" && pattern.test(error.message),
    );
  refused({ x: { wasm: "no/such/plugin.wasm" } }, /'plugins\.x\.wasm': cannot read .*no\/such\/plugin\.wasm \(ENOENT\)/);
  refused(
    { x: { wasm: new Uint8Array([1, 2, 3]) } },
    /^Invalid conductor config: 'plugins\.x\.wasm' is not a WebAssembly module this engine can run \([^\n]*\)$/,
  );
  // Known before any node runs: the function a node would call is not there.
  refused(
    { x: { wasm: textStats, function: "no_such_function" } },
    /'plugins\.x\.wasm' cannot be used: the plugin exports no function 'no_such_function'/,
  );
  refused({ transform: { wasm: textStats } }, /'plugins\.transform' must be named apart from the built-in node types/);
  refused({ x: { wasm: textStats, fule: 1 } }, /fule/);
});
