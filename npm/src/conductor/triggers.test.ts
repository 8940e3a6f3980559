/**
 * Unit tests of `conductor.triggers`: what each call sends the engine (a flow id as it is, a
 * trigger named by its id or by flow and node, a webhook request as the server read it) and what
 * it resolves with; which conductors fire here (a local engine's, the browser's, a queue's) and
 * which leave firing to the server; how a fire the engine hands back is started (its saved
 * flow, its execution id, its trigger as input, its permissions) and how its end is reported
 * (not at all without a record); the origin's lock around every trigger call on the browser's
 * engine; and the metrics counted here (fires, lateness, misfires, a webhook's fires), with
 * telemetry off and with a metrics SDK registered late. The engine is an in-test stand-in that
 * records each `triggers` call and answers what the test says (`due`: the test's fires, once
 * each); `run` is one too; the browser's lock manager and the OpenTelemetry API with a metrics
 * SDK are in-test stand-ins. The triggers API and the trigger timer it drives are the real ones.
 * Time is Node's mock clock: nothing here waits for real time.
 */
import * as assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import type { DueFires, FireToStart, HookDelivery, HookStart, MissedFires } from "../types/answers.generated.js";
import type { NodeDefinition } from "../types/definition.js";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { ConductorConfig, ContextOverrides, RunPermissions } from "../types/execution.js";
import type { Outcome } from "../types/wire.js";
import type { OtelAttributes, OtelObservableResult } from "../telemetry/api.js";
import { METRIC } from "../telemetry/metrics.js";
import { ATTR } from "../telemetry/node-spans.js";
import type { EngineAdapter, TriggersCall } from "./engine.js";
import { createTriggersApi, type HookRequest } from "./triggers.js";

const ok = (value: unknown): Outcome<unknown> => ({ ok: true, value });
const INFO = { id: "f/n", flowId: "f", nodeId: "n", type: "schedule", paused: false, activatedAt: 1, handledThrough: 1, next: 2 };
const PERMISSIONS = { files: { roots: ["/data"] } } as unknown as RunPermissions;
const iso = (ms: number) => new Date(ms).toISOString();

/** A fire of trigger `f/n` due at `scheduledAt`, whose run started `late` ms after it. */
const fire = (scheduledAt: number, late = 0, more: Partial<FireToStart> = {}): FireToStart => ({
  flowId: "f",
  nodeId: "n",
  scheduledAt,
  recorded: true,
  executionId: `run-${scheduledAt}`,
  trigger: { type: "schedule", flowId: "f", nodeId: "n", scheduledAt: iso(scheduledAt), firedAt: iso(scheduledAt + late) },
  ...more,
});
const dueNow = (start: FireToStart[], missed: MissedFires[] = []): DueFires => ({ start, missed, next: null });
const hookStart = (scheduledAt?: number): HookStart => ({ flowId: "h", nodeId: "hook", executionId: "x", scheduledAt, trigger: {} });

type Setup = {
  kind?: EngineAdapter["kind"];
  handsRunsTo?: EngineAdapter["handsRunsTo"];
  /** The engine's outcome by call (`activate` and `list` answer `INFO` unless told; others `null`). */
  answers?: Partial<Record<TriggersCall, Outcome<unknown>>>;
  /** What `due` answers, one a call (then nothing due). */
  due?: DueFires[];
  config?: object;
  /** What each run resolves with. */
  succeeds?: boolean;
};

const timed = new WeakSet<TestContext>();

/**
 * The triggers API over a stand-in engine, setTimeout mocked for the test. `calls` holds each
 * `triggers` call as `[call, argument]` (JSON parsed), `asked(call)` the arguments of one call,
 * `loaded` the flows loaded, `runs` each run's flow and overrides. The timer closes with the test.
 */
