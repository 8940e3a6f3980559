// Scenarios of the browser entry that run unchanged in Node and in a Chromium page.
//
// Each scenario is `async (mod, arg) => plainData`, where `mod` is the module
// `@atomiton/conductor/browser` (imported in Node; `window.conductorModule` in the test page).
// A scenario must not use anything outside its own body: in Chromium it is sent as source text
// (see test-support/browser-page.mjs). The matching `check*` functions hold the assertions, so
// both environments are held to the same ones.
import assert from "node:assert/strict";
import { conductorShape } from "./helpers.mjs";

/** What `/browser` exports and what its conductor object looks like; `shape` is `conductorShape` (helpers.mjs). */
export async function surface(mod, shape) {
  const c = mod.conductor;
  const methods = {};
  for (const [namespace, names] of Object.entries(shape)) {
    for (const name of names) methods[`${namespace}.${name}`] = typeof c[namespace]?.[name];
  }
  const subscribers = [
    c.node.onProgress,
    c.node.onComplete,
    c.node.onError,
    c.storage.onFlowSaved,
    c.auth.onAuthExpired,
    c.events.onProgress,
    c.events.onStarted,
    c.events.onCompleted,
    c.events.onError,
  ];
  const unsubscribes = subscribers.map((subscribe) => {
    const unsubscribe = subscribe(() => {});
    if (typeof unsubscribe === "function") unsubscribe();
    return typeof unsubscribe;
  });
  let toExecutionIdError;
  try {
    mod.toExecutionId("");
  } catch (error) {
    toExecutionIdError = error.message;
  }
  const validEvent = {
    nodeId: "n",
    progress: 50,
    message: "m",
    nodes: [{ id: "n", name: "N", state: "executing" }],
    graph: { executionOrder: [], criticalPath: [], edges: [], totalWeight: 1, maxParallelism: 1 },
  };
  await c.ready;
  return {
    exports: Object.fromEntries(
      Object.keys(mod)
        .sort()
        .map((key) => [key, typeof mod[key]]),
    ),
    DEFAULT_SLOWMO_MS: mod.DEFAULT_SLOWMO_MS,
    errorCodes: { ...mod.ErrorCode },
    createConductorIsAlias: mod.createConductor === mod.createConductorInstance,
    newConductorIsSeparate: mod.createConductor() !== c,
    readyIsPromise: c.ready instanceof Promise,
    methods,
    unsubscribes,
    aliases: { execute: typeof c.execute, health: typeof c.health, getEnvironment: typeof c.getEnvironment },
    flowOnIsNodeOn: c.flow.onProgress === c.node.onProgress && c.flow.onComplete === c.node.onComplete && c.flow.onError === c.node.onError,
    inBrowser: c.inBrowser,
    inDesktop: c.inDesktop,
    environment: c.getEnvironment(),
    health: await c.system.health(),
    legacyHealth: await c.health(),
    executionId: mod.createExecutionId(),
    givenExecutionId: mod.createExecutionId("given"),
    toExecutionId: mod.toExecutionId("x"),
    toExecutionIdError,
    validEvent: mod.isValidProgressEvent(validEvent),
    invalidEvents: [mod.isValidProgressEvent({}), mod.isValidProgressEvent(null), mod.isValidProgressEvent({ ...validEvent, graph: null })],
    nodeTypes: c.catalog
      .getAllNodeDefinitions()
      .map((definition) => definition.type ?? definition.id)
      .sort(),
  };
}

