// The `atomiton` command line, run as a real child process (stdout and stderr piped, so progress
// comes as plain lines), plus the terminal display as a unit. Needs `npx tsc` and the native addon.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const pkg = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(pkg, "dist", "cli", "main.js");
const templates = join(pkg, "..", "capabilities", "catalog", "templates");
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;

/** Runs the CLI; resolves with its exit code, output, and the parsed stdout when it is JSON. */
function atomiton(args, { cwd, onStderr } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, [cli, ...args], { cwd: cwd ?? pkg, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, signal, stdout, stderr, json, lines: stderr.split("\n").filter((line) => line !== "") });
    });
  });
}

function tempDir(t) {
  const dir = mkdtempSync(join(tmpdir(), "atomiton-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const PROGRESS_LINE = /^\[\s*(\d{1,3})%\] .+ \(\d+(\.\d)?s\)$/;

/** Percentages of the plain progress lines, in order. */
function percentages(lines) {
  return lines
    .map((line) => PROGRESS_LINE.exec(line))
    .filter(Boolean)
    .map((match) => Number(match[1]));
}

/** A solid-colour RGB PNG (for the image template), written without dependencies. */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (bytes) => {
    let crc = 0xffffffff;
    for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
    return (crc ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.from([0, ...Array.from({ length: width }, () => [r, g, b]).flat()]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", pixels), chunk("IEND", Buffer.alloc(0))]);
}

const INVALID_FLOW = `id: broken
name: Broken Flow
nodes:
  - id: a
    type: transform
    name: A
    parameters: { operation: map, transformFunction: "x =>" }
  - id: b
    type: no-such-type
    name: B
  - id: c
    type: edit-fields
    name: C
edges:
  - { id: e1, source: a, target: c }
  - { id: e2, source: c, target: a }
`;

const FAILING_FLOW = `id: failing
name: Failing Flow
nodes:
  - id: make
    type: edit-fields
    name: Make Value
    parameters: { values: { greeting: "hi" }, keepOnlySet: true }
  - id: read
    type: file-system
    name: Read Missing File
    parameters: { operation: read, path: does-not-exist.txt }
edges:
  - { id: e, source: make, target: read }
`;

/** Asserts a successful run's output: exit 0, JSON result with success, plain progress ending in the success line. */
function assertSucceeded(run) {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(run.json, `stdout is JSON: ${run.stdout}`);
  assert.equal(run.json.success, true);
  assert.equal(run.json.error, undefined);
  const last = run.lines.at(-1);
  assert.match(last, /^✔ completed in \d+ ms$/);
  const seen = percentages(run.lines);
  assert.ok(seen.length >= 1, `progress lines on stderr:\n${run.stderr}`);
  assert.equal(seen.at(-1), 100);
  assert.ok(
    run.lines.slice(0, -1).every((line) => PROGRESS_LINE.test(line)),
    run.stderr,
  );
  assert.doesNotMatch(run.stderr, /\u001b\[/, "no ANSI escapes when stderr is piped");
}

// --- run: the bundled templates --------------------------------------------------------------

test("run hello-world.flow.yaml writes atomiton-output/hello-world.json into --cwd", async (t) => {
  const dir = tempDir(t);
  const run = await atomiton(["run", join(templates, "hello-world.flow.yaml"), "--cwd", dir]);
  assertSucceeded(run);
  assert.equal(run.json.data.path, "atomiton-output/hello-world.json");
  assert.deepEqual(run.json.executedNodes, ["550e8400-e29b-41d4-a716-446655440001", "compose", "shout", "save"]);
  const written = JSON.parse(readFileSync(join(dir, "atomiton-output", "hello-world.json"), "utf8"));
  assert.deepEqual(written.result, ["HELLO!", "WORLD!", "FROM!", "ATOMITON!"]);
  assert.equal(run.json.trace, undefined, "no trace without --trace");
});

test("run data-pipeline.flow.yaml saves the sorted high earners", async (t) => {
  const dir = tempDir(t);
  const run = await atomiton(["run", join(templates, "data-pipeline.flow.yaml"), "--cwd", dir]);
  assertSucceeded(run);
  assert.equal(run.json.data.path, "atomiton-output/high-earners.json");
  const written = JSON.parse(readFileSync(join(dir, "atomiton-output", "high-earners.json"), "utf8"));
  assert.deepEqual(
    written.result.map((row) => [row.name, row.salary]),
    [
      ["Hamilton, Margaret", 112000],
      ["Grace Hopper", 105000],
      ["Ada Lovelace", 98000],
      ["Alan Turing", 87000],
    ],
  );
});

test("run double-and-summarise.flow.yaml returns the summary", async (t) => {
  const run = await atomiton(["run", join(templates, "double-and-summarise.flow.yaml"), "--cwd", tempDir(t)]);
  assertSucceeded(run);
  assert.deepEqual(run.json.data, { result: { summary: "map produced 3 items", count: "3" } });
});

test("run image-processing.flow.yaml overlays the images of ./images and writes a thumbnail", async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, "images"));
  writeFileSync(join(dir, "images", "a.png"), png(40, 30, [200, 30, 30]));
  writeFileSync(join(dir, "images", "b.png"), png(20, 10, [30, 30, 200]));
  const run = await atomiton(["run", join(templates, "image-processing.flow.yaml"), "--cwd", dir]);
  assertSucceeded(run);
  assert.equal(run.json.data.path, "atomiton-output/image-report.json");
  const report = JSON.parse(readFileSync(join(dir, "atomiton-output", "image-report.json"), "utf8"));
  assert.equal(report.result.thumbnail, "atomiton-output/thumbnail.jpg");
  assert.ok(existsSync(join(dir, "atomiton-output", "overlay.png")));
  assert.ok(existsSync(join(dir, "atomiton-output", "thumbnail.jpg")));
});

test("relative paths resolve against the current directory without --cwd", async (t) => {
  const dir = tempDir(t);
  const run = await atomiton(["run", join(templates, "hello-world.flow.yaml"), "--quiet"], { cwd: dir });
  assert.equal(run.code, 0, run.stderr);
  assert.ok(existsSync(join(dir, "atomiton-output", "hello-world.json")));
});

// --- run: input, failures, options -----------------------------------------------------------

test("--input is passed to the run (YAML and JSON flow files)", async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, "greet.yaml"),
    `id: greet\nname: Greet\nnodes:\n  - id: hello\n    type: edit-fields\n    name: Say Hello\n    parameters:\n      values: { greeting: "Hello {{name}}", count: "{{count}}" }\n      keepOnlySet: true\n`,
  );
  const greet = await atomiton(["run", "greet.yaml", "--input", '{"data":{"name":"Ada","count":3}}'], { cwd: dir });
  assertSucceeded(greet);
  assert.deepEqual(greet.json.data, { result: { greeting: "Hello Ada", count: "3" } });

  const flow = {
    id: "double",
    name: "Double",
    type: "group",
    nodes: [{ id: "x2", type: "transform", name: "Times Two", parameters: { operation: "map", transformFunction: "x => x * 2" } }],
    edges: [],
  };
  writeFileSync(join(dir, "double.json"), JSON.stringify(flow));
  writeFileSync(join(dir, "input.json"), '{"data":[1,2,3]}');
  const doubled = await atomiton(["run", "double.json", "-i", "@input.json", "--quiet"], { cwd: dir });
  assert.equal(doubled.code, 0, doubled.stderr);
  assert.deepEqual(doubled.json.data.result, [2, 4, 6]);
  assert.deepEqual(doubled.json.context.input, { data: [1, 2, 3] });
  assert.equal(doubled.stderr, "", "--quiet prints no progress");
});

