// The shared conformance fixtures (tests/fixtures) on the native engine.
import { test } from "node:test";
import { createConductor } from "@atomiton/conductor";
import { assertFixtureResult, expectationFor, fixtures } from "../test-support/helpers.mjs";

const conductor = createConductor({ storage: { type: "memory" } });

for (const fixture of fixtures()) {
  test(`fixture ${fixture.file}: ${fixture.description}`, async () => {
    const result = await conductor.node.run(fixture.flow, fixture.options ?? {});
    assertFixtureResult(result, expectationFor(fixture, "native"));
  });
}
