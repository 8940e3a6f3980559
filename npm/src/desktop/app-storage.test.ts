/** Unit tests of how the engine's flow texts map onto an app's key-value storage. */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import { flowTextsIn, isKeyValueStorage } from "./app-storage.js";

function keyValue() {
  const entries = new Map<string, unknown>();
  return {
    entries,
    save: async (key: string, data: unknown) => void entries.set(key, data),
    load: async (key: string) => {
      if (!entries.has(key)) throw Object.assign(new Error(`Key not found: ${key}`), { code: "NOT_FOUND" });
      return entries.get(key);
    },
    list: async (prefix = "") => [...entries.keys()].filter((key) => key.startsWith(prefix)),
    delete: async (key: string) => void entries.delete(key),
  };
}

test("a flow's text is the object under flows/<id>, kept as an object", async () => {
  const storage = keyValue();
  const texts = flowTextsIn(storage);
  await texts({ op: "write", key: "report.flow.yaml", text: '{"id":"report","nodes":[{"id":"a"}]}' });
  assert.deepEqual(storage.entries.get("flows/report"), { id: "report", nodes: [{ id: "a" }] });
  assert.equal(await texts({ op: "read", key: "report.flow.yaml" }), '{"id":"report","nodes":[{"id":"a"}]}');
  assert.equal(await texts({ op: "read", key: "missing.flow.yaml" }), null, "a missing key reads as nothing");
  storage.entries.set("flows/as-text", "id: as-text\n");
  assert.equal(await texts({ op: "read", key: "as-text.flow.yaml" }), "id: as-text\n", "text the app kept is read as it is");
});

test("keys are the flows' keys only; a removal says whether the flow was there", async () => {
  const storage = keyValue();
  storage.entries.set("flows/one", { id: "one" });
  storage.entries.set("settings/theme", "dark");
  const texts = flowTextsIn(storage);
  assert.deepEqual(await texts({ op: "keys", key: "" }), ["one.flow.yaml"]);
  assert.equal(await texts({ op: "remove", key: "one.flow.yaml" }), true);
  assert.equal(await texts({ op: "remove", key: "one.flow.yaml" }), false);
  assert.deepEqual([...storage.entries.keys()], ["settings/theme"]);
});

test("an app's storage is a key-value engine unless it has the conductor's storage methods", () => {
  assert.equal(isKeyValueStorage(keyValue()), true);
  const flowStore = { saveFlow: async () => ({}), loadFlow: async () => ({}), listFlows: async () => ({}), deleteFlow: async () => {} };
  assert.equal(isKeyValueStorage(flowStore), false);
});
