// A process that starts a durable run whose `llm` node asks the model server at `baseUrl`, then
// waits in a shell command until `marker` exists (npm/test/llm.test.mjs kills it there): prints
// `asked` once the `llm` node has completed.
import { createConductor } from "@atomiton/conductor";

const [directory, executionId, baseUrl, marker, apiKey] = process.argv.slice(2);

/** The flow: ask the model, then wait for the marker file (an idempotent step, run again on resume). */
export function askThenWait(markerPath) {
  return {
    id: "ask-then-wait",
    type: "group",
    nodes: [
      { id: "ask", type: "llm", parameters: { credential: "local", prompt: "Say hello", temperature: 0, maxTokens: 8 } },
      {
        id: "hold",
        type: "shell-command",
        parameters: {
          program: "sh",
          args: ["-c", `while [ ! -f '${markerPath}' ]; do sleep 0.1; done`],
          idempotent: true,
          timeout: 600000,
        },
      },
    ],
    edges: [{ id: "e", source: "ask", target: "hold" }],
  };
}

if (directory) {
  const conductor = createConductor({ storage: { directory }, durability: { resume: "manual" }, progressThrottle: 0 });
  await conductor.credentials.set("local", { type: "openai", baseUrl, model: "smollm2", apiKey });
  let told = false;
  conductor.node.onProgress((event) => {
    if (!told && event.nodes.some((n) => n.id === "ask" && n.state === "completed")) {
      told = true;
      process.stdout.write("asked\n");
    }
  });
  // A run that ends here (it should be killed first) says how, for the test's message.
  conductor.node
    .run(askThenWait(marker), { executionId })
    .then((result) => process.stdout.write(`ended ${JSON.stringify(result.error)}\n`));
  setInterval(() => {}, 1000);
}
