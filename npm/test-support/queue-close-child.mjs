// A process that opens and closes queue conductors on the Redis at argv[2], ten pairs, each
// closed right after it was made (half after a read of the shared history): it must end by
// itself, with no unhandled rejection (npm/test/queue.test.mjs). Prints `clean` when it does;
// exits 1 naming what is still open when the event loop has not emptied 5 s after the last close.
// With argv[3] (a PostgreSQL URL) the history is there, and the first pair's first conductor
// first runs ten flows on the workers of queue "closing" (the test starts them).
import { createQueueConductor } from "@atomiton/conductor";

const [url, store] = process.argv.slice(2);
const problems = [];
process.on("unhandledRejection", (error) => problems.push(`unhandled rejection: ${error?.message ?? error}`));
const flow = {
  id: "closing",
  type: "group",
  nodes: [{ id: "t", type: "transform", parameters: { data: [1, 2], transformFunction: "x => x + 1" } }],
};
for (let i = 0; i < 10; i++) {
  const first = createQueueConductor({ connection: url, queue: "closing", ...(store ? { store } : {}) });
  const second = createQueueConductor({ connection: url, queue: "closing", ...(store ? { store } : {}) });
  if (store && i === 0) {
    const results = await Promise.all(Array.from({ length: 10 }, () => first.node.run(flow)));
    const failed = results.filter((result) => !result.success);
    if (failed.length > 0) problems.push(`runs failed: ${failed.map((result) => result.error?.message).join("; ")}`);
  }
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