function setup(t: TestContext, { kind = "native", handsRunsTo, answers = {}, due = [], config = {}, succeeds = true }: Setup = {}) {
  if (!timed.has(t)) t.mock.timers.enable({ apis: ["setTimeout"] });
  timed.add(t);
  const calls: Array<[TriggersCall, unknown]> = [];
  const loaded: string[] = [];
  const runs: Array<[NodeDefinition, ContextOverrides]> = [];
  const engine = {
    kind,
    handsRunsTo,
    async triggers(call: TriggersCall, arg: string) {
      calls.push([call, arg.startsWith("{") ? JSON.parse(arg) : arg]);
      if (call === "due") return ok(due.shift() ?? dueNow([]));
      return answers[call] ?? ok(call === "activate" || call === "list" ? { triggers: [INFO] } : null);
    },
    async loadFlow(id: string) {
      loaded.push(id);
      return ok({ id, type: "saved" });
    },
  } as unknown as EngineAdapter;
  const { triggers, timer } = createTriggersApi(
    engine,
    async (flow, overrides) => {
      runs.push([flow, overrides]);
      return { success: succeeds };
    },
    config as ConductorConfig,
  );
  t.after(() => timer.close());
  const asked = (call: TriggersCall) => calls.filter(([made]) => made === call).map(([, arg]) => arg);
  return { triggers, timer, calls, asked, loaded, runs };
}

/** Lets every promise chain the test started run to its end (runs, their reports). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The browser's lock manager for the test (`navigator.locks`), restored after it: each lock asked
 * for is noted, and granted when the test calls `grant` (`"held"`) or at once (`"free"`, so that
 * a lock taken where none should be shows in `taken` instead of hanging the test); `"none"`: a
 * `navigator` without one.
 */
function withLocks(t: TestContext, locking: "held" | "free" | "none" = "held") {
  const original = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  t.after(() => {
    if (original) Object.defineProperty(globalThis, "navigator", original);
  });
  const taken: string[] = [];
  const waiting: Array<() => void> = [];
  const locks = {
    request<T>(name: string, callback: () => Promise<T>): Promise<T> {
      taken.push(name);
      return new Promise<void>((resolve) => (locking === "free" ? resolve() : waiting.push(resolve))).then(callback);
    },
  };
  Object.defineProperty(globalThis, "navigator", { value: locking === "none" ? {} : { locks }, configurable: true });
  const grant = () => {
    for (const go of waiting.splice(0)) go();
  };
  return { taken, grant };
}

/**
 * The OpenTelemetry API with a metrics SDK (`registered`: else only the API's no-op meter,
 * until `register()`). `read(name)` is what instrument `name` holds: a counter's totals by
 * attributes, a histogram's values, each `[value, attributes]`; `meters` counts meters asked for.
 */
function metricsSdk(registered = true) {
  class NoopMeter {}
  const state = { registered, meters: 0 };
  const providers = { live: {}, noop: {} };
  const callbacks = new Map<string, (result: OtelObservableResult) => void>();
  const values = new Map<string, Array<[number, OtelAttributes | undefined]>>();
  const observable = (name: string) => ({
    addCallback: (callback: (result: OtelObservableResult) => void) => callbacks.set(name, callback),
  });
  const histogram = (name: string) => ({
    record: (value: number, attributes?: OtelAttributes) => values.set(name, [...(values.get(name) ?? []), [value, attributes]]),
  });
  const meter = {
    createCounter: observable,
    createUpDownCounter: observable,
    createHistogram: histogram,
    createObservableGauge: observable,
    createObservableCounter: observable,
    createObservableUpDownCounter: observable,
  };
  const api = {
    trace: { getTracer: () => ({}) },
    context: { active: () => ({}) },
    metrics: {
      getMeter: () => (state.meters++, state.registered ? meter : new NoopMeter()),
      getMeterProvider: () => (state.registered ? providers.live : providers.noop),
    },
    createNoopMeter: () => new NoopMeter(),
  };
  const read = (name: string) => {
    const seen: Array<[number, OtelAttributes | undefined]> = [];
    callbacks.get(name)?.({ observe: (value, attributes) => void seen.push([value, attributes]) });
    return [...seen, ...(values.get(name) ?? [])];
  };
  return { config: { telemetry: { api } }, api, state, read, register: () => void (state.registered = true) };
}