/** `environment`: `"node"` or `"chromium"` (which web storage the environment has). */
export function checkSurface(s, environment) {
  assert.deepEqual(
    Object.keys(s.exports),
    [
      "DEFAULT_SLOWMO_MS",
      "ErrorCode",
      "conductor",
      "createConductor",
      "createConductorInstance",
      "createExecutionId",
      "isValidProgressEvent",
      "toExecutionId",
    ],
    "the values the TypeScript engine's /browser exported",
  );
  assert.deepEqual(s.exports, {
    DEFAULT_SLOWMO_MS: "number",
    ErrorCode: "object",
    conductor: "object",
    createConductor: "function",
    createConductorInstance: "function",
    createExecutionId: "function",
    isValidProgressEvent: "function",
    toExecutionId: "function",
  });
  assert.equal(s.DEFAULT_SLOWMO_MS, 250);
  assert.equal(
    Object.keys(s.errorCodes).length,
    30,
    "the TypeScript engine's 22, PERMISSION_DENIED, AUTHENTICATION_FAILED, FILE_NOT_FOUND, FILE_EXISTS, WAITING, DECISION_REQUIRED, CREDENTIAL_NOT_FOUND and CREDENTIALS_LOCKED",
  );
  for (const [key, value] of Object.entries(s.errorCodes)) assert.equal(key, value);
  assert.equal(s.errorCodes.IMPLEMENTATION_NOT_FOUND, "IMPLEMENTATION_NOT_FOUND");
  assert.equal(s.createConductorIsAlias, true);
  assert.equal(s.newConductorIsSeparate, true);
  assert.equal(s.readyIsPromise, true);
  assert.equal(Object.keys(s.methods).length, Object.values(conductorShape).flat().length);
  for (const [method, type] of Object.entries(s.methods)) assert.equal(type, "function", method);
  assert.deepEqual(s.unsubscribes, Array(9).fill("function"), "every on* returns an unsubscribe function");
  assert.deepEqual(s.aliases, { execute: "function", health: "function", getEnvironment: "function" });
  assert.equal(s.flowOnIsNodeOn, true, "flow.on* are node.on*");
  assert.equal(s.inBrowser, true);
  assert.equal(s.inDesktop, false);
  const env = s.environment;
  assert.equal(env.type, "browser");
  assert.equal(env.isDesktop, false);
  assert.equal(env.hasTransport, false);
  assert.deepEqual(env.capabilities, {
    nodeExecution: true,
    // Node has Web Storage of its own on some lines (a global sessionStorage since 25; localStorage
    // only with --localstorage-file): the capabilities say what the environment has.
    localStorage: environment === "chromium" || globalThis.localStorage !== undefined,
    sessionStorage: environment === "chromium" || globalThis.sessionStorage !== undefined,
    fileSystem: false,
    cloudExecution: false,
  });
  if (environment === "chromium") assert.match(env.details.userAgent, /HeadlessChrome/);
  assert.equal(s.health.status, "ok");
  assert.equal(s.health.message, "Browser conductor operational (local engine)");
  assert.equal(typeof s.health.timestamp, "number");
  assert.equal(s.legacyHealth.message, s.health.message);
  assert.match(s.executionId, /^exec_[0-9a-f-]{36}$/);
  assert.equal(s.givenExecutionId, "given");
  assert.equal(s.toExecutionId, "x");
  assert.equal(s.toExecutionIdError, "Invalid execution ID: must be a non-empty string");
  assert.equal(s.validEvent, true);
  assert.deepEqual(s.invalidEvents, [false, false, false]);
  for (const type of [
    "edit-fields",
    "file-system",
    "group",
    "http-request",
    "image",
    "loop",
    "parallel",
    "shell-command",
    "spreadsheet",
    "transform",
  ]) {
    assert.ok(s.nodeTypes.includes(type), `catalog lists ${type}`);
  }
}

