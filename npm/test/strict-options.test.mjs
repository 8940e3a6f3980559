// Nothing a user writes is silently ignored. Valid configs, run options and flows with one name
// misspelt, one value of the wrong type or out of range, or one required value dropped — at
// random, many seeds — through the native engine, the WebAssembly engine in Node, a remote
// conductor over HTTP and WebSocket (and raw protocol calls a client of another kind could make),
// and the CLI: every case ends in a coded VALIDATION_FAILED naming the path; none is accepted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import {
  createConductor,
  createQueueConductor,
  createRemoteConductor,
  setupMainProcessHandler,
  startQueueWorker,
} from "@atomiton/conductor";
import { repoRoot, tempDir } from "../test-support/helpers.mjs";
import { electronDouble, ipcBridgeTo, remoteClients, startServer } from "../test-support/remote.mjs";
import { post, wsClient } from "../test-support/server.mjs";

const SEED = Number(process.env.PROPERTY_SEED ?? 20261125);
const cli = join(import.meta.dirname, "..", "dist", "cli", "main.js");

/** Configs each entry accepts as they are. */
const CONFIGS = [
  { concurrency: 4, timeout: 30_000, storage: { type: "memory" }, history: false, logLevel: "warn" },
  {
    maxRetries: 2,
    retryDelay: 10,
    trace: false,
    storage: { type: "memory" },
    limits: { maxDepth: 50, expressionSteps: 1000, maxOutputBytes: 4096 },
  },
  {
    http: { maxRequestsPerHost: 4 },
    workers: 2,
    streamBatchRows: 100,
    progressThrottle: 5,
    storage: { type: "memory" },
    cache: { maxEntries: 10, store: "memory" },
  },
  {
    storage: { type: "memory" },
    history: { maxValueBytes: 1024, redactKeys: ["password"], retention: { maxRuns: 5 } },
    strictParameters: false,
  },
];

/** Run options a run accepts as they are. */
const RUN_OPTIONS = [
  { variables: { user: "ada" }, timeout: 60_000, slowMo: 0 },
  { executionId: "exec_given", input: { default: 1 }, history: false },
  { permissions: { files: { roots: ["/tmp"] }, http: false, shell: false }, debug: false },
  { debug: { simulateLongRunning: { nodeId: "t", delayMs: 0 } }, breakpoints: [] },
];

const FLOW = { id: "t", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1", data: [1, 2] } };

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);

/** Options whose value is the user's own data, with no names of ours inside. */
const FREE_FORM = new Set(["input", "variables"]);

/** Every `[path, value]` of an options object, nested objects included (not the user's own data). */
function leaves(value, path = []) {
  return Object.entries(value).flatMap(([key, v]) => [
    [[...path, key], v],
    ...(isObject(v) && !FREE_FORM.has(key) ? leaves(v, [...path, key]) : []),
  ]);
}

/** A copy of `value` with `change(parent, key)` applied at `path`. */
function changed(value, path, change) {
  const copy = structuredClone(value);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path.at(-1));
  return copy;
}

/** `name` misspelt so that it names nothing known at its place. */
function misspelt(name, known, pick) {
  const variants = [
    name.length > 3 ? name.slice(0, -1) + name.at(-1) + name.at(-1) : `${name}x`,
    name.length > 3 ? name.slice(0, 1) + name.slice(2) : `${name}${name}`,
    name.length > 2 ? name.slice(0, 1) + name[2] + name[1] + name.slice(3) : `_${name}`,
    `${name}s`,
  ].filter((candidate) => candidate !== name && !known.includes(candidate) && candidate.toLowerCase() !== name.toLowerCase());
  return variants[pick % variants.length] ?? `${name}_`;
}

/** A value of another type than `value`'s. */
function mistyped(value, pick) {
  const others = ["30s", -1, 1.5, true, [], { nested: 1 }, "", null].filter(
    (other) =>
      typeof other !== typeof value || Array.isArray(other) !== Array.isArray(value) || (other === -1 && typeof value === "number"),
  );
  // `null` counts as absent and an out-of-range number is kept only for numbers.
  return others.filter((other) => other !== null)[pick % others.filter((other) => other !== null).length];
}

