// `python` nodes through the built package (native engine): a real Python function on real data
// in a worker process the engine starts, what it printed in the result's logs and the conductor's
// log; the JS thread free while Python computes; a timeout and a cancellation killing the worker;
// a crashing interpreter as that node's error; and an interpreter that is not there refused before
// anything runs. The WebAssembly engine (no processes) refuses the node at validation.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConductorError, createConductor } from "@atomiton/conductor";
import { tempDir, until } from "../test-support/helpers.mjs";

/** Whether process `pid` still runs (a zombie, dead but not yet reaped by its parent, does not). */
function alive(pid) {
  try {
    // The state follows the parenthesised command name.
    return !/^[ZX]/.test(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop());
  } catch {}
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes its process id to `path`, starts `sleep 600` in its group, and never returns. */
const HANGS = `import os, subprocess
def main(path):
    child = subprocess.Popen(["sleep", "600"])
    with open(path, "w") as f:
        f.write("%d %d" % (os.getpid(), child.pid))
    while True:
        pass
`;

async function pidsIn(path) {
  let text = "";
  await until(
    () => {
      try {
        text = readFileSync(path, "utf8");
      } catch {}
      return text.includes(" ");
    },
    undefined,
    "the function to start",
  );
  return text.split(" ").map(Number);
}

test("a python node summarises CSV text with the standard library; what it printed is in the result's logs and the conductor's log", async (t) => {
  const entries = [];
  const conductor = createConductor({ storage: { type: "memory" }, logger: (entry) => entries.push(entry), logLevel: "info" });
  const csv = "city,temp\nOslo,3\nLima,19\nOslo,5\nLima,21\nCairo,30\n";
  const flow = {
    id: "summary",
    type: "python",
    parameters: {
      data: csv,
      arguments: { places: 1 },
      code: `import csv, io, statistics
def main(text, places):
    rows = list(csv.DictReader(io.StringIO(text)))
    by = {}
    for row in rows:
        by.setdefault(row["city"], []).append(float(row["temp"]))
    print("rows:", len(rows))
    return {city: {"mean": round(statistics.mean(t), places), "max": max(t)} for city, t in sorted(by.items())}
`,
    },
  };
  const result = await conductor.node.run(flow);
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.deepEqual(result.data, {
    Cairo: { mean: 30, max: 30 },
    Lima: { mean: 20, max: 21 },
    Oslo: { mean: 4, max: 5 },
  });
  assert.deepEqual(result.logs, [{ nodeId: "summary", stream: "stdout", text: "rows: 5\n" }]);
  await until(() => entries.some((e) => e.event === "node:log"), undefined, "the log entry");
  const logged = entries.find((e) => e.event === "node:log");
  assert.equal(logged.nodeId, "summary");
  assert.match(logged.message, /printed on stdout: rows: 5$/);
  t.after(() => conductor.close?.());
});

test("the JS thread stays free while a python node computes for seconds", async () => {
  const conductor = createConductor({ storage: { type: "memory" } });
  const spin = `import time
def main(seconds):
    end = time.monotonic() + seconds
    n = 0
    while time.monotonic() < end:
        n += 1
    return n > 0
`;
  let last = performance.now();
  let widest = 0;
  let ticks = 0;
  const probe = setInterval(() => {
    const now = performance.now();
    widest = Math.max(widest, now - last);
    last = now;
    ticks += 1;
  }, 10);
  const result = await conductor.node.run({ id: "spin", type: "python", parameters: { code: spin, data: 5 } });
  clearInterval(probe);
  assert.equal(result.data, true, JSON.stringify(result.error));
  // A JS thread held by the call would show one gap of the whole 5 s; a busy machine's ticks
  // come every 10 ms or so.
  assert.ok(widest < 1500, `the event loop stalled for ${Math.round(widest)} ms`);
  assert.ok(ticks > 20, `${ticks} ticks in 5 s`);
});

test("a node's timeout and a run's cancellation kill the worker and what it started; a crash is that node's error", async (t) => {
  const dir = tempDir(t, "python-kill");
  const conductor = createConductor({ storage: { type: "memory" }, python: { workers: 1 } });
  const timedPath = join(dir, "timed");
  const timed = await conductor.node.run({ id: "p", type: "python", parameters: { code: HANGS, data: timedPath, timeout: 1000 } });
  assert.equal(timed.error?.code, "TIMEOUT", JSON.stringify(timed.error));
  for (const pid of await pidsIn(timedPath)) {
    await until(() => !alive(pid), undefined, `process ${pid} to be killed`);
  }

  const cancelPath = join(dir, "cancelled");
  const controller = new AbortController();
  const running = conductor.node.run(
    { id: "p", type: "python", parameters: { code: HANGS, data: cancelPath } },
    { signal: controller.signal },
  );
  const pids = await pidsIn(cancelPath);
  controller.abort();
  assert.equal((await running).error?.code, "CANCELLED");
  for (const pid of pids) {
    await until(() => !alive(pid), undefined, `process ${pid} to be killed`);
  }

  const crash = await conductor.node.run({
    id: "p",
    type: "python",
    parameters: { code: "import os\ndef main(data):\n    os._exit(9)\n" },
  });
  assert.equal(crash.error?.code, "EXECUTION_FAILED");
  assert.match(crash.error.message, /^\[python\] the Python worker stopped during the call \(the worker ended: it exited with code 9\)/);
  const after = await conductor.node.run({
    id: "p",
    type: "python",
    parameters: { code: "def main(data):\n    return data * 2\n", data: 21 },
  });
  assert.equal(after.data, 42, "the next call gets a new worker");

  const raised = await conductor.node.run({
    id: "p",
    type: "python",
    parameters: { code: "def main(data):\n    raise ValueError('no rows')\n" },
  });
  assert.equal(raised.error.message, "[python] ValueError: no rows");
  assert.match(raised.logs[0].text, /raise ValueError\('no rows'\)/);
});

test("an interpreter that is not there: a config naming one is refused, none on the PATH fails validation before anything runs", async (t) => {
  assert.throws(
    () => createConductor({ storage: { type: "memory" }, python: { interpreter: "/no/such/python3" } }),
    (error) =>
      error instanceof ConductorError && error.code === "VALIDATION_FAILED" && /\/no\/such\/python3 does not exist/.test(error.message),
  );
  assert.throws(
    () => createConductor({ storage: { type: "memory" }, python: { interpeter: "python3" } }),
    (error) => error instanceof ConductorError && /interpeter/.test(error.message) && /interpreter/.test(error.message),
  );
  const path = process.env.PATH;
  process.env.PATH = tempDir(t, "empty-path");
  let conductor;
  try {
    conductor = createConductor({ storage: { type: "memory" } });
  } finally {
    process.env.PATH = path;
  }
  const flow = { id: "p", type: "python", parameters: { code: "def main(data):\n    return 1\n" } };
  const report = await conductor.node.validate(flow);
  assert.equal(report.valid, false);
  assert.match(report.errors.join("\n"), /needs a Python interpreter/);
  const result = await conductor.node.run(flow);
  assert.equal(result.error.code, "IMPLEMENTATION_NOT_FOUND");
  assert.match(result.error.message, /Node 'p' \(python\) needs a Python interpreter/);
});

test("a module file in the working directory, on a virtual environment's interpreter", async (t) => {
  const dir = tempDir(t, "python-module");
  writeFileSync(join(dir, "shout.py"), "import sys\ndef shout(data, times=1):\n    return [(data.upper() + '!') * times, sys.prefix]\n");
  const made = spawnSync("python3", ["-m", "venv", "--without-pip", join(dir, "env")], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  const conductor = createConductor({ storage: { type: "memory" }, workingDirectory: dir, python: { virtualenv: "env" } });
  const result = await conductor.node.run({
    id: "p",
    type: "python",
    parameters: { module: "shout.py", function: "shout", data: "hey", arguments: { times: 2 } },
  });
  assert.deepEqual(result.data, ["HEY!HEY!", join(dir, "env")], JSON.stringify(result.error));
});

test("the WebAssembly engine has no processes: a python node fails validation saying what it needs", async () => {
  const wasm = createConductor({ engine: "wasm", storage: { type: "memory" } });
  const flow = { id: "p", type: "python", parameters: { code: "def main(data):\n    return 1\n" } };
  const report = await wasm.node.validate(flow);
  assert.equal(report.valid, false);
  assert.match(report.errors.join("\n"), /needs a Python interpreter \(Python nodes run in Node\.js/);
  assert.equal((await wasm.node.run(flow)).error.code, "IMPLEMENTATION_NOT_FOUND");
  assert.throws(
    () => createConductor({ engine: "wasm", storage: { type: "memory" }, python: { workers: 2 } }),
    (error) => error instanceof ConductorError && /the WebAssembly engine runs no Python/.test(error.message),
  );
});