/** Progress snapshots of a chain with a nested group, and the run's lifecycle events. */
export async function progressEvents(mod) {
  const c = mod.createConductor({ storage: { type: "memory" }, progressThrottle: 0 });
  const events = [];
  const states = [];
  const log = [];
  c.node.onProgress((event) => events.push(event));
  c.events.onProgress((state) =>
    states.push({ isMap: state.nodes instanceof Map, cachedProgress: state.cachedProgress, executionId: state.executionId }),
  );
  c.events.onStarted((event) => log.push(["started", event.executionId, event.nodeId]));
  c.node.onComplete((event) => log.push(["node.complete", event.executionId, event.nodeId]));
  c.events.onCompleted((event) => log.push(["completed", event.executionId, event.result.success]));
  const flow = {
    id: "flow",
    type: "group",
    nodes: [
      { id: "a", name: "First", type: "transform", parameters: { data: [1, 2] } },
      { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 10" } },
      {
        id: "inner",
        type: "group",
        nodes: [
          { id: "c", type: "transform", parameters: { operation: "reduce", transformFunction: "(s, x) => s + x", reduceInitial: "0" } },
        ],
      },
    ],
    edges: [
      { id: "e1", source: "a", target: "b", targetHandle: "data" },
      { id: "e2", source: "b", target: "inner", targetHandle: "data" },
    ],
  };
  const result = await c.node.run(flow, { executionId: "exec-progress", slowMo: 20 });
  return {
    result: { success: result.success, data: result.data, executedNodes: result.executedNodes, error: result.error },
    events: events.map((event) => ({
      valid: mod.isValidProgressEvent(event),
      executionId: event.executionId,
      nodeId: event.nodeId,
      progress: event.progress,
      message: event.message,
      graph: event.graph,
      nodes: event.nodes.map((node) => ({
        id: node.id,
        type: node.type,
        state: node.state,
        progress: node.progress,
        parentId: node.parentId,
        depth: node.depth,
      })),
    })),
    states,
    log,
  };
}

export function checkProgressEvents({ result, events, states, log }) {
  assert.equal(result.success, true, JSON.stringify(result.error));
  assert.equal(result.data.result, 30);
  assert.deepEqual(result.executedNodes, ["flow", "a", "b", "inner", "c"]);
  assert.ok(events.length >= 5, `${events.length} events`);
  for (const event of events) {
    assert.equal(event.valid, true, "isValidProgressEvent");
    assert.equal(event.executionId, "exec-progress");
  }
  const progress = events.map((event) => event.progress);
  assert.deepEqual(
    progress,
    [...progress].sort((x, y) => x - y),
    "never decreasing on success",
  );
  const last = events.at(-1);
  assert.equal(last.progress, 100);
  assert.equal(last.message, "All nodes completed");
  assert.deepEqual(
    last.nodes.map((node) => [node.id, node.state]),
    [
      ["a", "completed"],
      ["b", "completed"],
      ["inner", "completed"],
      ["c", "completed"],
    ],
  );
  assert.deepEqual([last.nodes[3].parentId, last.nodes[3].depth], ["inner", 2], "nested children appear");
  assert.deepEqual(last.graph.executionOrder, [["a"], ["b"], ["inner"]]);
  for (const id of ["a", "b", "c"]) {
    assert.ok(
      events.some((event) => event.nodes.find((node) => node.id === id).state === "executing"),
      `${id} was seen executing`,
    );
  }
  assert.ok(events.some((event) => event.message === "Executing: First" && event.nodeId === "a"));
  assert.deepEqual(states.at(-1), { isMap: true, cachedProgress: 100, executionId: "exec-progress" });
  assert.deepEqual(log, [
    ["started", "exec-progress", "flow"],
    ["node.complete", "exec-progress", "flow"],
    ["completed", "exec-progress", true],
  ]);
}

/**
 * `node.store`: its state after a run nobody watched, and every change a subscriber is told of
 * (read from the engine when asked; in worker mode it follows the runs' progress snapshots).
 */
export async function store(mod) {
  const flow = {
    id: "flow",
    type: "group",
    nodes: ["a", "b", "c"].map((id) => ({ id, type: "transform", parameters: id === "a" ? { data: [1, 2] } : {} })),
    edges: [
      { id: "e1", source: "a", target: "b" },
      { id: "e2", source: "b", target: "c" },
    ],
  };
  const summary = (state) => ({
    executionId: state.executionId,
    isExecuting: state.isExecuting,
    cachedProgress: state.cachedProgress,
    nodes: [...state.nodes.values()].map((n) => `${n.id}:${n.state}`),
  });
  const plain = mod.createConductor({ storage: { type: "memory" } });
  const initial = summary(plain.node.store.getState());
  await plain.node.run(flow, { executionId: "store-default" });
  const afterDefault = summary(plain.node.store.getState());
  const editor = mod.createConductor({ storage: { type: "memory" } });
  const transitions = [];
  const unsubscribe = editor.node.store.subscribe((state, previous) => {
    for (const [id, node] of state.nodes) if (previous.nodes.get(id)?.state !== node.state) transitions.push(`${id}:${node.state}`);
  });
  await editor.node.run(flow, { executionId: "store-editor" });
  unsubscribe();
  await editor.node.run(flow, { executionId: "store-editor-unwatched" });
  const afterEditor = summary(editor.node.store.getState());
  const trace = editor.node.store.getTrace();
  editor.node.store.reset();
  return {
    initial,
    afterDefault,
    transitions,
    afterEditor,
    traceId: trace?.executionId,
    afterReset: summary(editor.node.store.getState()),
  };
}

export function checkStore(r) {
  const done = ["a:completed", "b:completed", "c:completed"];
  assert.deepEqual(r.initial, { executionId: "", isExecuting: false, cachedProgress: 0, nodes: [] });
  assert.deepEqual(r.afterDefault, { executionId: "store-default", isExecuting: false, cachedProgress: 100, nodes: done });
  assert.deepEqual(r.transitions, [
    "a:pending",
    "b:pending",
    "c:pending",
    "a:executing",
    "a:completed",
    "b:executing",
    "b:completed",
    "c:executing",
    "c:completed",
  ]);
  assert.deepEqual(r.afterEditor, { executionId: "store-editor-unwatched", isExecuting: false, cachedProgress: 100, nodes: done });
  assert.equal(r.traceId, "store-editor-unwatched");
  assert.deepEqual(r.afterReset, { executionId: "", isExecuting: false, cachedProgress: 0, nodes: [] });
}

/** `node.cancel` and an `AbortSignal` stop a run whose JS executor waits on its `signal`. */
export async function cancellation(mod) {
  const log = [];
  let announce = () => {};
  const factory = {
    getNodeExecutable: (type) =>
      type === "wait"
        ? {
            execute: (params) =>
              new Promise((resolve) => {
                log.push(`start ${params.nodeId}`);
                // Only if cancellation fails, an hour later: the run then succeeds, and the checks
                // say so (the test runner's timeout reports the hang first).
                const fallback = setTimeout(() => {
                  log.push(`not aborted ${params.nodeId}`);
                  resolve("not aborted");
                }, 3_600_000);
                params.signal.addEventListener("abort", () => {
                  clearTimeout(fallback);
                  log.push(`abort ${params.nodeId}`);
                  resolve("aborted");
                });
                announce(params.nodeId);
              }),
          }
        : undefined,
  };
  const c = mod.createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  const chain = {
    id: "chain",
    type: "group",
    nodes: [
      { id: "a", type: "wait" },
      { id: "b", type: "wait" },
    ],
    edges: [{ id: "e", source: "a", target: "b" }],
  };
  const summary = (result) => ({
    success: result.success,
    code: result.error?.code,
    message: result.error?.message,
    executedNodes: result.executedNodes,
  });
  const started = () => new Promise((resolve) => (announce = resolve));

  let running = started();
  const byCancel = c.node.run(chain, { executionId: "to-cancel" });
  await running;
  const cancelled = await c.node.cancel("to-cancel");
  const cancelResult = summary(await byCancel);
  const cancelLog = log.splice(0);

  running = started();
  const controller = new AbortController();
  const bySignal = c.node.run(chain, { signal: controller.signal });
  await running;
  controller.abort();
  const signalResult = summary(await bySignal);
  const signalLog = log.splice(0);

  const aborted = new AbortController();
  aborted.abort();
  const alreadyAborted = summary(await c.node.run(chain, { signal: aborted.signal }));
  const unknown = await c.node.cancel("no-such-run");
  const afterwards = summary(await c.node.run({ id: "t", type: "transform", parameters: { data: [1] } }));
  return { cancelled, cancelResult, cancelLog, signalResult, signalLog, alreadyAborted, unknown, afterwards, lateLog: log };
}

export function checkCancellation(r) {
  const cancelled = { success: false, code: "CANCELLED", message: "Execution cancelled", executedNodes: [] };
  assert.equal(r.cancelled, true, "node.cancel finds the running execution");
  assert.deepEqual(r.cancelResult, cancelled);
  assert.deepEqual(r.cancelLog, ["start a", "abort a"], "the running executor saw abort and nothing more started");
  assert.deepEqual(r.signalResult, cancelled);
  assert.deepEqual(r.signalLog, ["start a", "abort a"]);
  assert.equal(r.alreadyAborted.code, "CANCELLED");
  assert.equal(r.unknown, false);
  assert.deepEqual(r.afterwards.success, true, "the conductor keeps working");
  assert.deepEqual(r.lateLog, [], "nothing ran after the runs ended");
}

/** Custom node types from `nodeExecutorFactory`, with built-ins as the fallback. */
export async function customExecutors(mod) {
  const seen = [];
  const factory = {
    getNodeExecutable: (type) => {
      if (type === "greet") {
        return {
          execute: (params) => {
            seen.push({
              keys: Object.keys(params).sort(),
              nodeId: params.nodeId,
              executionId: params.executionId,
              variables: params.variables,
              name: params.name,
              signal: params.signal instanceof AbortSignal,
            });
            return { greeting: `Hello, ${params.name}` };
          },
        };
      }
      if (type === "shout") return { execute: async (params) => String(params.input.default.greeting).toUpperCase() };
      if (type === "numbers") return { execute: () => [1, 2, 3] };
      if (type === "boom")
        return {
          execute: () => {
            throw new Error("kaput");
          },
        };
      return undefined;
    },
  };
  const c = mod.createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  const summary = (result) => ({
    success: result.success,
    data: result.data,
    executedNodes: result.executedNodes,
    error: result.error && { code: result.error.code, message: result.error.message, nodeId: result.error.nodeId },
  });
  const greeting = await c.node.run(
    {
      id: "g",
      type: "group",
      nodes: [
        { id: "greet", type: "greet", parameters: { name: "Ada" } },
        { id: "shout", type: "shout" },
      ],
      edges: [{ id: "e", source: "greet", target: "shout" }],
    },
    { executionId: "exec-custom", variables: { who: "tester" } },
  );
  const mixed = await c.node.run({
    id: "m",
    type: "group",
    nodes: [
      { id: "numbers", type: "numbers" },
      { id: "double", type: "transform", parameters: { operation: "map", transformFunction: "x => x * 2" } },
    ],
    edges: [{ id: "e", source: "numbers", target: "double", targetHandle: "data" }],
  });
  const failing = await c.node.run({
    id: "f",
    type: "group",
    nodes: [
      { id: "ok", type: "numbers" },
      { id: "x", type: "boom" },
    ],
    edges: [{ id: "e", source: "ok", target: "x" }],
  });
  const unknown = await c.node.run({ id: "u", type: "not-provided" });
  return { greeting: summary(greeting), mixed: summary(mixed), failing: summary(failing), unknown: summary(unknown), seen };
}

export function checkCustomExecutors(r) {
  assert.deepEqual(r.greeting, { success: true, data: "HELLO, ADA", executedNodes: ["g", "greet", "shout"], error: undefined });
  assert.deepEqual(r.seen, [
    {
      keys: ["executionId", "input", "name", "nodeId", "parentContext", "signal", "variables"],
      nodeId: "greet",
      executionId: "exec-custom",
      variables: { who: "tester" },
      name: "Ada",
      signal: true,
    },
  ]);
  assert.equal(r.mixed.success, true, JSON.stringify(r.mixed.error));
  assert.deepEqual(r.mixed.data.result, [2, 4, 6], "a built-in transform takes a custom node's output");
  assert.deepEqual(r.failing.error, { code: "EXECUTION_FAILED", message: "kaput", nodeId: "x" });
  assert.deepEqual(r.failing.executedNodes, ["ok", "x"]);
  assert.equal(r.unknown.error.code, "NODE_TYPE_NOT_FOUND");
}

/** Native-only node types fail validation by name, before anything runs. */
export async function nativeOnlyNodes(mod) {
  const ran = [];
  const c = mod.createConductor({ storage: { type: "memory" }, progressThrottle: 0 });
  c.node.onProgress((event) => ran.push(...event.nodes.filter((node) => node.state !== "pending").map((node) => node.id)));
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "numbers", type: "transform", parameters: { data: [1] } },
      { id: "reader", type: "file-system", parameters: { operation: "read", path: "/etc/hostname" } },
      { id: "sh", type: "shell-command", parameters: { program: "echo", args: ["hi"] } },
    ],
    edges: [{ id: "e", source: "numbers", target: "reader" }],
  };
  const result = await c.node.run(flow);
  const validation = await c.node.validate(flow);
  const issue = (i) => ({ code: i.code, nodeId: i.nodeId, message: i.message });
  return {
    result: {
      success: result.success,
      code: result.error?.code,
      message: result.error?.message,
      nodeId: result.error?.nodeId,
      issues: (result.error?.context?.issues ?? []).map(issue),
      executedNodes: result.executedNodes,
    },
    validation: { valid: validation.valid, errors: validation.errors, issues: validation.issues.map(issue) },
    ran,
  };
}