/** One random mistake in `options`: `{options, path}` where `path` is what the error must name. */
const mistake = (pool) =>
  fc
    .record({ base: fc.constantFrom(...pool), kind: fc.constantFrom("misspell", "mistype"), at: fc.nat(), pick: fc.nat() })
    .map(({ base, kind, at, pick }) => {
      const all = leaves(base).filter(([, v]) => !(kind === "mistype" && isObject(v)));
      const [path, value] = all[at % all.length];
      if (kind === "misspell") {
        let parent = base;
        for (const key of path.slice(0, -1)) parent = parent[key];
        const name = misspelt(path.at(-1), Object.keys(parent), pick);
        const options = changed(base, path, (p, key) => {
          p[name] = p[key];
          delete p[key];
        });
        return { options, path: [...path.slice(0, -1), name].join("."), kind };
      }
      const wrong = mistyped(value, pick);
      const options = changed(base, path, (p, key) => (p[key] = wrong));
      return { options, path: path.join("."), kind, wrong };
    });

/** Whether `error` is the coded refusal of `path` (or, for a wrong value inside a list, of an item of it). */
function namesPath(error, path) {
  const at = error?.context?.path ?? error?.details?.context?.path;
  return typeof at === "string" && (at === path || at.startsWith(`${path}[`) || at.startsWith(`${path}.`));
}

/** Is the mutation still something an entry accepts? A few are (a string for a field that takes any string). */
function accepted(m) {
  return (
    (m.kind === "mistype" &&
      typeof m.wrong === "string" &&
      /executionId|redactKeys|roots|nodeId|logLevel/.test(m.path) &&
      m.wrong !== "") ||
    // The TypeScript engine took any slowMo number, a negative one as 0 (its own tests pass -100).
    (m.kind === "mistype" && typeof m.wrong === "number" && m.path === "slowMo")
  );
}

test("createConductor: a misspelt or mistyped config key is a ConductorError naming its path, never ignored (native and wasm)", () => {
  fc.assert(
    fc.property(mistake(CONFIGS), fc.constantFrom("native", "wasm"), (m, engine) => {
      let error;
      try {
        createConductor({ ...m.options, engine }).shutdown?.();
      } catch (thrown) {
        error = thrown;
      }
      if (accepted(m) && error === undefined) return;
      assert.ok(error, `accepted ${JSON.stringify(m.options)}`);
      assert.equal(error.name, "ConductorError", String(error));
      assert.equal(error.code, "VALIDATION_FAILED");
      assert.equal(error.type, "validation");
      assert.ok(namesPath(error.details, m.path), `${error.message} does not name ${m.path}`);
      assert.match(error.message, /^Invalid conductor config: /);
    }),
    { numRuns: 300, seed: SEED },
  );
});

test("the cases the issue lists are each refused with the name meant", () => {
  const cases = [
    [{ concurency: 4 }, "unknown option 'concurency' (did you mean 'concurrency'?)"],
    [{ histroy: false }, "unknown option 'histroy' (did you mean 'history'?)"],
    [{ logLevel: "verbose" }, `'logLevel' must be one of "debug", "info", "warn", "error", not "verbose"`],
    [{ workingDir: "/x" }, "unknown option 'workingDir' (did you mean 'workingDirectory'?)"],
    [{ concurrency: 0 }, "'concurrency' must be a whole number of at least 1, not 0"],
    [{ timeout: -5 }, "'timeout' must be a number of milliseconds of at least 0, not -5"],
    [{ transport: "htp" }, `'transport' must be one of "local", "http", "ws", "ipc", not "htp" (did you mean "http"?)`],
    [{ storage: { type: "sqlite", url: "postgres://x" } }, `'storage.type' must be one of "fs", "memory", "postgres", not "sqlite"`],
    [{ storage: { type: "fs", dir: "/x" } }, "unknown option 'storage.dir' (did you mean 'storage.directory'?)"],
    [{ timeout: "30s" }, `'timeout' must be a number of milliseconds of at least 0, not "30s"`],
    [{ maxRetries: "3" }, `'maxRetries' must be a whole number of at least 0, not "3"`],
    [{ workers: -1 }, "'workers' must be a whole number of at least 1, not -1"],
  ];
  for (const [config, message] of cases) {
    assert.throws(
      () => createConductor(config),
      (error) =>
        error.name === "ConductorError" && error.code === "VALIDATION_FAILED" && error.message === `Invalid conductor config: ${message}`,
      JSON.stringify(config),
    );
  }
});

