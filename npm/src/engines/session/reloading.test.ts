/**
 * Unit tests of `ReloadingEngine`: calls made before a session is loaded wait for it and then go
 * to it, the synchronous catalog and format helpers throw until `ready` resolves, a failed load
 * is reported by `ready` and by the calls that waited (and by nothing else: no unhandled
 * rejection, no second load), a trap ends the trapped session's pending runs with
 * `INTERNAL_ERROR` and one fresh session takes the next calls, and `close` frees the session and
 * loads no other.
 *
 * What stands in: the loader is the test's (each load waits until the test gives it a session or
 * a failure); the module under each session is a script (`scriptedModule`: its `SessionHandle`
 * and catalog functions answer with the session's name, and runs finish when the test says);
 * the shared module instance whose trap every session on it hears is a stand-in with the
 * contract of `wasm/load.ts`'s. The `SessionEngine` glue over the script is the real one, so the
 * `INTERNAL_ERROR` results are what a trapped session really gives. Nothing here waits for real
 * time: `settle` waits one turn of the event loop, for promises only.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { WireRunOptions } from "../../conductor/engine.js";
import type { NodeDefinition } from "../../types/definition.js";
import type { NodeExecutorFactory } from "../../types/execution.js";
import type { WireEvent, WireResult } from "../../types/wire.js";
import type { FullCatalog } from "./catalog.js";
import { SessionEngine } from "./engine.js";
import { STATUS_COMPLETED, STATUS_EVENTS, type SessionHandle } from "./handle.js";
import type { FinishedRun } from "./methods.generated.js";
import { ReloadingEngine, type LoadedSession } from "./reloading.js";

const FLOW = { id: "f", type: "group", nodes: [] } as unknown as NodeDefinition;
const options = (executionId: string) => ({ executionId, customTypes: [], events: true }) as unknown as WireRunOptions;

/** Every pending promise callback and microtask has run (one turn of the event loop; no timing). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Whether `promise` has settled yet (after `settle`). */
function tracked(promise: Promise<unknown>) {
  const state = { done: false };
  promise.then(
    () => (state.done = true),
    () => (state.done = true),
  );
  return state;
}

/** `promise`'s outcome, which must be there after `settle`: a hang fails here, not at the runner's timeout. */
async function promptly<T>(promise: Promise<T>): Promise<T> {
  const state = tracked(promise);
  await settle();
  assert.ok(state.done, "settled within a turn of the event loop");
  return promise;
}

/** An answer text `{ok: true, value}`. */
const ok = (value: unknown) => JSON.stringify({ ok: true, value });

/**
 * The module under one session, scripted: every answer names the session (`name`), runs stay
 * pending until `finish`, `emit` makes events wait, and `trapOnRun` makes `run` trap.
 */