export function checkNativeOnlyNodes(r) {
  const issues = [
    {
      code: "IMPLEMENTATION_NOT_FOUND",
      nodeId: "reader",
      message: "Node 'reader' (file-system) needs a file system, which this environment does not provide",
    },
    {
      code: "IMPLEMENTATION_NOT_FOUND",
      nodeId: "sh",
      message: "Node 'sh' (shell-command) needs process spawning, which this environment does not provide",
    },
  ];
  assert.deepEqual(r.result, {
    success: false,
    code: "IMPLEMENTATION_NOT_FOUND",
    message: issues[0].message,
    nodeId: "reader",
    issues,
    executedNodes: ["g"],
  });
  assert.deepEqual(r.validation, { valid: false, errors: issues.map((i) => `g/${i.nodeId}: ${i.message}`), issues });
  assert.deepEqual(r.ran, [], "no node ran");
}

/**
 * A `python` node in a page: both modules (the editor module through a config with `cache`, which
 * loads it without recording runs) know the type and refuse it for want of an interpreter.
 * Neither runs anything.
 */
export async function pythonNodes(mod) {
  const flow = { id: "p", type: "python", parameters: { code: "def main(data):\n    return 1\n" } };
  const answer = async (c) => {
    const result = await c.node.run(flow);
    const validation = await c.node.validate(flow);
    return { code: result.error?.code, message: result.error?.message, valid: validation.valid, errors: validation.errors };
  };
  const base = mod.createConductor({ storage: { type: "memory" } });
  const editor = mod.createConductor({ storage: { type: "memory" }, cache: true });
  return { base: await answer(base), editor: await answer(editor) };
}