test("the browser-only, remote-only and Electron-only options are refused elsewhere, naming where they belong", () => {
  assert.throws(() => createConductor({ worker: true }), /'worker' is not available in createConductor in Node/);
  assert.throws(
    () => createRemoteConductor({ serverUrl: "http://127.0.0.1:1", concurrency: 2 }),
    /'concurrency' is not available in a remote conductor/,
  );
  const electron = electronDouble();
  assert.throws(
    () => setupMainProcessHandler({ ipcMain: electron.ipcMain, transport: "http" }),
    /'transport' is not available in setupMainProcessHandler/,
  );
  // A storage object the app made is still a storage (the original's `storage?: unknown`).
  const saved = new Map();
  const appStorage = {
    save: async (key, value) => void saved.set(key, value),
    load: async (key) => saved.get(key),
    list: async () => [...saved.keys()],
    delete: async (key) => void saved.delete(key),
  };
  const served = setupMainProcessHandler({ ipcMain: electron.ipcMain, storage: appStorage, permissions: { shell: false } });
  return served.dispose();
});

test("the queue's producer and worker refuse a misspelt option before they connect anywhere", async () => {
  // Nothing listens on port 1: a check that came after connecting would hang or fail differently.
  const connection = "redis://127.0.0.1:1";
  assert.throws(
    () => createQueueConductor({ connection, pollIntervall: 10 }),
    /unknown option 'pollIntervall' \(did you mean 'pollInterval'\?\)/,
  );
  assert.throws(
    () => createQueueConductor({ connection, workers: 2 }),
    /'workers' is not available in a queue conductor \(createQueueConductor\)/,
  );
  assert.throws(() => createQueueConductor({}), /'connection' is required/);
  await assert.rejects(
    startQueueWorker({ connection, lockDuraton: 5000 }),
    (e) =>
      e.code === "VALIDATION_FAILED" &&
      e.message === "Invalid queue worker options: unknown option 'lockDuraton' (did you mean 'lockDuration'?)",
  );
  await assert.rejects(
    startQueueWorker({ connection, history: { retention: { maxRun: 5 } } }),
    /unknown option 'history.retention.maxRun' \(did you mean 'history.retention.maxRuns'\?\)/,
  );
  await assert.rejects(startQueueWorker({ connection, concurrency: 0 }), /'concurrency' must be a whole number of at least 1, not 0/);
});

const conductors = {
  native: createConductor({ storage: { type: "memory" }, engine: "native" }),
  wasm: createConductor({ storage: { type: "memory" }, engine: "wasm" }),
};

test("node.run: misspelt or mistyped run options fail the run with VALIDATION_FAILED naming the path, before anything runs (native and wasm)", async () => {
  await fc.assert(
    fc.asyncProperty(mistake(RUN_OPTIONS), fc.constantFrom("native", "wasm"), async (m, engine) => {
      const result = await conductors[engine].node.run(FLOW, m.options);
      if (accepted(m) && result.success) return;
      assert.equal(result.success, false, `accepted ${JSON.stringify(m.options)}`);
      assert.equal(result.error.code, "VALIDATION_FAILED", result.error.message);
      assert.equal(result.error.type, "validation");
      assert.ok(namesPath(result.error, m.path), `${result.error.message} does not name ${m.path}`);
      assert.deepEqual(result.executedNodes ?? [], []);
    }),
    { numRuns: 300, seed: SEED },
  );
});

test("the run options the issue lists are refused; execute({flowID}) names flowId", async () => {
  const c = conductors.native;
  for (const [options, message] of [
    [{ timout: 100 }, "unknown option 'timout' (did you mean 'timeout'?)"],
    [{ executionID: "x" }, "unknown option 'executionID' (did you mean 'executionId'?)"],
    [{ variabels: {} }, "unknown option 'variabels' (did you mean 'variables'?)"],
    [{ slowmo: 1 }, "unknown option 'slowmo' (did you mean 'slowMo'?)"],
    [{ inputs: {} }, "unknown option 'inputs' (did you mean 'input'?)"],
  ]) {
    const result = await c.node.run(FLOW, options);
    assert.equal(result.error?.message, `Invalid run options: ${message}`);
  }
  const request = await c.execute({ flowID: "hello-world" });
  assert.deepEqual(
    [request.error.code, request.error.message],
    ["VALIDATION_FAILED", "Invalid execute request: unknown option 'flowID' (did you mean 'flowId'?)"],
  );
});

