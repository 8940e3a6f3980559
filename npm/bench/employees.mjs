// The data-pipeline benches' input and flow: generated employee CSV files (the template's
// columns) and the template's steps over them, shared by `data-pipeline.mjs` (time and memory
// against other engines) and `responsiveness.mjs` (the host's event loop while a stream runs).
import { execFileSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Where generated files are kept between runs (they take a while to write at 40M rows). */
export const benchData = join(resolve(dirname(fileURLToPath(import.meta.url)), "../.."), "target", "bench-data");

/**
 * The path of a CSV file of `rows` employees (name, department, salary, start), written once
 * and reused: one name in ten is quoted (a comma in it); the same seed gives the same file.
 */
export async function employeesCsv(rows) {
  mkdirSync(benchData, { recursive: true });
  const file = join(benchData, `employees-${rows}.csv`);
  if (existsSync(file)) return file;
  const departments = ["Engineering", "Research", "Operations", "Sales", "Marketing", "Finance"];
  const out = createWriteStream(`${file}.tmp`);
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const write = (text) => (out.write(text) ? undefined : new Promise((done) => out.once("drain", done)));
  await write("name,department,salary,start\n");
  let chunk = "";
  for (let i = 0; i < rows; i++) {
    const name = i % 10 === 0 ? `"Person ${i}, Jr"` : `Person ${i}`;
    const salary = 30000 + Math.floor(random() * 120000);
    const start = `${2000 + Math.floor(random() * 25)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`;
    chunk += `${name},${departments[i % departments.length]},${salary},${start}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = "";
    }
  }
  await write(chunk);
  await new Promise((done) => out.end(done));
  // Renamed only when whole, so an interrupted run never leaves a short file to be reused.
  execFileSync("mv", [`${file}.tmp`, file]);
  return file;
}

/**
 * The template's steps as one group flow: read `input`, keep salary >= 80,000, reshape, sort by
 * salary (descending) when `sort`, write `output` as a JSON array.
 */
export function pipelineFlow(input, output, sort) {
  const steps = [
    { id: "load", type: "spreadsheet", parameters: { path: input, hasHeaders: true } },
    { id: "high", type: "transform", parameters: { operation: "filter", transformFunction: "row => Number(row.salary) >= 80000" } },
    {
      id: "reshape",
      type: "transform",
      parameters: {
        operation: "map",
        transformFunction:
          "row => ({ name: row.name, team: row.department.toLowerCase(), salary: Number(row.salary), since: Number(row.start.slice(0, 4)) })",
      },
    },
    ...(sort ? [{ id: "sort", type: "transform", parameters: { operation: "sort", sortKey: "salary", sortDirection: "desc" } }] : []),
    { id: "save", type: "file-system", parameters: { operation: "write", path: output } },
  ];
  const edges = steps
    .slice(1)
    .map((step, i) => ({ id: `e${i}`, source: steps[i].id, target: step.id, targetHandle: step.id === "save" ? "input" : "data" }));
  return { id: "pipeline", type: "group", nodes: steps, edges };
}