export function checkPythonNodes(r) {
  const lacking =
    "Node 'p' (python) needs a Python interpreter (Python nodes run in Node.js, with python3 on the PATH or the conductor's python.interpreter), which this environment does not provide";
  assert.deepEqual(r.base, { code: "IMPLEMENTATION_NOT_FOUND", message: lacking, valid: false, errors: [lacking] });
  assert.deepEqual(r.editor, { code: "IMPLEMENTATION_NOT_FOUND", message: lacking, valid: false, errors: [lacking] });
}

/**
 * A `database` node and `conductor.credentials` in a page, on both modules: the node is refused
 * at validation, saying to run the flow on a native conductor. The default module keeps no
 * credentials; the editor module keeps them in memory (for the `llm` node). Nothing runs.
 */
export async function databaseNodes(mod) {
  const flow = { id: "db", type: "database", parameters: { credential: "warehouse", query: "SELECT 1" } };
  const answer = async (c) => {
    const result = await c.node.run(flow);
    const validation = await c.node.validate(flow);
    const credentials = await c.credentials.list().then(
      () => "kept",
      (error) => error.code,
    );
    return { code: result.error?.code, message: result.error?.message, valid: validation.valid, credentials };
  };
  const base = mod.createConductor({ storage: { type: "memory" } });
  const editor = mod.createConductor({ storage: { type: "memory" }, cache: true });
  return { base: await answer(base), editor: await answer(editor) };
}

export function checkDatabaseNodes(r) {
  const lacking =
    "Node 'db' (database) needs a database client (run the flow on a native conductor, e.g. a remote one), which this environment does not provide";
  const refused = { code: "IMPLEMENTATION_NOT_FOUND", message: lacking, valid: false, credentials: "IMPLEMENTATION_NOT_FOUND" };
  assert.deepEqual(r.base, refused);
  assert.deepEqual(r.editor, { ...refused, credentials: "kept" });
}

/**
 * An `llm` node in a page: the default module refuses it at validation, saying where it runs;
 * the editor module (`history: true`) keeps the credential the page sets, in memory, and runs
 * the node through the page's `fetch` against the model server at `url`, its progress showing
 * the answer's text.
 */