test("what the TypeScript engine's own tests accept stays accepted: slowMo -100 runs as 0 (native and wasm), and slowMo NaN is refused", async () => {
  for (const c of [conductors.native, conductors.wasm]) {
    const result = await c.node.run(FLOW, { slowMo: -100 });
    assert.equal(result.success, true, result.error?.message);
    assert.equal(result.context.slowMo, -100, "kept as given, as the TypeScript engine kept it");
    const refused = await c.node.run(FLOW, { slowMo: Number.NaN });
    assert.equal(refused.error?.code, "VALIDATION_FAILED");
  }
});

test("executions.list refuses an option it does not know, naming the one meant", async () => {
  const c = conductors.native;
  await c.node.run(FLOW);
  for (const [options, meant] of [
    [{ flowID: "wf" }, "flowId"],
    [{ limt: 2 }, "limit"],
  ]) {
    await assert.rejects(
      c.executions.list(options),
      (e) => e.code === "VALIDATION_FAILED" && e.message.includes(`did you mean '${meant}'`),
      JSON.stringify(options),
    );
  }
  assert.ok((await c.executions.list({ limit: 1 })).executions.length === 1);
});

test("remote conductors (HTTP, WebSocket, Electron IPC) and raw protocol calls refuse a bad run option with the same coded error", async (t) => {
  const served = await startServer(t);
  const remotes = remoteClients(t, served);
  const { bridge } = ipcBridgeTo(t, served.conductor);
  const raw = await wsClient(t, served.server);
  await fc.assert(
    fc.asyncProperty(mistake(RUN_OPTIONS.filter((o) => !o.permissions)), async (m) => {
      for (const [name, remote] of Object.entries(remotes)) {
        const result = await remote.node.run(FLOW, m.options);
        if (accepted(m) && result.success) continue;
        assert.equal(result.error?.code, "VALIDATION_FAILED", `${name}: ${JSON.stringify(m.options)}`);
        assert.ok(namesPath(result.error, m.path), `${name}: ${result.error.message} does not name ${m.path}`);
      }
      // What a client of another kind sends reaches the server's own check, on each transport.
      const overHttp = await post(served.server, "node", "execute", { node: FLOW, context: m.options });
      const overWs = await raw.call("node", "execute", { node: FLOW, context: m.options });
      const overIpc = await bridge.call("node", "execute", { node: FLOW, context: m.options });
      for (const answer of [overHttp.body, overWs.result, overIpc.result]) {
        if (accepted(m) && answer.success) continue;
        assert.equal(answer.success, false, JSON.stringify(m.options));
        assert.equal(answer.error.code, "VALIDATION_FAILED");
        assert.match(answer.error.message, /^Invalid run options: /);
      }
    }),
    { numRuns: 60, seed: SEED },
  );
});

test("flows: a misspelt parameter or port is a validation issue naming the node, the field and the name meant; strictParameters: false makes it a warning", async () => {
  const c = conductors.native;
  const transform = { id: "t", type: "transform", parameters: { operaton: "filter", transformFuntion: "x => x > 1", data: [1, 2, 3] } };
  const report = await c.node.validate(transform);
  assert.equal(report.valid, false);
  assert.deepEqual(report.errors, [
    "Invalid transform parameters: unknown parameter 'operaton' (did you mean 'operation'?)",
    "Invalid transform parameters: unknown parameter 'transformFuntion' (did you mean 'transformFunction'?)",
  ]);
  const run = await c.node.run(transform);
  assert.deepEqual([run.success, run.error.code, run.error.nodeId], [false, "VALIDATION_FAILED", "t"]);
  assert.equal(run.error.context.issues[0].field, "parameters.operaton");

  const edge = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1] } },
      { id: "b", type: "transform", parameters: {} },
    ],
    edges: [{ id: "a-b", source: "a", target: "b", targetHandle: "dta" }],
  };
  const edgeReport = await c.node.validate(edge);
  assert.deepEqual(edgeReport.errors, [
    "Edge 'a-b' delivers to 'dta', an input transform does not read (did you mean 'data'?); its inputs: data, function",
  ]);

  const lenient = createConductor({ storage: { type: "memory" }, strictParameters: false });
  const warned = await lenient.node.validate(transform);
  assert.equal(warned.valid, true);
  assert.equal(warned.warnings.length, 2);
  const ran = await lenient.node.run(transform);
  assert.equal(ran.success, true);
  assert.deepEqual(
    ran.warnings.map((w) => w.message),
    [
      "Invalid transform parameters: unknown parameter 'operaton' (did you mean 'operation'?)",
      "Invalid transform parameters: unknown parameter 'transformFuntion' (did you mean 'transformFunction'?)",
    ],
  );
});

