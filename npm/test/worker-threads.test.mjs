// The package in worker threads, as an app that moves flows off its main thread uses it: several
// workers at once, each with its own conductor (native addon or WebAssembly engine), running
// flows concurrently and exiting by themselves once their conductor is shut down; and a worker
// terminated in the middle of a run, which must not take the process down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { createConductor } from "@atomiton/conductor";
import { repoRoot } from "../test-support/helpers.mjs";

const WORKER = join(repoRoot, "npm", "test-support", "worker-conductor.mjs");
const WORKERS = 3;
const RUNS = 4;

for (const engine of ["native", "wasm"]) {
  test(`${WORKERS} worker threads with a ${engine} conductor each run flows concurrently and exit by themselves`, async () => {
    const workers = Array.from({ length: WORKERS }, (_, w) => new Worker(WORKER, { workerData: { engine, offset: 100 * w } }));
    const answers = workers.map(async (worker, w) => {
      const exited = once(worker, "exit");
      const errored = once(worker, "error").then(([error]) => {
        throw error;
      });
      worker.postMessage({ runs: RUNS });
      const [outputs] = await Promise.race([once(worker, "message"), errored]);
      // Nothing ends the worker but its event loop running dry.
      const [code] = await Promise.race([exited, errored]);
      return { outputs, code, w };
    });
    for (const { outputs, code, w } of await Promise.all(answers)) {
      assert.deepEqual(
        outputs,
        Array.from({ length: RUNS }, (_, i) => 100 * w + i + 45),
        `worker ${w}'s runs`,
      );
      assert.equal(code, 0, `worker ${w} exited cleanly`);
    }
    // The main thread's own conductor is untouched by the workers' coming and going.
    const conductor = createConductor({ engine, storage: { type: "memory" } });
    const result = await conductor.node.run(
      { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2" } },
      {
        input: { data: [1, 2] },
      },
    );
    assert.deepEqual(result.data?.result, [2, 4], JSON.stringify(result.error));
    await conductor.shutdown();
  });

  test(`a worker terminated in the middle of a ${engine} run does not take the process down`, () => {
    // In a process of its own: a crash there is an exit status here, not the end of this suite.
    const script = `
      import { Worker } from "node:worker_threads";
      import { once } from "node:events";
      import { createConductor } from "@atomiton/conductor";
      const start = () => new Worker(${JSON.stringify(WORKER)}, { workerData: { engine: ${JSON.stringify(engine)}, offset: 0 }, execArgv: [] });
      for (let round = 0; round < 3; round++) {
        const worker = start();
        worker.postMessage({ hang: true });
        const [said] = await once(worker, "message");
        if (said !== "running") throw new Error("the run never reached its executor: " + said);
        await worker.terminate();
      }
      // A worker started after the others were terminated works, and so does this thread.
      const fresh = start();
      fresh.postMessage({ runs: 2 });
      const [outputs] = await once(fresh, "message");
      const [code] = await once(fresh, "exit");
      const conductor = createConductor({ engine: ${JSON.stringify(engine)}, storage: { type: "memory" } });
      const own = await conductor.node.run({ id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } }, { input: { data: [1] } });
      await conductor.shutdown();
      console.log(JSON.stringify({ outputs, code, own: own.data?.result }));
    `;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
      cwd: join(repoRoot, "npm"),
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(child.signal, null, `the process was killed by ${child.signal}: ${child.stderr}`);
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout.trim().split("\n").pop()), { outputs: [45, 46], code: 0, own: [2] });
  });
}
