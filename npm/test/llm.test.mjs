// The `llm` node through the built package, against a real model server the tests start on
// 127.0.0.1: llama-cpp-python's OpenAI-compatible server with SmolLM2-135M (scripts/llm-server.sh),
// behind a proxy that counts the calls and injects 429s, 5xx answers and cut streams
// (test-support/llm-server.mjs). A 135M model answers poorly: these tests check the plumbing at
// temperature 0 — streamed tokens reaching progress in order, a JSON answer held to a schema
// and asked for again when it does not match, retries waiting what the server says, a
// completed call not made again when a killed run resumes, the API key in no file — never the
// quality of an answer, and never speed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createConductor } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";
import { startModelServer } from "../test-support/llm-server.mjs";

const API_KEY = "sk-test-7f3a9c1e5b2d8f4a6c0e";
const CHILD = join(dirname(fileURLToPath(import.meta.url)), "..", "test-support", "effect-child.mjs");

let server;
test.before(async () => {
  server = await startModelServer();
});
test.after(() => server?.stop());

/** A conductor (every progress snapshot, no throttle) with the credential `local` for the server. */
async function conductorFor(t, config = {}) {
  const conductor = createConductor({ storage: { type: "memory" }, progressThrottle: 0, ...config });
  t.after(() => conductor.shutdown());
  await conductor.credentials.set("local", {
    type: "openai",
    baseUrl: server.url,
    model: "smollm2",
    apiKey: API_KEY,
    schemaFormat: "json_object",
  });
  return conductor;
}

/** Runs one `llm` node with `parameters` (credential `local`); its result and the calls it made. */
async function ask(conductor, parameters, input) {
  const before = server.calls;
  const node = { id: "ask", type: "llm", parameters: { credential: "local", temperature: 0, ...parameters } };
  const result = await conductor.node.run(node, input === undefined ? {} : { input });
  return { result, calls: server.calls - before };
}

test("streamed tokens reach progress in order and join to the answer", async (t) => {
  const conductor = await conductorFor(t);
  const texts = [];
  const off = conductor.node.onProgress((event) => {
    for (const node of event.nodes) if (node.id === "ask" && node.text !== undefined) texts.push(node.text);
  });
  const { result, calls } = await ask(conductor, { prompt: "Write a sentence about {{ topic }}.", maxTokens: 24 }, { topic: "the sea" });
  off?.();
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 1);
  const { text, finishReason, model } = result.data;
  assert.ok(text.length > 0, "an answer came");
  assert.ok(["stop", "length"].includes(finishReason), finishReason);
  assert.equal(model, "smollm2");
  assert.match(server.bodies.at(-1).messages.at(-1).content, /about the sea\./, "the template read the input");
  const distinct = texts.filter((x, i) => x !== texts[i - 1]);
  assert.ok(distinct.length >= 2, `the text grew in steps (${distinct.length})`);
  for (let i = 1; i < distinct.length; i++) assert.ok(distinct[i].startsWith(distinct[i - 1]), "each step extends the one before");
  assert.equal(distinct.at(-1), text, "the last step is the answer");
});

test("an answer not streamed reports its usage", async (t) => {
  const conductor = await conductorFor(t);
  const { result } = await ask(conductor, { prompt: "Say hello", maxTokens: 8, stream: false });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(server.bodies.at(-1).stream, undefined);
  const { promptTokens, completionTokens, totalTokens } = result.data.usage;
  assert.ok(promptTokens > 0 && completionTokens > 0 && totalTokens === promptTokens + completionTokens, JSON.stringify(result.data.usage));
});

const SCHEMA = {
  type: "object",
  properties: { sentiment: { type: "string", enum: ["positive", "negative"] }, stars: { type: "integer" } },
  required: ["sentiment", "stars"],
};
const NOT_JSON = {
  status: 200,
  body: { model: "smollm2", choices: [{ message: { role: "assistant", content: "I think it is good" }, finish_reason: "stop" }] },
};

test("a JSON answer is held to the schema, and asked for again with what was wrong", async (t) => {
  const conductor = await conductorFor(t);
  server.fail(NOT_JSON);
  const { result, calls } = await ask(
    conductor,
    { prompt: "Rate this review: {{ review }}", schema: SCHEMA, maxTokens: 60 },
    { review: "Loved it" },
  );
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 2, "the second answer came from the model");
  assert.equal(result.data.answers, 2);
  assert.ok(["positive", "negative"].includes(result.data.json.sentiment), JSON.stringify(result.data.json));
  assert.equal(Number.isInteger(result.data.json.stars), true);
  const again = server.bodies.at(-1);
  assert.deepEqual(again.response_format, { type: "json_object", schema: SCHEMA }, "the server was given the schema");
  assert.equal(again.messages.at(-2).content, "I think it is good", "the answer that failed");
  assert.match(again.messages.at(-1).content, /not valid: it is not JSON/, "what was wrong with it");
});