const of = (flowId: string, nodeId: string) => ({ [ATTR.flowId]: flowId, [ATTR.nodeId]: nodeId });

test("activate sends the flow id and permissions, resolves with the triggers the engine activated, and starts this conductor's timer", async (t) => {
  const { triggers, timer, calls } = setup(t);
  assert.deepEqual(await triggers.activate("f", { permissions: PERMISSIONS }), [INFO]);
  await settle();
  assert.equal(timer.started, true);
  assert.deepEqual(calls, [
    ["activate", { flowId: "f", permissions: PERMISSIONS }],
    ["due", ""],
  ]);
});

test("an activation the engine refuses rejects with its code and starts no timer", async (t) => {
  const error = { code: ErrorCode.VALIDATION_FAILED, message: "no trigger node in f", timestamp: 0 };
  const { triggers, timer, calls } = setup(t, { answers: { activate: { ok: false, error } } });
  await assert.rejects(triggers.activate("f"), (thrown: unknown) => {
    assert.ok(thrown instanceof ConductorError);
    assert.deepEqual([thrown.code, thrown.message], [ErrorCode.VALIDATION_FAILED, "no trigger node in f"]);
    return true;
  });
  await settle();
  assert.equal(timer.started, false);
  assert.deepEqual(calls, [["activate", { flowId: "f" }]]);
});

test("a conductor whose runs go to a server, or to a remote engine, leaves firing to it: activate and start ask for no fires", async (t) => {
  const cases: Setup[] = [
    { kind: "remote" },
    { kind: "remote", handsRunsTo: { to: "server" } },
    { kind: "native", handsRunsTo: { to: "server" } },
  ];
  for (const engine of cases) {
    const { triggers, timer, asked } = setup(t, engine);
    await triggers.activate("f");
    await triggers.start();
    await settle();
    assert.equal(timer.started, false, JSON.stringify(engine));
    assert.deepEqual(asked("due"), [], JSON.stringify(engine));
  }
});

test("a local engine's conductor, the browser's and a queue's fire here: start asks the engine which fires are due", async (t) => {
  const cases: Setup[] = [{ kind: "native" }, { kind: "wasm" }, { kind: "remote", handsRunsTo: { to: "queue" } }];
  for (const engine of cases) {
    const { triggers, timer, asked } = setup(t, engine);
    await triggers.start();
    assert.equal(timer.started, true, JSON.stringify(engine));
    assert.deepEqual(asked("due"), [""], JSON.stringify(engine));
  }
});

test("a fire runs its saved flow under the fire's execution id, with its trigger as input and its permissions, and how it ended is reported", async (t) => {
  const first = fire(1_000, 0, { permissions: PERMISSIONS as FireToStart["permissions"] });
  const second = fire(2_000);
  for (const succeeds of [true, false]) {
    const { triggers, asked, loaded, runs } = setup(t, { due: [dueNow([first, second])], succeeds });
    await triggers.start();
    await settle();
    assert.deepEqual(loaded, ["f", "f"]);
    assert.deepEqual(runs, [
      [
        { id: "f", type: "saved" },
        { executionId: "run-1000", input: { trigger: first.trigger }, permissions: PERMISSIONS },
      ],
      [
        { id: "f", type: "saved" },
        { executionId: "run-2000", input: { trigger: second.trigger } },
      ],
    ]);
    assert.deepEqual(asked("ended"), [
      { flowId: "f", nodeId: "n", scheduledAt: 1_000, success: succeeds },
      { flowId: "f", nodeId: "n", scheduledAt: 2_000, success: succeeds },
    ]);
  }
});

test("a fire without a record runs, and reports nothing when its run ends", async (t) => {
  const { triggers, asked, runs } = setup(t, { due: [dueNow([fire(1_000, 0, { recorded: false })])] });
  await triggers.start();
  await settle();
  assert.equal(runs.length, 1);
  assert.deepEqual(asked("ended"), []);
});

