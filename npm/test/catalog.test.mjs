// The node catalog, templates and flow formats.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createConductor,
  createNodeDefinition,
  getAllNodeDefinitions,
  getNodeDefinition,
  getNodeDefinitionsGroupedByCategory,
  parseFlow,
  toYaml,
} from "@atomiton/conductor";

test("node definitions describe every built-in", () => {
  const all = getAllNodeDefinitions();
  assert.deepEqual(
    all.map((d) => d.type),
    // The TypeScript engine's ten in its order, then ours: a palette built from it misses none.
    [
      "parallel",
      "group",
      "image",
      "http-request",
      "file-system",
      "edit-fields",
      "transform",
      "shell-command",
      "spreadsheet",
      "loop",
      "if",
      "switch",
      "merge",
      "for-each",
      "sub-flow",
      "wait",
      "python",
      "schedule",
      "webhook",
      "file-watch",
      "database",
      "llm",
      "email",
    ],
  );
  const transform = getNodeDefinition("transform");
  assert.equal(transform.metadata.category, "data");
  assert.equal(transform.metadata.icon, "wand-2");
  assert.equal(Object.keys(transform.fields).length, 17);
  assert.equal(transform.fields.transformFunction.controlType, "code");
  assert.equal(transform.parameters.enabled, true);
  assert.equal(getNodeDefinition("http-request").metadata.weight, 500);
  assert.equal(getNodeDefinition("nope"), undefined);
  const groups = getNodeDefinitionsGroupedByCategory();
  assert.ok(groups.every((g) => typeof g.name === "string" && typeof g.title === "string" && Array.isArray(g.items)));
});

test("createNodeDefinition applies the TypeScript engine's factory defaults", () => {
  const node = createNodeDefinition({ type: "transform" });
  assert.match(node.id, /^node_/);
  assert.equal(node.version, "1.0.0");
  assert.equal(node.name, "Unnamed Node");
  assert.deepEqual(node.position, { x: 0, y: 0 });
  assert.deepEqual(node.parameters, { enabled: true, timeout: 30000, retries: 1 });
  const given = createNodeDefinition({ id: "x", type: "transform", parameters: { operation: "map" } });
  assert.deepEqual(given.parameters, { operation: "map" }, "given parameters are kept as they are");
});

test("templates are listed, fetched and runnable", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const { templates } = await conductor.flow.listTemplates();
  assert.equal(templates.length, 4);
  assert.deepEqual(templates[0], {
    id: "550e8400-e29b-41d4-a716-446655440001",
    slug: "hello-world",
    name: "Hello World Flow",
    description: templates[0].description,
    nodeCount: 3,
  });
  const { definition } = await conductor.flow.getTemplate("example-flow");
  assert.equal(definition.nodes.length, 2);
  assert.deepEqual(await conductor.flow.loadFlow("example-flow"), definition);
  const result = await conductor.flow.run(definition);
  assert.deepEqual(result.data, { result: { summary: "map produced 3 items", count: "3" } });
  await assert.rejects(conductor.flow.getTemplate("missing"), /Flow template missing not found/);
  // A coded error, with the template meant and those there are (the CLI lists them).
  await assert.rejects(
    conductor.flow.getTemplate("helo-world"),
    (e) =>
      e.code === "NODE_NOT_FOUND" &&
      e.type === "validation" &&
      e.message === "Flow template helo-world not found" &&
      e.details.context?.meant === "hello-world" &&
      e.details.context?.templates.includes("data-pipeline"),
  );
  await assert.rejects(conductor.flow.run({ id: "a", type: "transform" }), /Flow must be a group node with child nodes/);
});

test("every bundled template is written by toYaml and read back by parseFlow, exactly without the format's defaults and runnable with them", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const { templates } = await conductor.flow.listTemplates();
  assert.ok(templates.length >= 4);
  for (const { id } of templates) {
    const { definition } = await conductor.flow.getTemplate(id);
    const text = toYaml(definition);
    assert.deepEqual(parseFlow(text, { defaults: false }), definition, `${id}:\n${text}`);
    const read = parseFlow(text);
    assert.equal((await conductor.node.validate(read)).valid, true, `${id} read back is valid`);
  }
  await conductor.shutdown();
});

test("YAML flows parse with the format's defaults and round-trip", () => {
  const yaml = "id: f\nname: My Flow\nnodes:\n  - id: a\n    parameters:\n      data: [1]\n";
  const flow = parseFlow(yaml);
  assert.equal(flow.nodes[0].type, "transform", "untyped nodes become transform");
  assert.deepEqual(flow.nodes[0].parameters, { enabled: true, timeout: 30000, retries: 1, data: [1] });
  assert.deepEqual(parseFlow(toYaml(flow)), flow);
  assert.throws(() => parseFlow("name: x\n"), /Failed to parse YAML: the flow's root node must have an id/);
  // No name is needed (the writer writes none for a flow that has none).
  const nameless = { id: "n", type: "group", nodes: [{ id: "a", type: "transform", parameters: { data: [1] } }] };
  assert.equal(parseFlow(toYaml(nameless)).nodes[0].id, "a");
  assert.throws(
    () => parseFlow("{ bad json"),
    (e) => e.code === "DESERIALIZATION_FAILED",
  );
  // Options are checked like every other: a wrong format or a misspelt key is refused, not guessed.
  assert.throws(
    () => parseFlow(yaml, { format: "xml" }),
    (e) => e.code === "VALIDATION_FAILED" && /Invalid parse options: .*xml/.test(e.message),
  );
  assert.throws(() => parseFlow(yaml, { defualts: false }), /unknown option 'defualts' \(did you mean 'defaults'\?\)/);
});