function scriptedModule(name: string, delay: number) {
  const started = new Map<string, number>();
  const completed: FinishedRun[] = [];
  let events: WireEvent[] = [];
  let notify = () => {};
  const script = {
    /** Every session method called on this module, in order. */
    log: [] as string[],
    trapOnRun: false,
    finish(executionId: string, data: unknown) {
      const runId = started.get(executionId);
      assert.ok(runId !== undefined, `${executionId} was started on ${name}`);
      const result: WireResult = { success: true, data, duration: 0, executedNodes: [] } as unknown as WireResult;
      completed.push({ runId, result: JSON.stringify(result), buffers: [] });
      notify();
    },
    /** Events wait in the module; `wake` has the session collect them at once. */
    emit(waiting: WireEvent[], wake = true) {
      events = events.concat(waiting);
      if (wake) notify();
    },
  };
  const answer = (method: string, arg: string) => {
    script.log.push(method);
    return Promise.resolve(ok(`${name} ${method} ${arg}`));
  };
  const handle = {
    setNotifier: (n: () => void) => void (notify = n),
    drive: () => (completed.length > 0 ? STATUS_COMPLETED : 0) | (events.length > 0 ? STATUS_EVENTS : 0),
    run(_runId: number, _flow: string, optionsJson: string) {
      script.log.push("run");
      if (script.trapOnRun) throw new WebAssembly.RuntimeError("unreachable executed");
      started.set((JSON.parse(optionsJson) as { executionId: string }).executionId, _runId);
      return 0;
    },
    takeCompleted: () => completed.splice(0),
    takeEvents() {
      const text = JSON.stringify(events);
      events = [];
      return text;
    },
    takeCalls: () => "[]",
    takeCallBuffers: () => [],
    resolveCalls: () => 0,
    takeTrace: () => null,
    dropTrace: () => {},
    cancel: (id: string) => (script.log.push("cancel"), id === "known"),
    controlRun: (id: string, command: string) => (script.log.push(`controlRun ${command}`), id === "known"),
    validate: (_flow: string, customTypes: string) => answer("validate", customTypes),
    saveFlow: (flow: string) => answer("saveFlow", (JSON.parse(flow) as { id: string }).id),
    loadFlow: (id: string) => answer("loadFlow", id),
    listFlows: (optionsJson: string) => answer("listFlows", optionsJson),
    deleteFlow: (id: string) => answer("deleteFlow", id),
    executions: (call: string, arg: string) => answer(`executions ${call}`, arg),
    cache: (call: string, arg: string) => answer(`cache ${call}`, arg),
    triggers: (call: string, arg: string) => answer(`triggers ${call}`, arg),
    credentials: (call: string, arg: string) => answer(`credentials ${call}`, arg),
  };
  const catalog = {
    nodeDefinitions: () => ok([`${name} node`]),
    nodeDefinition: (type: string) => ok(`${name} ${type}`),
    nodeDefinitionsByCategory: () => ok([{ name, title: name, items: [] }]),
    listTemplates: () => ok({ templates: [`${name} template`] }),
    getTemplate: (id: string) => ok(`${name} template ${id}`),
    parseFlow: (text: string) => ok({ id: `${name} ${text}` }),
    flowToYaml: (flow: string) => ok(`${name} yaml ${(JSON.parse(flow) as { id: string }).id}`),
    recoveryTable: () => "",
    engineVersion: () => "test",
    retryDelay: (attempt: string) => ok(delay + Number(attempt)),
    executionId: (given: string) => `${name} ${given || "made"}`,
    readsTables: () => false,
  };
  return { script, handle: handle as unknown as SessionHandle, catalog: catalog as unknown as FullCatalog };
}

/** A module instance the sessions on it share: a trap in any one is heard once by every one. */
function sharedInstance() {
  const listeners = new Set<(error: unknown) => void>();
  let dead = false;
  return {
    onTrap: (listener: (error: unknown) => void) => void listeners.add(listener),
    trapped(error: unknown) {
      if (dead) return;
      dead = true;
      for (const listener of listeners) listener(error);
      listeners.clear();
    },
  };
}

/** A session as the in-page loader makes one: the real `SessionEngine` over a scripted module. */
function session(name: string, delay: number) {
  const { script, handle, catalog } = scriptedModule(name, delay);
  const instance = sharedInstance();
  const engine = new SessionEngine("wasm", handle, catalog, {
    holdEventLoop: false,
    deferNotify: true,
    onTrap: (error) => instance.trapped(error),
  });
  const seen = { freed: 0, factories: [] as Array<NodeExecutorFactory | undefined> };
  // What the reloading engine tells the session about executors (the factory itself is the session's business).
  const setFactory = engine.setExecutorFactory.bind(engine);
  engine.setExecutorFactory = (factory) => {
    seen.factories.push(factory);
    setFactory(factory);
  };
  const loaded: LoadedSession = {
    engine,
    onTrap: (listener) => instance.onTrap(listener),
    free: () => {
      seen.freed++;
      engine.close();
    },
  };
  return { name, script, engine, instance, seen, loaded };
}

type Session = ReturnType<typeof session>;

