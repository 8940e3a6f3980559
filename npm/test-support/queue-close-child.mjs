// A process that opens and closes queue conductors on the Redis at argv[2], ten pairs, each
// closed right after it was made (half after a read of the shared history): it must end by
// itself, with no unhandled rejection (npm/test/queue.test.mjs). Prints `clean` when it does;
// exits 1 naming what is still open when the event loop has not emptied 5 s after the last close.
import { createQueueConductor } from "@atomiton/conductor";

const url = process.argv[2];
const problems = [];
process.on("unhandledRejection", (error) => problems.push(`unhandled rejection: ${error?.message ?? error}`));
for (let i = 0; i < 10; i++) {
  const first = createQueueConductor({ connection: url, queue: "closing" });
  const second = createQueueConductor({ connection: url, queue: "closing" });
  if (i % 2 === 1) await second.executions.list({ limit: 1 });
  await second.close();
  await first.close();
}
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((resource) => resource !== "Timeout");
  console.log(JSON.stringify({ problems, open }));
  process.exit(1);
}, 5000).unref();
process.on("exit", (code) => {
  if (code === 0) console.log(problems.length > 0 ? JSON.stringify({ problems }) : "clean");
});