test("flows: random misspellings of any built-in's parameter names over the bundled templates never validate", async () => {
  const c = conductors.native;
  const templates = (await c.flow.listTemplates()).templates.map((t) => t.id);
  const loaded = await Promise.all(templates.map(async (id) => (await c.flow.getTemplate(id)).definition));
  const withParameters = loaded.flatMap((flow) =>
    flow.nodes.filter((n) => Object.keys(n.parameters ?? {}).length > 0).map((node) => ({ flow, node: node.id })),
  );
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...withParameters), fc.nat(), fc.nat(), async ({ flow, node }, at, pick) => {
      const copy = structuredClone(flow);
      const target = copy.nodes.find((n) => n.id === node);
      const names = Object.keys(target.parameters);
      const name = names[at % names.length];
      const wrong = misspelt(name, names, pick);
      target.parameters[wrong] = target.parameters[name];
      delete target.parameters[name];
      const report = await c.node.validate(copy);
      assert.equal(report.valid, false, `${node}.${wrong} accepted`);
      assert.ok(
        report.errors.some((e) => e.includes(`unknown parameter '${wrong}'`)),
        report.errors.join("\n"),
      );
    }),
    { numRuns: 200, seed: SEED },
  );
});

test("flows: dropping a required parameter from a bundled template's node never validates", async () => {
  const c = conductors.native;
  const ids = (await c.flow.listTemplates()).templates.map((t) => t.id);
  const flows = await Promise.all(ids.map(async (id) => (await c.flow.getTemplate(id)).definition));
  // What the node reference (generated from the schemas) lists as required, by type.
  const reference = readFileSync(join(repoRoot, "docs", "nodes.md"), "utf8");
  const requiredByType = {};
  let section;
  for (const line of reference.split("\n")) {
    section = /^## ([a-z-]+)$/.exec(line)?.[1] ?? section;
    const row = /^\| `(\w+)` \| [^|]+ \| required \|/.exec(line);
    if (row && section) (requiredByType[section] ??= []).push(row[1]);
  }
  const required = (type) => requiredByType[type] ?? [];
  // Each [flow, node, parameter] whose parameter is required and not also delivered by an edge.
  const drops = flows.flatMap((flow) =>
    flow.nodes.flatMap((node) =>
      required(node.type)
        .filter((name) => name in (node.parameters ?? {}))
        .filter((name) => !(flow.edges ?? []).some((e) => e.target === node.id && e.targetHandle === name))
        .map((name) => ({ flow, node: node.id, name })),
    ),
  );
  assert.ok(drops.length >= 3, `only ${drops.length} required parameters in the templates`);
  for (const { flow, node, name } of drops) {
    const copy = structuredClone(flow);
    delete copy.nodes.find((n) => n.id === node).parameters[name];
    const report = await c.node.validate(copy);
    assert.equal(report.valid, false, `${node} without ${name} accepted`);
    assert.ok(
      report.issues.some((i) => i.nodeId === node && String(i.field ?? "").includes(name)),
      JSON.stringify(report.issues),
    );
  }
});

test("the CLI: a misspelt flag and a misspelt key of serve's config file are refused with the name meant", (t) => {
  const dir = tempDir(t, "strict-cli");
  const flow = join(dir, "flow.json");
  writeFileSync(flow, JSON.stringify(FLOW));
  const flag = spawnSync(process.execPath, [cli, "run", flow, "--concurency", "2"], { encoding: "utf8" });
  assert.notEqual(flag.status, 0);
  assert.match(flag.stderr, /concurency/);
  const config = join(dir, "serve.json");
  writeFileSync(config, JSON.stringify({ allowedOrigin: ["http://x"] }));
  const serve = spawnSync(process.execPath, [cli, "serve", "--config", config, "--port", "0"], { encoding: "utf8", timeout: 60_000 });
  assert.notEqual(serve.status, 0);
  assert.match(
    serve.stderr,
    /VALIDATION_FAILED: Invalid config file .*: unknown option 'allowedOrigin' \(did you mean 'allowedOrigins'\?\)/,
  );
});