/** A loader whose loads wait until the test gives each one a session (`s1`, `s2`...) or a failure. */
function loader() {
  const waiting: Array<{ resolve: (loaded: LoadedSession) => void; reject: (error: unknown) => void }> = [];
  let loads = 0;
  return {
    load: () => {
      loads++;
      return new Promise<LoadedSession>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    /** How many loads were started. */
    loads: () => loads,
    /** Ends the oldest waiting load with a fresh session. */
    give(): Session {
      const load = waiting.shift();
      assert.ok(load, "a load is waiting");
      const made = session(`s${loads}`, loads * 1000);
      load.resolve(made.loaded);
      return made;
    },
    fail(error: Error): void {
      const load = waiting.shift();
      assert.ok(load, "a load is waiting");
      load.reject(error);
    },
  };
}

/** The synchronous helpers, each called once. */
function helpers(engine: ReloadingEngine) {
  return [
    () => engine.nodeDefinitions(),
    () => engine.nodeDefinition("http"),
    () => engine.nodeDefinitionsByCategory(),
    () => engine.parseFlow("text", { format: "yaml" }),
    () => engine.flowToYaml(FLOW),
  ];
}

const STILL_LOADING = /the wasm engine is still loading; await conductor\.ready first/;

const internalError = (result: WireResult) => {
  assert.equal(result.success, false);
  assert.equal(result.error?.code, "INTERNAL_ERROR");
};

test("the session is loaded at once; calls made before it is loaded wait for it, then go to it", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  assert.equal(l.loads(), 1, "loaded at once, before any call");
  const ran = engine.run(FLOW, options("e1"));
  const calls = [
    engine.cancel("known"),
    engine.controlRun("known", "pause"),
    engine.validate(FLOW, ["custom"]),
    engine.saveFlow(FLOW),
    engine.loadFlow("a"),
    engine.listFlows({ limit: 2 }),
    engine.deleteFlow("b"),
    engine.executions("list", "c"),
    engine.cache("clear", "d"),
    engine.triggers("list", "e"),
    engine.credentials("list", "f"),
    engine.listTemplates(),
    engine.getTemplate("g"),
  ];
  const states = [ran, ...calls, engine.ready].map((p: Promise<unknown>) => tracked(p));
  await settle();
  assert.deepEqual(
    states.map((s) => s.done),
    states.map(() => false),
    "nothing answers before the session is loaded",
  );
  const s1 = l.give();
  await promptly(engine.ready);
  assert.deepEqual(await promptly(Promise.all(calls)), [
    true,
    true,
    { ok: true, value: 's1 validate ["custom"]' },
    { ok: true, value: "s1 saveFlow f" },
    { ok: true, value: "s1 loadFlow a" },
    { ok: true, value: 's1 listFlows {"limit":2}' },
    { ok: true, value: "s1 deleteFlow b" },
    { ok: true, value: "s1 executions list c" },
    { ok: true, value: "s1 cache clear d" },
    { ok: true, value: "s1 triggers list e" },
    { ok: true, value: "s1 credentials list f" },
    { ok: true, value: { templates: ["s1 template"] } },
    { ok: true, value: "s1 template g" },
  ]);
  await settle();
  s1.script.finish("e1", "done");
  const result = await promptly(ran);
  assert.equal(result.success, true);
  assert.equal(result.data, "done");
  assert.equal(l.loads(), 1, "one load served every call");
});

test("the catalog and format helpers throw until ready resolves, then answer from the loaded session", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  for (const helper of helpers(engine)) assert.throws(helper, STILL_LOADING);
  l.give();
  await promptly(engine.ready);
  assert.deepEqual(
    helpers(engine).map((helper) => helper()),
    [
      { ok: true, value: ["s1 node"] },
      { ok: true, value: "s1 http" },
      { ok: true, value: [{ name: "s1", title: "s1", items: [] }] },
      { ok: true, value: { id: "s1 text" } },
      { ok: true, value: "s1 yaml f" },
    ],
  );
});

test("an execution id asked before the load is a promise of the session's id; once loaded it is given at once", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const early = engine.executionId("mine");
  const made = engine.executionId();
  assert.ok(early instanceof Promise && made instanceof Promise);
  l.give();
  assert.deepEqual(await promptly(Promise.all([early, made])), ["s1 mine", "s1 made"]);
  await promptly(engine.ready);
  assert.equal(engine.executionId("now"), "s1 now");
});

