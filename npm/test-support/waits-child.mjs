// A process of the durable-waits tests (npm/test/waits.test.mjs), on the history in <dir>:
//   park <dir> <id> <flow JSON>  runs the flow durably until it parks, prints "parked", then
//                                stays alive (the test kills it with SIGKILL)
//   serve <dir>                  a conductor (durability: {resume: "auto"}) and a protocol server
//                                on it; prints "url <url>"
//   open <dir>                   a conductor (durability: {resume: "auto"}) that stays open;
//                                prints "open"
// Nodes of type `effect` append "<execution id> <node id>" to <dir>/effects.log (their effect,
// counted by the test) and pass their input on.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { createConductor, createProtocolServer } from "@atomiton/conductor";

const [mode, directory, ...rest] = process.argv.slice(2);
const log = join(directory, "effects.log");
const conductor = createConductor({
  storage: { type: "fs", directory },
  durability: { resume: "auto" },
  nodeExecutorFactory: {
    getNodeExecutable: (type) =>
      type === "effect"
        ? {
            execute: async (p) => {
              appendFileSync(log, `${p.executionId} ${p.nodeId}\n`);
              return p.input?.default ?? null;
            },
          }
        : undefined,
  },
});
const keepAlive = () => setInterval(() => {}, 60_000);

if (mode === "park") {
  const [id, flow] = rest;
  const result = await conductor.node.run(JSON.parse(flow), { executionId: id, input: { order: 7 } });
  if (result.error?.code !== "WAITING") {
    console.log(`unexpected ${JSON.stringify(result)}`);
    process.exit(1);
  }
  // Stored: a read returns once every earlier write is.
  const record = await conductor.executions.get(id);
  console.log(`parked ${record.status}`);
  keepAlive();
} else if (mode === "serve") {
  const server = await createProtocolServer(conductor, { waitSecret: "a secret of at least thirty-two characters" });
  console.log(`url ${server.url}`);
  keepAlive();
} else {
  console.log("open");
  keepAlive();
}