test("fires, pause and resume name a trigger by its id or by its flow and node, and resolve with the engine's answer", async (t) => {
  const history = { fires: [{ scheduledAt: 1, status: "succeeded" }] };
  const { triggers, calls } = setup(t, { answers: { fires: ok(history), pause: ok(false), resume: ok(true) } });
  assert.deepEqual(await triggers.fires("f/n"), history.fires);
  assert.deepEqual(await triggers.fires({ flowId: "f", nodeId: "n" }, { limit: 5 }), history.fires);
  assert.equal(await triggers.pause("f/n"), false);
  assert.equal(await triggers.resume({ flowId: "f", nodeId: "n" }), true);
  assert.deepEqual(calls, [
    ["fires", { trigger: "f/n" }],
    ["fires", { flowId: "f", nodeId: "n", limit: 5 }],
    ["pause", { trigger: "f/n" }],
    ["resume", { flowId: "f", nodeId: "n" }],
  ]);
});

test("resume asks the engine for due fires again at once when this conductor fires, so what the trigger missed follows its policy now", async (t) => {
  const { triggers, asked } = setup(t);
  await triggers.resume("f/n");
  await settle();
  assert.deepEqual(asked("due"), [], "not firing here: nothing to ask");
  await triggers.start();
  await triggers.resume("f/n");
  await settle();
  assert.deepEqual(asked("due"), ["", ""]);
});

test("deactivate sends the flow id as it is; list resolves with the active triggers", async (t) => {
  const { triggers, calls } = setup(t, { answers: { deactivate: ok({ removed: 1 }) } });
  assert.deepEqual(await triggers.deactivate("f"), { removed: 1 });
  assert.deepEqual(await triggers.list(), [INFO]);
  assert.deepEqual(calls, [
    ["deactivate", "f"],
    ["list", ""],
  ]);
});

test("stop deactivates nothing and asks the engine nothing more", async (t) => {
  const { triggers, timer, calls } = setup(t);
  await triggers.start();
  triggers.stop();
  assert.equal(timer.started, false);
  t.mock.timers.tick(120_000);
  await settle();
  assert.deepEqual(calls, [["due", ""]]);
});

test("hook sends the path and method, deliver the request as the server read it, and each resolves with the engine's answer", async (t) => {
  const route = { trigger: "f/hook", maxBytes: 1024, serverAuth: false };
  const delivery: HookDelivery = { respond: "accepted", replayed: "x" };
  const { triggers, calls } = setup(t, { answers: { hook: ok(route), deliver: ok(delivery) } });
  const request: HookRequest = {
    trigger: "f/hook",
    method: "POST",
    path: "orders/new",
    query: "a=1",
    headers: [["X-Sig", "abc"]],
    body: "e30=",
    authenticated: true,
    permissions: PERMISSIONS,
  };
  assert.equal(await triggers.hook("orders/new", "POST"), route);
  assert.equal(await triggers.deliver(request), delivery);
  assert.deepEqual(calls, [
    ["hook", { path: "orders/new", method: "POST" }],
    ["deliver", request],
  ]);
});

test("delivered reports how a delivery's run ended, and nothing for a start without a record", async (t) => {
  const { triggers, calls } = setup(t);
  await triggers.delivered(hookStart(5), false);
  await triggers.delivered(hookStart(), true);
  assert.deepEqual(calls, [["ended", { flowId: "h", nodeId: "hook", scheduledAt: 5, success: false }]]);
});

test("on the browser's engine every trigger call, the timer's included, waits for the origin's triggers lock", async (t) => {
  const { taken, grant } = withLocks(t);
  const { triggers, calls } = setup(t, { kind: "wasm" });
  const listing = triggers.list();
  const starting = triggers.start();
  await settle();
  assert.deepEqual(taken, ["atomiton-conductor-triggers", "atomiton-conductor-triggers"]);
  assert.deepEqual(calls, [], "nothing asked before the lock is held");
  grant();
  assert.deepEqual(await listing, [INFO]);
  await starting;
  assert.deepEqual(calls, [
    ["list", ""],
    ["due", ""],
  ]);
});

