#!/usr/bin/env node
// The `llm` node's overhead per call against a direct `fetch` of the same completion from the
// same server, turn about in one process (medians, and the median of the per-round ratios):
//
// - against the real model server (llama-cpp-python with SmolLM2-135M, scripts/llm-server.sh,
//   8 tokens at temperature 0), where the model's own time is most of a call;
// - against an in-process stand-in that answers at once, where what is left is the overhead
//   itself: the run, the credential, the request, the answer read and checked, the output.
//
// Both sides stream (the node's default) or both do not (`--no-stream`). A program, not a test:
// it never fails on a figure.
//
//   node npm/bench/llm.mjs [--rounds 15] [--calls 10] [--no-stream]   (after scripts/build-npm.sh)
import { createServer } from "node:http";
import { createConductor } from "@atomiton/conductor";
import { startDatabaseServer } from "../test-support/database-server.mjs";
import { MODEL_SERVER } from "../test-support/llm-server.mjs";
import { paired } from "./lib.mjs";

const argument = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const rounds = Number(argument("--rounds", "15"));
const calls = Number(argument("--calls", "10"));
const stream = !process.argv.includes("--no-stream");

/** A stand-in answering every completion at once, streamed or whole. */
async function standIn() {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const asked = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      if (asked.stream) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        for (const piece of ["Hello", " there"])
          res.write(`data: ${JSON.stringify({ model: "m", choices: [{ delta: { content: piece } }] })}\n\n`);
        res.end(`data: ${JSON.stringify({ model: "m", choices: [{ delta: {}, finish_reason: "stop" }] })}\n\ndata: [DONE]\n\n`);
      } else {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            model: "m",
            choices: [{ message: { role: "assistant", content: "Hello there" }, finish_reason: "stop" }],
            usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
          }),
        );
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1`, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** The same completion by `fetch`, read as the node reads it (the SSE text, or the JSON). */
async function direct(url) {
  const body = { model: "smollm2", messages: [{ role: "user", content: "Say hello" }], temperature: 0, max_tokens: 8 };
  if (stream) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
  const res = await fetch(`${url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body: JSON.stringify(body),
  });
  if (stream) {
    let text = "";
    for (const line of (await res.text()).split("\n")) {
      if (line.startsWith("data: ") && line !== "data: [DONE]") text += JSON.parse(line.slice(6)).choices?.[0]?.delta?.content ?? "";
    }
    return text;
  }
  return (await res.json()).choices[0].message.content;
}

async function compare(label, url) {
  const conductor = createConductor({ storage: { type: "memory" }, history: false });
  await conductor.credentials.set("bench", { type: "openai", baseUrl: url, model: "smollm2", apiKey: "sk-bench" });
  const node = { id: "ask", type: "llm", parameters: { credential: "bench", prompt: "Say hello", temperature: 0, maxTokens: 8, stream } };
  const viaNode = async () => {
    for (let i = 0; i < calls; i++) {
      const result = await conductor.node.run(node);
      if (!result.success) throw new Error(JSON.stringify(result.error));
    }
  };
  const viaFetch = async () => {
    for (let i = 0; i < calls; i++) await direct(url);
  };
  await viaNode();
  await viaFetch();
  const { a, b, ratio } = await paired(rounds, viaNode, viaFetch);
  console.log(
    `${label.padEnd(28)} node ${(a / calls).toFixed(2)} ms/call   fetch ${(b / calls).toFixed(2)} ms/call   node/fetch ${ratio.toFixed(2)}   overhead ${((a - b) / calls).toFixed(2)} ms/call`,
  );
  await conductor.shutdown();
}

console.log(`${rounds} rounds of ${calls} calls each, ${stream ? "streamed" : "not streamed"}; medians`);
const stub = await standIn();
await compare("instant stand-in", stub.url);
await stub.stop();
const model = await startDatabaseServer(MODEL_SERVER);
await compare("SmolLM2-135M, 8 tokens", model.url);
await model.stop();
