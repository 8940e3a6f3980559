// A process that starts a durable run of one node with effects (an `llm` call, an `email`),
// then waits in a shell command until `marker` exists (the tests kill it there): prints `done`
// once that node has completed. Arguments: the storage directory, the execution id, the marker
// file, the credential's name and fields (JSON), and the node (JSON, its id `effect`).
import { createConductor } from "@atomiton/conductor";

const [directory, executionId, marker, credentialName, credential, node] = process.argv.slice(2);

/** The flow: the node, then wait for the marker file (an idempotent step, run again on resume). */
function effectThenWait(effect, markerPath) {
  return {
    id: "effect-then-wait",
    type: "group",
    nodes: [
      effect,
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
    edges: [{ id: "e", source: "effect", target: "hold" }],
  };
}

const conductor = createConductor({ storage: { directory }, durability: { resume: "manual" }, progressThrottle: 0 });
await conductor.credentials.set(credentialName, JSON.parse(credential));
let told = false;
conductor.node.onProgress((event) => {
  if (!told && event.nodes.some((n) => n.id === "effect" && n.state === "completed")) {
    told = true;
    process.stdout.write("done\n");
  }
});
// A run that ends here (it should be killed first) says how, for the test's message.
conductor.node
  .run(effectThenWait(JSON.parse(node), marker), { executionId })
  .then((result) => process.stdout.write(`ended ${JSON.stringify(result.error)}\n`));
setInterval(() => {}, 1000);