test("retryDelay is null while no session is loaded (before the first, while a trapped one is replaced), else the session's", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  assert.equal(engine.retryDelay({ attempt: 2 }), null);
  const s1 = l.give();
  await promptly(engine.ready);
  assert.equal(engine.retryDelay({ attempt: 2 }), 1002);
  s1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  assert.equal(engine.retryDelay({ attempt: 2 }), null);
  l.give();
  await promptly(engine.ready);
  assert.equal(engine.retryDelay({ attempt: 2 }), 2002, "the replacement answers");
});

test("the executor factory and the event listener, set before or after a load, reach the loaded session and its replacement", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const factory: NodeExecutorFactory = { getExecutor: () => undefined } as unknown as NodeExecutorFactory;
  const heard: Array<[string, WireEvent[]]> = [];
  engine.setExecutorFactory(factory);
  engine.setEventListener((events) => heard.push(["first", events]));
  engine.flushEvents(); // nothing loaded: nothing to collect, and no failure
  const s1 = l.give();
  await promptly(engine.ready);
  assert.deepEqual(s1.seen.factories, [factory], "set before the load: given to the session once it is loaded");
  const progress = { type: "progress", executionId: "e", progress: 1 } as WireEvent;
  s1.script.emit([progress]);
  await settle();
  assert.deepEqual(heard, [["first", [progress]]]);
  // Set after the load: straight to the session.
  const other: NodeExecutorFactory = { getExecutor: () => undefined } as unknown as NodeExecutorFactory;
  engine.setExecutorFactory(other);
  engine.setEventListener((events) => heard.push(["second", events]));
  assert.deepEqual(s1.seen.factories, [factory, other]);
  // flushEvents collects what waits in the session now.
  s1.script.emit([progress], false);
  engine.flushEvents();
  assert.deepEqual(heard.at(-1), ["second", [progress]]);
  // The replacement after a trap gets what was set last.
  s1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  const s2 = l.give();
  await promptly(engine.ready);
  assert.deepEqual(s2.seen.factories, [other]);
  s2.script.emit([progress]);
  await settle();
  assert.deepEqual(heard, [
    ["first", [progress]],
    ["second", [progress]],
    ["second", [progress]],
  ]);
});

test("a load that fails is reported by ready and by every call that waited for it, is not retried, and leaves no unhandled rejection", async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  t.after(() => void process.off("unhandledRejection", onUnhandled));
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const failure = new Error("no wasm here");
  const waited = engine.run(FLOW, options("e1"));
  const id = engine.executionId();
  waited.catch(() => {});
  (id as Promise<string>).catch(() => {});
  l.fail(failure);
  // Nobody awaits ready (nor anything else) for a turn: the failure waits for whoever asks.
  await settle();
  await settle();
  assert.deepEqual(unhandled, []);
  await assert.rejects(promptly(engine.ready), failure);
  await assert.rejects(promptly(waited), failure);
  await assert.rejects(promptly(id as Promise<string>), failure);
  await assert.rejects(promptly(engine.saveFlow(FLOW)), failure, "a later call reports it too");
  assert.equal(engine.retryDelay({ attempt: 1 }), null);
  for (const helper of helpers(engine)) assert.throws(helper, STILL_LOADING);
  assert.equal(l.loads(), 1, "a failed load is not retried");
});