test("a failing flow exits 1 with the error in the JSON result", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "failing.yaml"), FAILING_FLOW);
  const run = await atomiton(["run", "failing.yaml"], { cwd: dir });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.json.success, false);
  // A missing file is the user's to fix, and says so: FILE_NOT_FOUND, type "not-found".
  assert.equal(run.json.error.code, "FILE_NOT_FOUND");
  assert.equal(run.json.error.type, "not-found");
  assert.equal(run.json.error.nodeId, "read");
  assert.match(run.json.error.message, /does-not-exist\.txt/);
  assert.match(run.lines.at(-1), /^✖ FILE_NOT_FOUND: .*does-not-exist\.txt/);
});

test("an invalid flow: run exits 1 before running; validate lists every issue", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "broken.yaml"), INVALID_FLOW);

  const run = await atomiton(["run", "broken.yaml"], { cwd: dir });
  assert.equal(run.code, 1, run.stderr);
  assert.equal(run.json.success, false);
  assert.equal(run.json.error.code, "CIRCULAR_DEPENDENCY");
  assert.equal(run.json.error.context.issues.length, 3);
  assert.match(run.lines.at(-1), /^✖ CIRCULAR_DEPENDENCY: Cycle detected in node graph: a → c → a \(and 2 more issues/);

  const validate = await atomiton(["validate", "broken.yaml"], { cwd: dir });
  assert.equal(validate.code, 1, validate.stderr);
  const lines = validate.stdout.trimEnd().split("\n");
  assert.equal(lines[0], "broken.yaml: invalid, 3 issues");
  assert.match(lines[1], /^\s+CIRCULAR_DEPENDENCY\s+broken \(edges\)\s+Cycle detected in node graph: a → c → a$/);
  assert.match(lines[2], /^\s+INVALID_PARAMETERS\s+broken\/a \(parameters\.transformFunction\)\s+Invalid transform parameters: /);
  assert.match(lines[3], /^\s+NODE_TYPE_NOT_FOUND\s+broken\/b \(type\)\s+No implementation found for node type: no-such-type$/);
  assert.equal(lines.length, 4);

  const json = await atomiton(["validate", "broken.yaml", "--json"], { cwd: dir });
  assert.equal(json.code, 1);
  assert.equal(json.json.valid, false);
  assert.deepEqual(
    json.json.issues.map((issue) => [issue.code, issue.path.join("/")]),
    [
      ["CIRCULAR_DEPENDENCY", "broken"],
      ["INVALID_PARAMETERS", "broken/a"],
      ["NODE_TYPE_NOT_FOUND", "broken/b"],
    ],
  );
});