test("on any other engine a trigger call takes no lock", async (t) => {
  const { taken } = withLocks(t, "free");
  assert.deepEqual(await setup(t, { kind: "native" }).triggers.list(), [INFO]);
  assert.deepEqual(await setup(t, { kind: "remote" }).triggers.list(), [INFO]);
  assert.deepEqual(taken, []);
});

test("where there is no lock manager, the browser's engine is asked at once", async (t) => {
  withLocks(t, "none");
  assert.deepEqual(await setup(t, { kind: "wasm" }).triggers.list(), [INFO]);
});

test("with a metrics SDK, each fire started here counts one fire and records its lateness in seconds, never below zero", async (t) => {
  const sdk = metricsSdk();
  const { triggers } = setup(t, { config: sdk.config, due: [dueNow([fire(10_000, 2_500), fire(20_000, -1_000)])] });
  await triggers.start();
  await settle();
  assert.deepEqual(sdk.read(METRIC.triggerFires), [[2, of("f", "n")]]);
  assert.deepEqual(sdk.read(METRIC.triggerLateness), [
    [2.5, of("f", "n")],
    [0, of("f", "n")],
  ]);
});

test("the fires a due call recorded as not run are counted by flow, node and their misfire policy's reason", async (t) => {
  const skipped = (count: number, reason: string) => ({ first: 1, last: 2, count, exact: true, reason });
  const missed = [
    { flowId: "f", nodeId: "n", skipped: skipped(4, "missed") },
    { flowId: "g", nodeId: "m", skipped: skipped(1, "over-cap") },
  ];
  const sdk = metricsSdk();
  const { triggers } = setup(t, { config: sdk.config, due: [dueNow([], missed)] });
  await triggers.start();
  assert.deepEqual(sdk.read(METRIC.triggerMisfires), [
    [4, { ...of("f", "n"), [ATTR.misfire]: "missed" }],
    [1, { ...of("g", "m"), [ATTR.misfire]: "over-cap" }],
  ]);
});

test("a delivery that starts a run counts as one of its hook's fires; a refused or replayed one does not", async (t) => {
  const sdk = metricsSdk();
  const refused = { status: 401, code: "PERMISSION_DENIED", error: "no" };
  const deliveries: HookDelivery[] = [
    { respond: "result", refused },
    { respond: "result", replayed: "x" },
    { respond: "accepted", start: hookStart(5) },
  ];
  for (const delivery of deliveries) {
    await setup(t, { config: sdk.config, answers: { deliver: ok(delivery) } }).triggers.deliver({} as HookRequest);
  }
  assert.deepEqual(sdk.read(METRIC.triggerFires), [[1, of("h", "hook")]]);
});

test("with telemetry disabled nothing is counted, not even with a metrics SDK given", async (t) => {
  const sdk = metricsSdk();
  const config = { telemetry: { enabled: false, api: sdk.api } };
  const missed = [{ flowId: "f", nodeId: "n", skipped: { first: 1, last: 2, count: 4, exact: true, reason: "missed" } }];
  const { triggers } = setup(t, {
    config,
    due: [dueNow([fire(1_000, 500)], missed)],
    answers: { deliver: ok({ respond: "accepted", start: hookStart(5) }) },
  });
  await triggers.start();
  await triggers.deliver({} as HookRequest);
  await settle();
  assert.equal(sdk.state.meters, 0, "no meter asked for");
});

test("a metrics SDK registered after the conductor was made counts the fires that follow", async (t) => {
  const sdk = metricsSdk(false);
  const { triggers } = setup(t, { config: sdk.config, answers: { deliver: ok({ respond: "accepted", start: hookStart(5) }) } });
  await triggers.deliver({} as HookRequest);
  sdk.register();
  await triggers.deliver({} as HookRequest);
  assert.deepEqual(sdk.read(METRIC.triggerFires), [[1, of("h", "hook")]]);
});