export async function llmNodes(mod, url) {
  const node = { id: "ask", type: "llm", parameters: { credential: "local", prompt: "Say hello", temperature: 0, maxTokens: 8 } };
  const base = mod.createConductor({ storage: { type: "memory" } });
  const refused = await base.node.run(node);
  const editor = mod.createConductor({ storage: { type: "memory" }, history: true, progressThrottle: 0 });
  await editor.credentials.set("local", { type: "openai", baseUrl: url, model: "smollm2", apiKey: "sk-page" });
  const texts = [];
  editor.node.onProgress((event) => texts.push(...event.nodes.filter((n) => n.text !== undefined).map((n) => n.text)));
  const ran = await editor.node.run(node);
  const lastText = texts.at(-1);
  // A saved flow as a tool, the model made to call it.
  await editor.storage.saveFlow({
    id: "weather",
    type: "group",
    nodes: [{ id: "say", type: "transform", parameters: { dataPath: "cities", transformFunction: "c => c + ' is sunny'" } }],
    edges: [],
  });
  const cities = {
    type: "object",
    properties: { cities: { type: "array", items: { type: "string" }, minItems: 1, maxItems: 2 } },
    required: ["cities"],
  };
  const tools = [{ flowId: "weather", parameters: cities }];
  const tooled = await editor.node.run({
    ...node,
    parameters: { ...node.parameters, prompt: "What is the weather in Oslo?", maxTokens: 40, tools, toolChoice: "weather" },
  });
  return {
    refused: { code: refused.error?.code, message: refused.error?.message },
    ran: { success: ran.success, text: ran.data?.text, model: ran.data?.model, error: ran.error?.message },
    lastText,
    tool: { success: tooled.success, error: tooled.error?.message, call: tooled.data?.toolCalls?.[0] },
    listed: await editor.credentials.list(),
  };
}

export function checkLlmNodes(r) {
  assert.deepEqual(r.refused, {
    code: "IMPLEMENTATION_NOT_FOUND",
    message:
      "Node 'ask' (llm) needs a language-model client (the native conductor, or in a browser the editor module: createConductor({ history: true })), which this environment does not provide",
  });
  assert.equal(r.ran.success, true, r.ran.error);
  assert.equal(r.ran.model, "smollm2");
  assert.ok(r.ran.text.length > 0, "an answer came");
  assert.equal(r.lastText, r.ran.text, "progress showed the answer");
  assert.equal(r.tool.success, true, r.tool.error);
  assert.equal(r.tool.call.flowId, "weather");
  assert.deepEqual(
    r.tool.call.output.result,
    r.tool.call.arguments.cities.map((c) => `${c} is sunny`),
    "the tool's flow ran in the page on the model's arguments",
  );
  assert.deepEqual(r.listed, [{ name: "local", type: "openai" }]);
}

/**
 * WebAssembly plugins in a page (the editor module, which a config with `plugins` loads): the
 * fixtures' outputs, and the sandbox's coded errors. `modules`: the fixtures' bytes as base64.
 */
export async function plugins(mod, modules) {
  const bytes = (base64) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const textStats = bytes(modules.textStats);
  const c = mod.createConductor({
    storage: { type: "memory" },
    plugins: {
      "text-stats": { wasm: textStats, config: { greeting: "hello" } },
      vowels: { wasm: bytes(modules.vowels).buffer, config: { label: "as" } },
      spin: { wasm: textStats, function: "spin", fuel: 20_000_000 },
      hog: { wasm: textStats, function: "hog", memoryLimit: 16 * 1024 * 1024 },
      fetch: { wasm: textStats, function: "fetch" },
    },
  });
  const run = async (conductor, type, data) => {
    const result = await conductor.node.run({ id: "p", type, parameters: { data } });
    return result.success ? { data: result.data } : { code: result.error.code, message: result.error.message };
  };
  const byPath = mod.createConductor({ storage: { type: "memory" }, plugins: { x: { wasm: "plugins/x.wasm" } } });
  return {
    stats: await run(c, "text-stats", { text: "The quick brown fox jumps over the lazy dog" }),
    vowels: await run(c, "vowels", "Programming in AssemblyScript"),
    spin: await run(c, "spin", "x"),
    hog: await run(c, "hog", "x"),
    fetch: await run(c, "fetch", "x"),
    byPath: await run(byPath, "x", "x").catch((error) => ({ code: error.code, message: error.message })),
  };
}

export function checkPlugins(r) {
  // What the native engine gives (npm/test/plugins.test.mjs), bit for bit.
  assert.deepEqual(r.stats, { data: { words: 9, vowels: 11, longest: "jumps", meanWordLength: 35 / 9, greeting: "hello", calls: 1 } });
  assert.deepEqual(r.vowels, { data: { vowels: 7, length: 31, label: "as", language: "AssemblyScript" } });
  assert.deepEqual(r.spin, {
    code: "EXECUTION_FAILED",
    message: "[spin] the plugin used its whole fuel (20000000 units) without returning",
  });
  assert.equal(r.hog.code, "MEMORY_LIMIT_EXCEEDED");
  assert.equal(r.fetch.code, "PERMISSION_DENIED");
  assert.equal(r.byPath.code, "VALIDATION_FAILED");
  assert.match(r.byPath.message, /a path is read only in Node/);
}

/**
 * A Rust panic traps the module, which all conductors of the page share: `INTERNAL_ERROR` for
 * the run that panicked and for another conductor's run in flight, then a fresh instance runs
 * the next flows of both.
 */