test("validate of a valid flow prints valid and exits 0", async () => {
  for (const name of ["hello-world", "data-pipeline", "image-processing", "double-and-summarise"]) {
    const file = join(templates, `${name}.flow.yaml`);
    const run = await atomiton(["validate", file]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${file}: valid\n`);
  }
  const json = await atomiton(["validate", join(templates, "hello-world.flow.yaml"), "--json"]);
  assert.deepEqual(json.json, { valid: true, errors: [], issues: [] });
});

test("malformed YAML or JSON, empty and missing files exit 2 with a clear message", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "bad.yaml"), "id: x\nname: y\nnodes: [\n  - a");
  writeFileSync(join(dir, "bad.json"), '{"id": "x", "nodes": [}');
  writeFileSync(join(dir, "empty.yaml"), "  \n");
  const cases = [
    ["bad.yaml", /^atomiton: cannot read flow file bad\.yaml: invalid YAML: .*line 4/],
    ["bad.json", /^atomiton: cannot read flow file bad\.json: invalid JSON: .*line 1 column \d+/],
    ["empty.yaml", /^atomiton: cannot read flow file empty\.yaml: it is empty$/],
    ["missing.yaml", /^atomiton: cannot read flow file missing\.yaml: no such file$/],
    [".", /^atomiton: cannot read flow file \.: it is a directory$/],
  ];
  for (const command of ["run", "validate"]) {
    for (const [file, message] of cases) {
      const run = await atomiton([command, file], { cwd: dir });
      assert.equal(run.code, 2, `${command} ${file}: ${run.stderr}`);
      assert.equal(run.stdout, "", `${command} ${file} prints nothing on stdout`);
      assert.match(run.lines[0], message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
    }
  }
});

test("usage errors exit 2 and point at the command's help", async (t) => {
  const dir = tempDir(t);
  const hello = join(templates, "hello-world.flow.yaml");
  const cases = [
    [["run"], /missing <file>/, "run"],
    [["run", hello, "extra"], /unexpected argument 'extra'/, "run"],
    [["run", hello, "--bogus"], /Unknown option '--bogus'/, "run"],
    [["run", hello, "--slow-mo", "fast"], /--slow-mo must be a whole number ≥ 0 \(got 'fast'\)/, "run"],
    [["run", hello, "--concurrency", "0"], /--concurrency must be a whole number ≥ 1/, "run"],
    [["run", hello, "--timeout=-5"], /--timeout must be a whole number ≥ 1 \(got '-5'\)/, "run"],
    [["run", hello, "--timeout", "-5"], /Option '--timeout' argument is ambiguous/, "run"],
    [["run", hello, "--input", "{nope"], /--input is not valid JSON/, "run"],
    [["run", hello, "--cwd", join(dir, "nowhere")], /--cwd .* is not a directory/, "run"],
    [["validate"], /missing <file>/, "validate"],
    [["templates", "list"], /unknown templates subcommand 'list'/, "templates"],
    [["templates", "run"], /missing <template>/, "templates"],
    [["frobnicate"], /unknown command 'frobnicate'/, ""],
  ];
  for (const [args, message, command] of cases) {
    const run = await atomiton(args, { cwd: dir });
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.lines[0], /^atomiton: /);
    assert.match(run.stderr, message, args.join(" "));
    assert.ok(run.stderr.includes(`Run 'atomiton ${command ? `${command} ` : ""}--help' for usage.`), run.stderr);
    assert.equal(run.stdout, "");
  }
  const none = await atomiton([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: atomiton <command>/);
});

// --- templates -------------------------------------------------------------------------------

test("templates lists the four bundled flows", async () => {
  const run = await atomiton(["templates"]);
  assert.equal(run.code, 0, run.stderr);
  const [header, ...rows] = run.stdout.split("\n");
  assert.match(header, /^SLUG\s+ID\s+NAME\s+NODES\s+DESCRIPTION$/);
  for (const [slug, id, name, nodes] of [
    ["hello-world", "550e8400-e29b-41d4-a716-446655440001", "Hello World Flow", 3],
    ["data-pipeline", "550e8400-e29b-41d4-a716-446655440002", "Data Transform Pipeline", 5],
    ["image-processing", "550e8400-e29b-41d4-a716-446655440003", "Image Processing Workflow", 6],
    ["double-and-summarise", "example-flow", "Double And Summarise", 2],
  ]) {
    assert.ok(
      rows.some((row) => new RegExp(`^${slug}\\s+${id}\\s+${name}\\s+${nodes}\\s+\\S`).test(row)),
      `${name} listed:\n${run.stdout}`,
    );
  }
  const json = await atomiton(["templates", "--json"]);
  assert.equal(json.code, 0);
  assert.equal(json.json.length, 4);
  assert.deepEqual(Object.keys(json.json[0]).sort(), ["description", "id", "name", "nodeCount", "slug"]);
});

test("templates run hello runs the Hello World template", async (t) => {
  const dir = tempDir(t);
  const run = await atomiton(["templates", "run", "hello", "--cwd", dir]);
  assertSucceeded(run);
  assert.equal(run.json.data.path, "atomiton-output/hello-world.json");
  assert.ok(existsSync(join(dir, "atomiton-output", "hello-world.json")));

  const byId = await atomiton(["templates", "run", "example-flow", "--quiet"]);
  assert.equal(byId.code, 0, byId.stderr);
  assert.deepEqual(byId.json.data, { result: { summary: "map produced 3 items", count: "3" } });

  const bySlug = await atomiton(["templates", "run", "double-and-summarise", "--quiet"]);
  assert.equal(bySlug.code, 0, bySlug.stderr);
  assert.deepEqual(bySlug.json.data, byId.json.data);
});

test("templates run with an unknown or ambiguous name exits 2 listing the candidates", async () => {
  const none = await atomiton(["templates", "run", "zzz"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no template matches 'zzz'/);
  assert.match(none.stderr, /Hello World Flow/);
  const many = await atomiton(["templates", "run", "flow"]);
  assert.equal(many.code, 2);
  assert.match(many.stderr, /'flow' matches \d+ templates/);
});

// --- help and version ------------------------------------------------------------------------

test("--help and <command> --help exit 0", async () => {
  for (const args of [
    ["--help"],
    ["-h"],
    ["help"],
    ["run", "--help"],
    ["validate", "--help"],
    ["templates", "--help"],
    ["templates", "run", "--help"],
    ["help", "run"],
  ]) {
    const run = await atomiton(args);
    assert.equal(run.code, 0, args.join(" "));
    assert.match(run.stdout, /^Usage: atomiton/, args.join(" "));
    assert.equal(run.stderr, "");
  }
  const run = await atomiton(["run", "--help"]);
  for (const option of ["--input", "--slow-mo", "--timeout", "--concurrency", "--cwd", "--quiet", "--json", "Exit codes"]) {
    assert.ok(run.stdout.includes(option), option);
  }
});

test("--version prints the package and engine versions", async () => {
  for (const flag of ["--version", "-v"]) {
    const run = await atomiton([flag]);
    assert.equal(run.code, 0);
    const [first, second] = run.stdout.split("\n");
    assert.equal(first, `atomiton ${version} (@atomiton/conductor)`);
    assert.match(second, /^engine\s+\d+\.\d+\.\d+ \(native, /);
  }
});

test("the compiled bin keeps its shebang", () => {
  assert.ok(readFileSync(cli, "utf8").startsWith("#!/usr/bin/env node\n"));
});

// --- progress --------------------------------------------------------------------------------

test("--slow-mo 20 makes the run measurably longer and shows intermediate percentages", async (t) => {
  const hello = join(templates, "hello-world.flow.yaml");
  const fast = await atomiton(["run", hello, "--cwd", tempDir(t)]);
  const slow = await atomiton(["run", hello, "--cwd", tempDir(t), "--slow-mo", "20"]);
  assertSucceeded(fast);
  assertSucceeded(slow);
  assert.equal(slow.json.context.slowMo, 20);
  // Each of the three nodes waits at least one slowMo step before it starts.
  assert.ok(slow.json.duration >= 3 * 20, `slow run took ${slow.json.duration} ms`);
  assert.ok(slow.json.duration > fast.json.duration, `${slow.json.duration} ms vs ${fast.json.duration} ms`);
  const seen = percentages(slow.lines);
  assert.ok(
    seen.some((p) => p > 0 && p < 100),
    `intermediate percentages: ${seen}`,
  );
  assert.deepEqual(
    seen,
    [...seen].sort((a, b) => a - b),
    "percentages never go back on success",
  );
  assert.equal(new Set(slow.lines).size, slow.lines.length, "a line is printed only when something changed");
});

test("--json prints progress as JSON lines", async (t) => {
  const run = await atomiton(["templates", "run", "hello", "--cwd", tempDir(t), "--slow-mo", "10", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const events = run.lines.map((line) => JSON.parse(line));
  assert.ok(events.length >= 2);
  const end = events.at(-1);
  assert.equal(end.type, "end");
  assert.equal(end.success, true);
  const progress = events.filter((event) => event.type === "progress");
  assert.equal(progress.at(-1).progress, 100);
  assert.equal(progress.at(-1).total, 3);
  assert.equal(progress.at(-1).done, 3);
  assert.equal(run.json.success, true);
});

test("--trace includes the execution trace", async (t) => {
  const run = await atomiton(["templates", "run", "hello", "--cwd", tempDir(t), "--quiet", "--trace"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.json.trace.executionId, run.json.context.executionId);
  assert.equal(run.json.trace.nodes.length, 3);
});

test("SIGINT cancels the run, prints the CANCELLED result and exits 130", async (t) => {
  let sent = false;
  const run = await atomiton(["templates", "run", "data", "--cwd", tempDir(t), "--slow-mo", "200"], {
    onStderr: (stderr, child) => {
      if (!sent && /Executing: /.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    },
  });
  assert.ok(sent, run.stderr);
  assert.equal(run.code, 130, run.stderr);
  assert.equal(run.json.success, false);
  assert.equal(run.json.error.code, "CANCELLED");
  assert.match(run.stderr, /^cancelling \(/m);
  assert.equal(run.lines.at(-1), "✖ CANCELLED: Execution cancelled");
});

// --- the terminal display, as a unit ---------------------------------------------------------

const { TtyRenderer, HIDE_CURSOR, SHOW_CURSOR } = await import(join(pkg, "dist", "cli", "progress", "tty.js"));
const { PlainRenderer } = await import(join(pkg, "dist", "cli", "progress", "plain.js"));

/** A progress snapshot of a flow with nodes `[id, name, state]`. */
function snapshot(progress, nodes) {
  return {
    executionId: "exec_test",
    nodeId: "",
    progress,
    message: "",
    nodes: nodes.map(([id, name, state]) => ({
      id,
      name,
      state,
      type: "transform",
      weight: 50,
      dependencies: [],
      dependents: [],
      level: 0,
      progress: 0,
      parentId: "flow",
      depth: 1,
    })),
    graph: { executionOrder: [], criticalPath: [], totalWeight: 0, maxParallelism: 1, edges: [] },
    isExecuting: progress < 100,
    startTime: 0,
  };
}

function fakeTerminal() {
  let clock = 1_000;
  const sink = {
    columns: 80,
    output: "",
    write(chunk) {
      this.output += chunk;
      return true;
    },
  };
  return { sink, now: () => clock, advance: (ms) => (clock += ms) };
}

test("the terminal display draws a bar, the percentage, running nodes and node states, then restores the cursor", () => {
  const term = fakeTerminal();
  const renderer = new TtyRenderer({ sink: term.sink, now: term.now, title: "Data Flow", color: false, interval: 0 });
  renderer.start();
  assert.ok(term.sink.output.startsWith(HIDE_CURSOR), "hides the cursor first");
  term.advance(300);
  renderer.update(
    snapshot(45, [
      ["load", "Load Employees", "completed"],
      ["filter", "Keep High Earners", "executing"],
      ["save", "Save Report", "pending"],
    ]),
  );
  const frame = term.sink.output.split("\u001b[J").at(-1);
  assert.match(frame, /Data Flow/);
  assert.match(frame, /█+░+\s+45%\s+0\.3s/);
  assert.match(frame, /Executing: Keep High Earners/);
  assert.match(frame, /✔ Load Employees/);
  assert.match(frame, /◐ Keep High Earners/);
  assert.match(frame, /○ Save Report/);
  const blockHeight = frame.trimEnd().split("\n").length;

  term.advance(200);
  renderer.update(
    snapshot(100, [
      ["load", "Load Employees", "completed"],
      ["filter", "Keep High Earners", "completed"],
      ["save", "Save Report", "completed"],
    ]),
  );
  assert.ok(term.sink.output.includes(`\u001b[${blockHeight}A`), "redraws in place over the previous block");
  renderer.finish({ success: true, data: {}, duration: 512, executedNodes: [] });
  assert.match(term.sink.output, /100%\s+0\.5s/);
  assert.match(term.sink.output, /✔ completed in 512 ms\n/);
  assert.ok(term.sink.output.endsWith(SHOW_CURSOR), "restores the cursor last");
  assert.doesNotMatch(term.sink.output, /\u001b\[\d+m/, "no colours when color is false");

  renderer.dispose();
  assert.equal(term.sink.output.split(SHOW_CURSOR).length, 2, "the cursor is restored once");
});

test("the terminal display restores the cursor when interrupted, and summarises large flows", () => {
  const term = fakeTerminal();
  const renderer = new TtyRenderer({ sink: term.sink, now: term.now, title: "Big", color: true, interval: 0 });
  renderer.start();
  const nodes = Array.from({ length: 20 }, (_, i) => [`n${i}`, `Node ${i}`, i < 5 ? "completed" : i < 7 ? "executing" : "pending"]);
  renderer.update(snapshot(30, nodes));
  const frame = term.sink.output.split("\u001b[J").at(-1);
  assert.match(frame, /5 completed · 2 executing · 13 pending/);
  assert.doesNotMatch(frame, /Node 12/, "no per-node lines above 12 nodes");
  assert.match(frame, /\u001b\[32m/, "colours on a colour terminal");
  renderer.cancelling();
  assert.match(term.sink.output.split("\u001b[J").at(-1), /Cancelling…/);
  renderer.dispose();
  assert.ok(term.sink.output.endsWith(SHOW_CURSOR));
});

test("the plain display prints a line only when the percentage or running nodes change", () => {
  const term = fakeTerminal();
  const renderer = new PlainRenderer({ sink: term.sink, now: term.now });
  renderer.start();
  const running = snapshot(45, [["load", "Load Employees", "executing"]]);
  renderer.update(running);
  renderer.update(running);
  term.advance(1_234);
  renderer.update(snapshot(100, [["load", "Load Employees", "completed"]]));
  renderer.finish({ success: false, error: { code: "EXECUTION_FAILED", message: "boom" } });
  assert.equal(
    term.sink.output,
    "[  45%] Executing: Load Employees (0.0s)\n[ 100%] All nodes completed (1.2s)\n✖ EXECUTION_FAILED: boom\n",
  );
});

test("a stream under way shows its rows, bytes, rows/s and an ETA, at most a line a second in plain logs", () => {
  const term = fakeTerminal();
  const renderer = new PlainRenderer({ sink: term.sink, now: term.now });
  renderer.start();
  const streaming = (rows, bytes) => {
    const event = snapshot(20, [
      ["load", "Load", "executing"],
      ["keep", "Keep", "executing"],
    ]);
    Object.assign(event.nodes[0], { rows, bytes, totalBytes: 40_000_000 });
    event.nodes[1].rows = rows;
    return event;
  };
  term.advance(2_000);
  renderer.update(streaming(400_000, 10_000_000));
  term.advance(500);
  renderer.update(streaming(500_000, 12_500_000));
  term.advance(600);
  renderer.update(streaming(620_000, 15_500_000));
  const lines = term.sink.output.trim().split("\n");
  assert.equal(lines.length, 3, term.sink.output);
  assert.equal(lines[1].trim(), "400,000 rows · 10 MB of 40 MB · 200,000 rows/s · ETA 6.0s");
  assert.equal(lines[2].trim(), "620,000 rows · 16 MB of 40 MB · 200,000 rows/s · ETA 4.9s");
});

test("progress views count atomic nodes only: a group is neither running nor counted", async () => {
  const { toView, tally, activity } = await import(join(pkg, "dist", "cli", "progress", "view.js"));
  const event = snapshot(40, [
    ["first", "First", "completed"],
    ["inner", "Inner Group", "executing"],
    ["a", "Inner A", "executing"],
    ["b", "Inner B", "pending"],
  ]);
  event.nodes[2].parentId = "inner";
  event.nodes[2].depth = 2;
  event.nodes[3].parentId = "inner";
  event.nodes[3].depth = 2;
  const view = toView(event);
  assert.deepEqual(view.running, ["Inner A"]);
  assert.deepEqual(tally(view), { done: 1, failed: 0, total: 3 });
  assert.equal(activity(view), "Executing: Inner A");
  assert.deepEqual(
    view.nodes.map((node) => [node.name, node.group]),
    [
      ["First", false],
      ["Inner Group", true],
      ["Inner A", false],
      ["Inner B", false],
    ],
  );
});

test("runs: every CLI run is recorded; runs lists them, show prints the nodes on a time axis, retry reuses what succeeded", async (t) => {
  const dir = tempDir(t);
  const storage = join(dir, "store");
  const flow = join(dir, "flow.json");
  const marker = join(dir, "marker.txt");
  // `check` fails until the marker file exists: the retry then reads the one `first` wrote.
  writeFileSync(
    flow,
    JSON.stringify({
      id: "retryable",
      type: "group",
      nodes: [
        { id: "first", type: "transform", parameters: { data: [1, 2, 3], transformFunction: "x => x * 10" } },
        { id: "check", type: "file-system", parameters: { operation: "read", path: marker } },
      ],
      edges: [{ source: "first", target: "check" }],
    }),
  );
  const failed = await atomiton(["run", flow, "--storage", storage, "-q"]);
  assert.equal(failed.code, 1, failed.stderr);

  const listed = await atomiton(["runs", "--storage", storage, "--json"]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal(listed.json.total, 1);
  const [run] = listed.json.executions;
  assert.deepEqual([run.flowId, run.status], ["retryable", "failed"]);

  const counted = await atomiton(["runs", "counts", "--storage", storage, "--json"]);
  assert.equal(counted.code, 0, counted.stderr);
  assert.deepEqual(counted.json, { total: 1, running: 0, success: 0, failed: 1, cancelled: 0, crashed: 0, interrupted: 0, waiting: 0 });
  const countTable = await atomiton(["runs", "counts", "--storage", storage]);
  assert.match(countTable.stdout, /STATUS\s+RUNS[\s\S]*failed\s+1\n[\s\S]*total\s+1/);
  const text = await atomiton(["runs", "--storage", storage, "--status", "failed"]);
  assert.match(text.stdout, new RegExp(`^${run.id}\\s+retryable\\s+failed`, "m"));
  const shown = await atomiton(["runs", "show", run.id, "--storage", storage]);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(
    shown.stdout,
    /^first\s+transform\s+completed\s+1\s+\+\S+\s+\S+\s+#+ *\|$/m,
    "a node row ends with its bar on the time axis",
  );
  assert.match(shown.stdout, /^check\s+file-system\s+error\b/m);

  writeFileSync(marker, "now it exists");
  const retried = await atomiton(["runs", "retry", run.id, "--storage", storage, "-q"]);
  assert.equal(retried.code, 0, retried.stderr);
  assert.equal(retried.json.success, true);
  const again = await atomiton(["runs", "--storage", storage, "--json", "--limit", "1"]);
  const newest = again.json.executions[0];
  assert.equal(newest.retryOf, run.id);
  const detail = await atomiton(["runs", "show", newest.id, "--storage", storage, "--json"]);
  assert.deepEqual(
    detail.json.nodes.map((n) => [n.nodeId, n.reused === true]),
    [
      ["first", true],
      ["check", false],
    ],
    "first was reused, not run again",
  );

  const bad = await atomiton(["runs", "show", "../etc", "--storage", storage]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /VALIDATION_FAILED: Invalid execution id/);
  assert.equal((await atomiton(["runs", "--status", "weird", "--storage", storage])).code, 2);
});
