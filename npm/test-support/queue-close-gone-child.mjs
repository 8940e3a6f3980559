// A process whose queue conductors lose their Redis before they are closed (npm/test/queue.test.mjs):
// it starts a Redis of its own, makes two conductors on it (history in the PostgreSQL at argv[2])
// and reads a saved flow through the second, then stops Redis, either at once (the second one's
// connections are still being opened) or once argv[3] milliseconds have passed, and closes both.
// Each close must end within 100 s (a close waits 5 s at most for each of Redis's answers, then
// drops its connections: 10× that, for a busy machine), with no unhandled rejection, and the
// process must then end by itself within 30 s (a connection left reconnecting to the Redis that
// is gone would hold it for ever; it ends about 2 s after the last close here). Prints `clean` when
// all of that holds; otherwise exits 1 saying what did not.
import { createQueueConductor } from "@atomiton/conductor";
import { startRedis } from "./redis.mjs";

const [store, wait] = process.argv.slice(2);
const problems = [];
process.on("unhandledRejection", (error) => problems.push(`unhandled rejection: ${error?.message ?? error}`));
const redis = await startRedis();
const options = { connection: redis.url, queue: "gone", store };
const first = createQueueConductor(options);
await first.storage.saveFlow({ id: "kept", type: "group", nodes: [{ id: "t", type: "transform", parameters: {} }] });
const second = createQueueConductor(options);
if ((await second.storage.loadFlow("kept")).id !== "kept") problems.push("the saved flow was not read back");
if (Number(wait) > 0) await new Promise((resolve) => setTimeout(resolve, Number(wait)));
await redis.stop();
for (const [name, conductor] of [
  ["first", first],
  ["second", second],
]) {
  let bound;
  const late = new Promise((resolve) => (bound = setTimeout(() => resolve("late"), 100_000)));
  if ((await Promise.race([conductor.close(), late])) === "late") problems.push(`closing the ${name} did not end within 100 s`);
  clearTimeout(bound);
}
setTimeout(() => {
  const open = process.getActiveResourcesInfo().filter((resource) => resource !== "Timeout");
  console.log(JSON.stringify({ problems, open, alive: "30 s after the last close" }));
  process.exit(1);
}, 30_000).unref();
process.on("exit", (code) => {
  if (code === 0) console.log(problems.length > 0 ? JSON.stringify({ problems }) : "clean");
});