export async function panicRecovery(mod) {
  const c = mod.createConductor({ storage: { type: "memory" } });
  const other = mod.createConductor({ storage: { type: "memory" } });
  const flow = {
    id: "g",
    type: "group",
    nodes: [
      { id: "a", type: "transform", parameters: { data: [1, 2] } },
      { id: "b", type: "transform", parameters: { operation: "map", transformFunction: "x => x + 1" } },
    ],
    edges: [{ id: "e", source: "a", target: "b", targetHandle: "data" }],
  };
  const summary = (result) => ({
    success: result.success,
    code: result.error?.code,
    message: result.error?.message,
    data: result.data?.result,
    executedNodes: result.executedNodes,
  });
  const before = summary(await c.node.run(flow));
  const panics = [];
  const after = [];
  const parsed = [];
  const otherInFlight = [];
  const otherAfter = [];
  for (let i = 0; i < 2; i++) {
    await other.ready;
    // Paced by timers, so it is still running when the panic comes.
    const inFlight = other.node.run(flow, { slowMo: 50 });
    panics.push(summary(await c.node.run(flow, { debug: { simulatePanic: { nodeId: "b" } } })));
    otherInFlight.push(summary(await inFlight));
    // The synchronous helpers work again once `ready` (now the replacement's) resolves.
    await c.ready;
    parsed.push(c.formats.parseFlow('{"id": "p", "type": "transform"}'));
    after.push(summary(await c.node.run(flow)));
    otherAfter.push(summary(await other.node.run(flow, { slowMo: 5 })));
  }
  return { before, panics, after, parsed, otherInFlight, otherAfter };
}

export function checkPanicRecovery(r) {
  assert.deepEqual(r.before, { success: true, code: undefined, message: undefined, data: [2, 3], executedNodes: ["g", "a", "b"] });
  for (const panic of r.panics) {
    assert.equal(panic.success, false);
    assert.equal(panic.code, "INTERNAL_ERROR");
    assert.match(panic.message, /internal error/i);
  }
  assert.deepEqual(r.after, [r.before, r.before], "the same conductor runs the next flow");
  assert.deepEqual(r.parsed, [
    { id: "p", type: "transform" },
    { id: "p", type: "transform" },
  ]);
  for (const inFlight of r.otherInFlight) {
    assert.deepEqual(
      [inFlight.success, inFlight.code],
      [false, "INTERNAL_ERROR"],
      "another conductor's run on the trapped instance ends too",
    );
  }
  assert.deepEqual(r.otherAfter, [r.before, r.before], "and that conductor runs its next flow (timers included) on the fresh instance");
}

/**
 * Execution history in the browser entry: off by default (the base module), on with
 * `history: true` (the module with history): records that match results, a retry from the
 * failed node that does not call upstream executors again, pruning, hostile ids.
 */
export async function history(mod) {
  const calls = {};
  const broken = new Set(["b"]);
  const factory = {
    getNodeExecutable: (type) =>
      type === "count"
        ? {
            execute: (p) => {
              calls[p.nodeId] = (calls[p.nodeId] ?? 0) + 1;
              if (broken.has(p.nodeId)) throw new Error(`${p.nodeId} is broken`);
              return (typeof p.input?.default === "number" ? p.input.default : 0) + p.k;
            },
          }
        : undefined,
  };
  const flow = {
    id: "chain",
    type: "group",
    nodes: [
      { id: "a", type: "count", parameters: { k: 1 } },
      { id: "b", type: "count", parameters: { k: 10 } },
      { id: "c", type: "count", parameters: { k: 100 } },
    ],
    edges: [
      { id: "e1", source: "a", target: "b" },
      { id: "e2", source: "b", target: "c" },
    ],
  };
  const plain = mod.createConductor({ storage: { type: "memory" } });
  let withoutHistory;
  try {
    await plain.executions.list();
  } catch (error) {
    withoutHistory = { code: error.code, message: error.message };
  }
  const c = mod.createConductor({ history: true, nodeExecutorFactory: factory });
  const failed = await c.node.run(flow, { executionId: "browser-failed-1", input: { default: 0 } });
  const record = await c.executions.get("browser-failed-1");
  broken.clear();
  const before = { ...calls };
  const retried = await c.executions.retry("browser-failed-1");
  const page = await c.executions.list({ flowId: "chain" });
  const newest = await c.executions.get(page.executions[0].id);
  let hostile;
  try {
    await c.executions.get("../../etc");
  } catch (error) {
    hostile = error.code;
  }
  return {
    withoutHistory,
    failed: { success: failed.success, code: failed.error?.code },
    record: { status: record.status, nodes: record.nodes.map((n) => [n.nodeId, n.state, n.output ?? null]) },
    retried: { success: retried.success, data: retried.data },
    calledAgain: Object.fromEntries(Object.keys(calls).map((id) => [id, calls[id] - (before[id] ?? 0)])),
    newest: { retryOf: newest.retryOf, reused: newest.nodes.filter((n) => n.reused).map((n) => n.nodeId) },
    total: page.total,
    hostile,
  };
}

export function checkHistory(r) {
  assert.equal(r.withoutHistory.code, "VALIDATION_FAILED");
  assert.match(r.withoutHistory.message, /not available in this build/);
  assert.deepEqual(r.failed, { success: false, code: "EXECUTION_FAILED" });
  assert.deepEqual(r.record, {
    status: "failed",
    nodes: [
      ["a", "completed", 1],
      ["b", "error", null],
    ],
  });
  assert.deepEqual(r.retried, { success: true, data: 111 });
  assert.deepEqual(r.calledAgain, { a: 0, b: 1, c: 1 }, "a succeeded before: its recorded output is reused");
  assert.deepEqual(r.newest, { retryOf: "browser-failed-1", reused: ["a"] });
  assert.ok(r.total >= 2);
  assert.equal(r.hostile, "VALIDATION_FAILED");
}

