// The shared conformance fixtures (tests/fixtures) on the native engine.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConductor } from "@atomiton/conductor";
import { fixtures, stripClock } from "../test-support/helpers.mjs";

const conductor = createConductor({ storage: { type: "memory" } });

for (const fixture of fixtures()) {
  test(`fixture ${fixture.file}: ${fixture.description}`, async () => {
    const expect = fixture.expectByEnvironment?.native ?? fixture.expect;
    const result = await conductor.node.run(fixture.flow, fixture.options ?? {});
    assert.equal(result.success, expect.success, JSON.stringify(result.error));
    assert.deepEqual(result.executedNodes, expect.executedNodes);
    if ("data" in expect) assert.deepEqual(stripClock(result.data), stripClock(expect.data));
    for (const [key, value] of Object.entries(expect.error ?? {})) assert.deepEqual(result.error[key], value, `error.${key}`);
    if (!result.success) assert.ok(result.error.timestamp instanceof Date);
  });
}