test("a trap of the instance ends exactly the trapped session's pending runs with INTERNAL_ERROR; one fresh session takes the next calls", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const s1 = l.give();
  await promptly(engine.ready);
  const finished = engine.run(FLOW, options("finished"));
  const pending = [engine.run(FLOW, options("p1")), engine.run(FLOW, options("p2"))];
  const saving = engine.saveFlow(FLOW);
  await settle();
  s1.script.finish("finished", "kept");
  assert.equal((await promptly(finished)).data, "kept");
  // Another session on the same instance trapped: this one is unusable too.
  s1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  for (const result of await promptly(Promise.all(pending))) internalError(result);
  assert.deepEqual(await promptly(saving), { ok: true, value: "s1 saveFlow f" }, "answered before the trap");
  assert.equal(l.loads(), 2, "the replacement is loading");
  for (const helper of helpers(engine)) assert.throws(helper, STILL_LOADING);
  const readied = tracked(engine.ready);
  // Several calls at once while the replacement loads: they wait for it, and it is the only one.
  const before = s1.script.log.length;
  const next = engine.run(FLOW, options("n1"));
  const others = Promise.all([engine.loadFlow("x"), engine.validate(FLOW, []), engine.executionId("y"), engine.cancel("known")]);
  const waiting = [tracked(next), tracked(others)];
  await settle();
  assert.deepEqual([readied.done, ...waiting.map((w) => w.done)], [false, false, false]);
  const s2 = l.give();
  await promptly(engine.ready);
  assert.deepEqual(await promptly(others), [{ ok: true, value: "s2 loadFlow x" }, { ok: true, value: "s2 validate []" }, "s2 y", true]);
  assert.equal(s1.script.log.length, before, "nothing more reached the trapped session");
  assert.equal(l.loads(), 2, "exactly one reload");
  // The run on the replacement is not one of the trapped session's: it finishes normally.
  await settle();
  s2.script.finish("n1", "fresh");
  assert.equal((await promptly(next)).data, "fresh");
  assert.deepEqual(helpers(engine)[0]?.(), { ok: true, value: ["s2 node"] });
});

test("a trap inside a call ends that run with INTERNAL_ERROR too, and each replacement is replaced after its own trap", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const s1 = l.give();
  await promptly(engine.ready);
  const pending = engine.run(FLOW, options("p1"));
  await settle();
  s1.script.trapOnRun = true;
  internalError(await promptly(engine.run(FLOW, options("trapping"))));
  internalError(await promptly(pending));
  assert.equal(l.loads(), 2);
  const s2 = l.give();
  await promptly(engine.ready);
  s2.script.trapOnRun = true;
  internalError(await promptly(engine.run(FLOW, options("again"))));
  assert.equal(l.loads(), 3);
  l.give();
  await promptly(engine.ready);
  assert.equal(engine.executionId("z"), "s3 z");
});

test("a replacement that cannot be loaded is reported by ready and by the calls that waited for it", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const s1 = l.give();
  await promptly(engine.ready);
  s1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  const waited = engine.listFlows({});
  waited.catch(() => {});
  const failure = new Error("the worker could not start");
  l.fail(failure);
  await assert.rejects(promptly(engine.ready), failure);
  await assert.rejects(promptly(waited), failure);
  assert.equal(engine.retryDelay({ attempt: 1 }), null);
  assert.equal(l.loads(), 2, "not retried");
});

test("close frees the loaded session, and a trap afterwards loads no other", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  const s1 = l.give();
  await promptly(engine.ready);
  engine.close();
  assert.equal(s1.seen.freed, 1);
  s1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  await settle();
  assert.equal(l.loads(), 1);
});

test("a session that arrives after close is freed at once and never used", async () => {
  const l = loader();
  const engine = new ReloadingEngine(l.load);
  engine.close();
  const s1 = l.give();
  await promptly(engine.ready);
  assert.equal(s1.seen.freed, 1);
  // (Asked only to see which session is current: none.)
  assert.equal(engine.retryDelay({ attempt: 1 }), null);
  // The same for a replacement still loading when the engine is closed.
  const m = loader();
  const other = new ReloadingEngine(m.load);
  const t1 = m.give();
  await promptly(other.ready);
  t1.instance.trapped(new WebAssembly.RuntimeError("unreachable"));
  other.close();
  const t2 = m.give();
  await promptly(other.ready);
  assert.equal(t2.seen.freed, 1);
  assert.equal(other.retryDelay({ attempt: 1 }), null, "the replacement is not used");
  assert.equal(m.loads(), 2);
});