test("answers that never match end the node after schemaAttempts, with VALIDATION_FAILED", async (t) => {
  const conductor = await conductorFor(t);
  server.fail(NOT_JSON, NOT_JSON);
  const { result, calls } = await ask(conductor, { prompt: "Rate it", schema: SCHEMA, schemaAttempts: 2 });
  assert.equal(result.success, false);
  assert.equal(result.error.code, "VALIDATION_FAILED");
  assert.match(result.error.message, /No answer matched the schema in 2 answers/);
  assert.equal(calls, 2, "bounded");
});

test("429 and 5xx answers are retried after the server's Retry-After; a cut stream too", async (t) => {
  const conductor = await conductorFor(t);
  server.fail({ status: 429, retryAfter: 1 }, { status: 503 }, { cutAfter: 200 });
  const started = Date.now();
  const { result, calls } = await ask(conductor, { prompt: "Say hello", maxTokens: 8 });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 4, "three failures, then the answer");
  assert.equal(result.data.calls, 4);
  // A lower bound only: the Retry-After of 1 s was waited (a slow machine waits longer, never less).
  assert.ok(Date.now() - started >= 1000, "the server's delay was honoured");
});

test("retries are bounded, a long Retry-After is not waited, and failures keep their codes", async (t) => {
  const conductor = await conductorFor(t);
  server.fail({ status: 429, retryAfter: 3600 });
  const limited = await ask(conductor, { prompt: "Say hello", maxTokens: 4 });
  assert.equal(limited.result.error.code, "RATE_LIMIT_EXCEEDED");
  assert.equal(limited.calls, 1, "an hour is not waited");
  server.fail({ cutAfter: 200 });
  const cut = await ask(conductor, { prompt: "Say hello", maxTokens: 8, maxRetries: 0 });
  assert.equal(cut.result.error.code, "TRANSPORT_ERROR");
  assert.match(cut.result.error.message, /ended before it was complete/);
  server.fail({ status: 401, body: { error: { message: `bad key ${API_KEY}` } } });
  const refused = await ask(conductor, { prompt: "Say hello", maxTokens: 4 });
  assert.equal(refused.result.error.code, "AUTHENTICATION_FAILED");
  assert.equal(refused.calls, 1, "not retried");
  assert.ok(!refused.result.error.message.includes(API_KEY), "the key is redacted from what the server said");
});

test("a completed call is not made again when a killed run resumes", async (t) => {
  const directory = tempDir(t, "llm-durable");
  const marker = join(directory, "go");
  const executionId = "exec-llm-resume";
  const before = server.calls;
  const credential = JSON.stringify({ type: "openai", baseUrl: server.url, model: "smollm2", apiKey: API_KEY });
  const node = { id: "effect", type: "llm", parameters: { credential: "local", prompt: "Say hello", temperature: 0, maxTokens: 8 } };
  const child = spawn(process.execPath, [CHILD, directory, executionId, marker, "local", credential, JSON.stringify(node)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk) => (out += chunk));
  await until(() => out.includes("done") || out.includes("ended"), undefined, "the llm node to complete in the child");
  assert.ok(out.includes("done"), out);
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
  assert.equal(server.calls - before, 1);
  writeFileSync(marker, "");
  const conductor = createConductor({ storage: { directory }, durability: { resume: "manual" } });
  t.after(() => conductor.shutdown());
  const result = await conductor.executions.resume(executionId);
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(server.calls - before, 1, "the model was not asked again");
  const record = await conductor.executions.get(executionId);
  assert.ok(JSON.stringify(record).includes("smollm2"), "the run record holds the node's output");
  // The API key is in no file the conductor wrote (the credentials are sealed).
  for (const entry of readdirSync(directory, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath ?? entry.path, entry.name);
    assert.ok(!readFileSync(path).includes(API_KEY), `the key is not in ${path}`);
  }
});

