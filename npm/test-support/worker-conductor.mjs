// A worker thread with a conductor of its own (`workerData.engine`: "native" or "wasm"). It
// answers `{runs}` with each run's output — a 10-node chain of JS executors, `runs` of them at once — then shuts its conductor down and lets its event loop
// drain (a worker that exits by itself is one whose conductor held nothing open). `{hang}`
// starts a run whose JS executor never settles and posts "running" once the run has reached it.
import { parentPort, workerData } from "node:worker_threads";
import { createConductor } from "@atomiton/conductor";

const executors = {
  add: { execute: (params) => Number(params.input.default) + Number(params.by) },
  hang: {
    execute: () => {
      parentPort.postMessage("running");
      return new Promise(() => {});
    },
  },
};

const conductor = createConductor({
  engine: workerData.engine,
  storage: { type: "memory" },
  nodeExecutorFactory: { getNodeExecutable: (type) => executors[type] },
});

/** A chain of 10 JS executors, node i adding i: a run's output is its input + 45. */
function chain(start) {
  const nodes = Array.from({ length: 10 }, (_, i) => ({ id: `n${i}`, type: "add", parameters: { by: i } }));
  const edges = nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i].id, target: node.id }));
  return { id: `chain-${start}`, type: "group", nodes, edges };
}

parentPort.once("message", async (ask) => {
  if (ask.hang) {
    void conductor.node.run({ id: "h", type: "hang" });
    return;
  }
  const results = await Promise.all(
    Array.from({ length: ask.runs }, (_, i) => conductor.node.run(chain(i), { input: i + workerData.offset })),
  );
  parentPort.postMessage(results.map((r) => (r.success ? r.data : `failed: ${r.error?.code} ${r.error?.message}`)));
  await conductor.shutdown();
});
