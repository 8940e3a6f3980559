/**
 * Unit tests of the options checker over the declarations generated from the engine: what it
 * says of unknown keys, wrong values and options of another entry point.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { ContextOverrides_SHAPE, DesktopConductorConfig_SHAPE, RemoteConductorOptions_SHAPE } from "../types/options.generated.js";
import { optionIssues } from "./check.js";

test("a misspelt key names the key meant", () => {
  const [issue, ...rest] = optionIssues({ concurency: 4 }, DesktopConductorConfig_SHAPE, "node");
  assert.equal(rest.length, 0);
  assert.equal(issue?.path, "concurency");
  assert.equal(issue?.suggestion, "concurrency");
  assert.match(issue?.message ?? "", /did you mean 'concurrency'\?/);
});

test("a value of the wrong type or out of range says what is allowed", () => {
  const issues = optionIssues(
    { concurrency: -1, timeout: "30s", history: { redactKeys: ["ok", 5] } },
    DesktopConductorConfig_SHAPE,
    "node",
  );
  assert.deepEqual(
    issues.map((issue) => issue.path),
    ["concurrency", "timeout", "history.redactKeys[1]"],
  );
  assert.match(issues[1]?.message ?? "", /'timeout' must be a number of milliseconds of at least 0, not "30s"/);
});

test("an option of another entry point is said to belong there", () => {
  const [issue] = optionIssues({ timeoutMs: 5 }, DesktopConductorConfig_SHAPE, "node", [RemoteConductorOptions_SHAPE]);
  assert.equal(
    issue?.message,
    "'timeoutMs' is not available in createConductor in Node: it sets up the connection of a remote conductor (createRemoteConductor)",
  );
});

test("values that cannot cross to the engine are checked here: functions and signals", () => {
  assert.deepEqual(optionIssues({ signal: new AbortController().signal }, ContextOverrides_SHAPE, "node"), []);
  const [issue] = optionIssues({ signal: "stop" }, ContextOverrides_SHAPE, "node");
  assert.equal(issue?.path, "signal");
  assert.deepEqual(optionIssues({ logger: () => {} }, DesktopConductorConfig_SHAPE, "node"), []);
});

test("a getter that throws is refused, not thrown", () => {
  const hostile = Object.defineProperty({}, "timeout", {
    enumerable: true,
    get() {
      throw new Error("no");
    },
  });
  const [issue] = optionIssues(hostile, DesktopConductorConfig_SHAPE, "node");
  assert.match(issue?.message ?? "", /could not be read \(no\)/);
});