/**
 * The debugging loop: pinned outputs, a run to a node, a breakpoint then a step then resume,
 * paused time outside the run's timeout, cancelling a paused run, control calls for a run that
 * does not exist. Conductors come from `mod.createConductor`: one with `debugging: true` (which
 * earlier versions needed in a browser, and which there now loads the editor module), and one
 * without: both debug.
 * Nodes of
 * type `add` add their parameter `k` to their input and log their id in `globalThis.__debugCalls`
 * (a server in the same process logs there too).
 */
export async function debugging(mod) {
  const calls = (globalThis.__debugCalls ??= []);
  const factory = {
    getNodeExecutable: (type) =>
      type === "add"
        ? {
            execute: (p) => {
              globalThis.__debugCalls.push(p.nodeId);
              return (typeof p.input?.default === "number" ? p.input.default : 0) + p.k;
            },
          }
        : undefined,
  };
  const conductor = mod.createConductor({ storage: { type: "memory" }, debugging: true, nodeExecutorFactory: factory });
  const plain = mod.createConductor({ storage: { type: "memory" }, nodeExecutorFactory: factory });
  const flow = {
    id: "dbg",
    type: "group",
    nodes: [
      { id: "a", type: "add", parameters: { k: 1 } },
      { id: "b", type: "add", parameters: { k: 10 } },
      { id: "c", type: "add", parameters: { k: 100 } },
      { id: "d", type: "add", parameters: { k: 1000 } },
    ],
    edges: [
      { id: "e1", source: "a", target: "b" },
      { id: "e2", source: "b", target: "c" },
      { id: "e3", source: "c", target: "d" },
    ],
  };
  const run = async (options, onPaused, on = conductor) => {
    calls.length = 0;
    const pauses = [];
    const off = on.node.onPaused((event) => {
      pauses.push({ nodeId: event.nodeId, input: event.input, ranBefore: [...calls] });
      onPaused?.(event);
    });
    try {
      const result = await on.node.run(flow, options);
      return {
        success: result.success,
        data: result.data,
        code: result.error?.code,
        message: result.error?.message,
        calls: [...calls],
        pauses,
      };
    } finally {
      off();
    }
  };
  const withoutDebugging = await run({ breakpoints: ["c"] }, (event) => void plain.node.resume(event.executionId), plain);
  const pinned = await run({ pinned: { b: 50 } });
  const runTo = await run({ runTo: "b" });
  const stepped = await run({ executionId: "dbg-step", breakpoints: ["b"] }, (event) => {
    void (event.nodeId === "b" ? conductor.node.step(event.executionId) : conductor.node.resume(event.executionId));
  });
  // Paused for 3 s under a 1 s timeout: four quick nodes take a few ms of it (a hundredth of the
  // margin on a busy machine), and the pause alone is three times the timeout.
  const paused = await run({ breakpoints: ["c"], timeout: 1000 }, (event) => {
    setTimeout(() => void conductor.node.resume(event.executionId), 3000);
  });
  const cancelled = await run({ breakpoints: ["c"] }, (event) => void conductor.node.cancel(event.executionId));
  const noSuchRun = [
    await conductor.node.pause("exec_none"),
    await conductor.node.resume("exec_none"),
    await conductor.node.step("exec_none"),
  ];
  for (const c of [conductor, plain]) await c.shutdown?.();
  return { withoutDebugging, pinned, runTo, stepped, paused, cancelled, noSuchRun };
}

/** Every engine debugs, the browser's default module included, with or without `debugging`. */
export function checkDebugging(r) {
  assert.deepEqual(
    [r.withoutDebugging.success, r.withoutDebugging.pauses.map((p) => p.nodeId)],
    [true, ["c"]],
    "debugging needs no option",
  );
  assert.deepEqual([r.pinned.success, r.pinned.data, r.pinned.calls], [true, 1150, ["a", "c", "d"]], "b is pinned at 50: it never runs");
  assert.deepEqual([r.runTo.success, r.runTo.data, r.runTo.calls], [true, 11, ["a", "b"]], "run to b: a and b only, data is b's output");
  assert.deepEqual(
    r.stepped.pauses,
    [
      { nodeId: "b", input: { default: 1 }, ranBefore: ["a"] },
      { nodeId: "c", input: { default: 11 }, ranBefore: ["a", "b"] },
    ],
    "paused before b with a's output; a step ran b and paused before c",
  );
  assert.deepEqual([r.stepped.success, r.stepped.data, r.stepped.calls], [true, 1111, ["a", "b", "c", "d"]]);
  assert.deepEqual(
    [r.paused.success, r.paused.data, r.paused.pauses.length],
    [true, 1111, 1],
    `paused time does not count towards the timeout: ${r.paused.message}`,
  );
  assert.deepEqual(
    [r.cancelled.success, r.cancelled.code, r.cancelled.calls],
    [false, "CANCELLED", ["a", "b"]],
    "cancelled while paused before c",
  );
  assert.deepEqual(r.noSuchRun, [false, false, false]);
}
