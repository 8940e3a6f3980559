// One run of a query → sort → file flow over PostgreSQL's `big` table (bigTable below), in a
// process of its own so that its peak memory is its own: prints {success, error, rows, growthMb}
// (growthMb: peak RSS less the RSS before the run). Used by database.test.mjs (streamed against
// whole) and npm/bench/database-pipeline.mjs.
//
//   node npm/test-support/database-stream-run.mjs <postgres url> <output file> stream|whole
import { createConductor } from "@atomiton/conductor/desktop";
import { queryToFile } from "./database-tables.mjs";

const [url, output, mode] = process.argv.slice(2);
const whole = mode === "whole";
const conductor = createConductor({
  storage: { type: "memory" },
  history: false,
  // Whole: every node holds its whole output (the database node's million rows among them).
  streamBatchRows: whole ? 0 : 4096,
  // The sort holds this much before it writes a sorted run to disk.
  streamSortMemory: 32 * 1024 * 1024,
  limits: { maxOutputBytes: 2 ** 31 },
});
await conductor.credentials.set("big", { type: "postgres", url });
const before = process.memoryUsage().rss;
const result = await conductor.node.run(queryToFile("big", output));
const peak = process.resourceUsage().maxRSS * 1024;
console.log(
  JSON.stringify({
    success: result.success,
    error: result.error,
    growthMb: Math.round((peak - before) / 2 ** 20),
  }),
);
await conductor.shutdown();
process.exit(0);