/** The saved flow the tool tests offer: says each city in its input's `cities` is sunny. */
const WEATHER = {
  id: "weather",
  type: "group",
  name: "The weather in some cities",
  nodes: [{ id: "say", type: "transform", parameters: { dataPath: "cities", transformFunction: "c => c + ' is sunny'" } }],
  edges: [],
};
const CITIES = {
  type: "object",
  properties: { cities: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 } },
  required: ["cities"],
};

/**
 * One `llm` node offering `tool` (by default the saved flow WEATHER) as its tool, the model made
 * to call it (a 135M model calls tools when the server constrains it to; later answers are
 * free), on `conductor`.
 */
async function askWithTool(conductor, options = {}, tool = { flowId: "weather" }, name = "weather") {
  await conductor.storage.saveFlow(WEATHER);
  const before = server.calls;
  const node = {
    id: "ask",
    type: "llm",
    parameters: {
      credential: "local",
      temperature: 0,
      prompt: "What is the weather in Oslo?",
      maxTokens: 40,
      tools: [{ ...tool, parameters: CITIES }],
      toolChoice: name,
    },
  };
  const result = await conductor.node.run(node, options);
  return { result, calls: server.calls - before, bodies: server.bodies.slice(before) };
}

/** What askWithTool must show: the flow ran on the model's arguments and the model read it. */
function checkToolCall({ result, calls, bodies }) {
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 2, "the answer that called the tool, then the one after it");
  const [call] = result.data.toolCalls;
  assert.equal(call.name, "weather");
  assert.equal(call.flowId, "weather");
  assert.ok(Array.isArray(call.arguments.cities) && call.arguments.cities.length > 0, JSON.stringify(call));
  assert.deepEqual(
    call.output.result,
    call.arguments.cities.map((c) => `${c} is sunny`),
    "the flow ran on the model's arguments",
  );
  assert.deepEqual(bodies[0].tool_choice, { type: "function", function: { name: "weather" } });
  assert.equal(bodies[0].tools[0].function.description, "The weather in some cities", "described by the flow");
  assert.equal(bodies[1].tool_choice, "auto");
  const [asked, told] = bodies[1].messages.slice(-2);
  assert.equal(asked.role, "assistant");
  assert.equal(asked.tool_calls[0].id, call.id);
  assert.equal(told.role, "tool");
  assert.equal(told.tool_call_id, call.id);
  assert.deepEqual(JSON.parse(told.content).result, call.output.result, "the model was given what the flow gave");
  assert.equal(typeof result.data.text, "string");
}

test("a tool call runs the named saved flow, and its result goes back to the model", async (t) => {
  checkToolCall(await askWithTool(await conductorFor(t)));
});

test("a tool can be one node, run as a flow of its own", async (t) => {
  const say = { id: "say", type: "transform", parameters: { dataPath: "cities", transformFunction: "c => c + ' is sunny'" } };
  const { result, calls } = await askWithTool(await conductorFor(t), {}, { node: say }, "say");
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 2);
  const [call] = result.data.toolCalls;
  assert.equal(call.nodeType, "transform");
  assert.deepEqual(
    call.output.result,
    call.arguments.cities.map((c) => `${c} is sunny`),
  );
});

test("a durable run records a tool's flow below the node that called it", async (t) => {
  const conductor = await conductorFor(t, { storage: { directory: tempDir(t, "llm-tools") }, durability: {} });
  const executionId = "exec-llm-tools";
  const asked = await askWithTool(conductor, { executionId });
  checkToolCall(asked);
  const record = JSON.stringify(await conductor.executions.get(executionId));
  assert.ok(record.includes("ask[tool 1.0]/say"), "the tool's node is recorded under the call");
  const missing = await conductor.node.validate({
    id: "ask",
    type: "llm",
    parameters: { credential: "local", prompt: "Hi", tools: [{ flowId: "nowhere" }] },
  });
  assert.equal(missing.valid, false);
  assert.match(missing.errors.join("\n"), /llm \(tools\.0\.flowId\) calls flow 'nowhere', which is neither a saved flow nor a template/);
});

test("the WebAssembly engine in Node calls a saved flow as a tool", async (t) => {
  checkToolCall(await askWithTool(await conductorFor(t, { engine: "wasm" })));
});

test("the WebAssembly engine in Node runs the node through fetch", async (t) => {
  const conductor = await conductorFor(t, { engine: "wasm" });
  const { result, calls } = await ask(conductor, { prompt: "Say hello", maxTokens: 8 });
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(calls, 1);
  assert.ok(result.data.text.length > 0);
});
