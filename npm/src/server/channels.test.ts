/**
 * Unit tests of the channel handlers (`createChannelHandlers`): which channels and commands are
 * served, the `{result}` / `{error, channelError}` envelopes (dispatch never rejects), what a
 * `caller` narrows (its runs carry its permissions and count against its limits, it cancels and
 * controls its own runs, with scope `"own"` it sees its own saved flows and no execution history,
 * cache or triggers), how `node.execute` checks a client's run context, who an approval is by,
 * resume URLs and `waitSecret`, the forwarding of the conductor's events while someone subscribes,
 * `visibleTo`, and the server limits and permissions of webhooks.
 *
 * What stands in: the served conductor is the test's (every call recorded in `asked`, answered
 * with its name unless the test gives an answer; runs stay in flight until the test ends them;
 * flows kept in a map; event subscriptions counted). `node.execute` fixes a run's id with the
 * engine's catalog function `executionId`: the engine addon is a stand-in too, a CommonJS file
 * written here and loaded through `ATOMITON_CONDUCTOR_NATIVE_PATH` (given ids kept, others
 * `generated-<n>`). The handlers, and the run registry, flow scoping, resume URLs and webhooks
 * under them, are the real ones. Nothing here waits for real time.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { servedRun } from "../telemetry/run.js";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { Grant } from "../types/options.generated.js";
import { type Caller, resolveGrant } from "./caller.js";
import { type ChannelHandlersOptions, createChannelHandlers, type DispatchEnvelope } from "./channels.js";
import { ServerError } from "./errors.js";
import type { ServedConductor } from "./events.js";
import type { IncomingHook } from "./webhooks.js";

const addonDir = mkdtempSync(join(tmpdir(), "channels-test-"));
writeFileSync(
  join(addonDir, "addon.cjs"),
  `let n = 0;
module.exports = {
  NativeConductor: function NativeConductor() { throw new Error("no engine in a unit test"); },
  nodeDefinitions: () => "[]", nodeDefinition: () => "null", nodeDefinitionsByCategory: () => "{}",
  listTemplates: () => "[]", getTemplate: () => "null",
  executionId: (given) => given || "generated-" + ++n,
};`,
);
process.env.ATOMITON_CONDUCTOR_ENGINE = "native";
process.env.ATOMITON_CONDUCTOR_NATIVE_PATH = join(addonDir, "addon.cjs");
after(() => rmSync(addonDir, { recursive: true, force: true }));

const FLOW = { id: "n1", type: "transform" };
const EVENTS = ["started", "progress", "paused", "complete", "error", "flowSaved"] as const;
const PARTS = {
  executions: ["list", "counts", "get", "delete", "prune", "differences", "due", "signal", "approve", "resume"],
  cache: ["clear", "invalidate", "stats"],
  triggers: ["activate", "deactivate", "list", "fires", "pause", "resume", "hook", "deliver", "delivered"],
} as const;

type Flow = Record<string, unknown> & { id: string };

/**
 * A served conductor that records every call in `asked` (`[name, ...args]`) and answers with
 * `answers[name]` or else the call's name; `parts` leaves out its executions, cache or triggers.
 */
function servedConductor(parts: Partial<Record<keyof typeof PARTS, boolean>> = {}) {
  const asked: unknown[][] = [];
  const answers: Record<string, (...args: never[]) => unknown> = {};
  const part = (name: string, methods: readonly string[]) =>
    Object.fromEntries(
      methods.map((method) => [
        method,
        async (...args: unknown[]) => {
          asked.push([`${name}.${method}`, ...args]);
          const answer = answers[`${name}.${method}`] as ((...given: unknown[]) => unknown) | undefined;
          return answer ? answer(...args) : `${name}.${method}`;
        },
      ]),
    );
  const listeners = Object.fromEntries(EVENTS.map((name) => [name, new Set<(event: unknown) => void>()])) as Record<
    (typeof EVENTS)[number],
    Set<(event: unknown) => void>
  >;
  const on = (name: (typeof EVENTS)[number]) => (listener: (event: unknown) => void) => {
    listeners[name].add(listener);
    return () => void listeners[name].delete(listener);
  };
  const runs = new Map<string, (result: unknown) => void>();
  const flows = new Map<string, Flow>();
  const conductor = {
    node: {
      ...part("node", ["validate", "cancel", "pause", "resume", "step"]),
      run(flow: unknown, overrides: { executionId: string }) {
        asked.push(["node.run", flow, overrides]);
        return new Promise((resolve) => runs.set(overrides.executionId, resolve));
      },
      onProgress: on("progress"),
      onPaused: on("paused"),
      onComplete: on("complete"),
      onError: on("error"),
    },
    storage: {
      async saveFlow(flow: Flow) {
        flows.set(flow.id, flow);
        return { ...flow };
      },
      async loadFlow(id: string) {
        const flow = flows.get(id);
        if (!flow) throw new Error(`Flow not found: ${id}`);
        return flow;
      },
      listFlows: async () => ({ flows: [...flows.values()], total: flows.size }),
      deleteFlow: async (id: string) => void flows.delete(id),
      onFlowSaved: on("flowSaved"),
    },
    events: { onStarted: on("started") },
    flow: part("flow", ["listTemplates", "getTemplate"]),
    system: part("system", ["health"]),
    ...Object.fromEntries(
      Object.entries(PARTS).flatMap(([name, methods]) =>
        parts[name as keyof typeof PARTS] === false ? [] : [[name, part(name, methods)]],
      ),
    ),
  };
  return {
    conductor: conductor as unknown as ServedConductor,
    asked,
    answers,
    flows,
    /** How many listeners each conductor event has. */
    listening: () => EVENTS.map((name) => listeners[name].size),
    emit: (name: (typeof EVENTS)[number], event: unknown) => {
      for (const listener of listeners[name]) listener(event);
    },
    /** Ends run `executionId` with `result`. */
    end(executionId: string, result: unknown = { success: true, data: executionId }) {
      const resolve = runs.get(executionId);
      assert.ok(resolve, `no run ${executionId} in flight`);
      runs.delete(executionId);
      resolve(result);
    },
    /** The names of the calls made, in order. */
    names: () => asked.map(([name]) => name),
  };
}

/** Handlers over a fresh stand-in conductor, and every broadcast a subscriber got. */
function server(options: ChannelHandlersOptions = {}, parts: Parameters<typeof servedConductor>[0] = {}) {
  const served = servedConductor(parts);
  const handlers = createChannelHandlers(served.conductor, options);
  const heard: unknown[][] = [];
  const listen = () => handlers.subscribe((channel, event, data) => heard.push([channel, event, data]));
  /** Starts a run `executionId` for `who` (its envelope is the promise returned). */
  const execute = (executionId: string | undefined, who?: Caller, context: Record<string, unknown> = {}) =>
    handlers.dispatch("node", "execute", { node: FLOW, context: { ...context, executionId } }, who);
  return { ...served, handlers, dispatch: handlers.dispatch, heard, listen, execute };
}

/** `value`'s string-keyed properties (a served run's overrides carry a symbol too). */
const stringKeyed = (value: object) => Object.fromEntries(Object.entries(value));

/** A caller of the protocol server with `scope` (its grant otherwise an authenticated caller's defaults). */
function caller(id: string, scope: "own" | "all", grant: Grant = {}, more: Partial<Caller> = {}): Caller {
  return { id, kind: "user", grant: resolveGrant({ ...grant, scope }), ...more };
}
const alice = caller("user:alice", "own", { permissions: { shell: false } });
const bob = caller("user:bob", "own");
const admin = caller("user:admin", "all");

/** Every pending promise callback has run (one turn of the event loop; no timing). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `promise`'s outcome, which must be there after `settle`: a run left in flight fails here, it does not hang. */
async function promptly<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await settle();
  assert.ok(done, "answered within a turn of the event loop");
  return promise;
}

/** The `result` of an envelope, which must be one. */
async function resultOf(envelope: Promise<DispatchEnvelope>): Promise<unknown> {
  const answered = await promptly(envelope);
  assert.ok("result" in answered, `a result, got ${JSON.stringify(answered)}`);
  return answered.result;
}

/** The failure of an envelope, which must be one. */
async function failureOf(envelope: Promise<DispatchEnvelope>) {
  const answered = await promptly(envelope);
  assert.ok("error" in answered, `a failure, got ${JSON.stringify(answered)}`);
  return answered;
}

/** The failed run `node.execute` answered. */
async function failedRun(envelope: Promise<DispatchEnvelope>) {
  const run = (await resultOf(envelope)) as {
    success: boolean;
    error: {
      code: string;
      message: string;
      nodeId?: string;
      timestamp: unknown;
      context: { issues: Array<{ path: string; message: string }> };
    };
  };
  assert.equal(run.success, false);
  return run.error;
}

test("node, storage, executions, waits, cache, triggers, flow and system are served; an unknown command, inherited names included, is IMPLEMENTATION_NOT_FOUND", async () => {
  const s = server();
  assert.deepEqual(s.handlers.channels, ["node", "storage", "executions", "waits", "cache", "triggers", "flow", "system"]);
  assert.equal(s.handlers.handles("node", "execute"), true);
  assert.equal(s.handlers.handles("waits", "resumeUrl"), true);
  for (const [channel, command] of [
    ["node", "nope"],
    ["node", "toString"],
    ["constructor", "name"],
    ["__proto__", "valueOf"],
    ["system", "restart"],
    ["auth", "login"],
  ] as const) {
    assert.equal(s.handlers.handles(channel, command), false, `${channel}.${command}`);
    assert.deepEqual(await s.dispatch(channel, command, {}), {
      error: `No handler for method: ${command}`,
      channelError: true,
      code: ErrorCode.IMPLEMENTATION_NOT_FOUND,
    });
  }
  assert.deepEqual(s.asked, []);
});

test("dispatch answers {result}, and never rejects: a failure becomes {error, channelError} with its code, reason and retryAfterMs, not its HTTP status", async () => {
  const s = server();
  assert.deepEqual(await s.dispatch("flow", "getTemplate", { id: 7 }), { result: "flow.getTemplate" });
  assert.deepEqual(s.asked, [["flow.getTemplate", "7"]]);
  s.answers["flow.getTemplate"] = () => {
    throw new ServerError(ErrorCode.RATE_LIMIT_EXCEEDED, "slow down", 429, { retryAfterMs: 250, reason: "busy" });
  };
  assert.deepEqual(await s.dispatch("flow", "getTemplate", {}), {
    error: "slow down",
    code: ErrorCode.RATE_LIMIT_EXCEEDED,
    reason: "busy",
    retryAfterMs: 250,
    channelError: true,
  });
  s.answers["flow.listTemplates"] = () => Promise.reject("plain text");
  assert.deepEqual(await s.dispatch("flow", "listTemplates"), { error: "plain text", channelError: true });
  const unprintable = {
    toString() {
      throw new Error("cannot print the id");
    },
  };
  assert.deepEqual(await s.dispatch("flow", "getTemplate", { id: unprintable }), { error: "cannot print the id", channelError: true });
});

test("system.health asks the conductor; system.restart exists only with the restart option and broadcasts appRestarting before restarting", async () => {
  const order: string[] = [];
  const s = server({ restart: () => void order.push("restart") });
  s.handlers.subscribe((channel, event, data) => order.push(`${channel}.${event} ${typeof (data as { timestamp?: unknown }).timestamp}`));
  assert.equal(s.handlers.handles("system", "restart"), true);
  assert.deepEqual(await s.dispatch("system", "restart"), { result: undefined });
  assert.deepEqual(order, ["system.appRestarting number", "restart"]);
  assert.deepEqual(await s.dispatch("system", "health"), { result: "system.health" });
  assert.equal(server().handlers.handles("system", "restart"), false);
});

test("node.execute refuses a context with an unknown key or a bad value as a failed run (VALIDATION_FAILED, the node's id, every issue, ISO time), running nothing", async () => {
  const s = server();
  const error = await failedRun(s.dispatch("node", "execute", { node: FLOW, context: { bogus: 1, timeout: -1 } }));
  assert.equal(error.code, ErrorCode.VALIDATION_FAILED);
  assert.match(error.message, /^Invalid run options: unknown option 'bogus'/);
  assert.equal(error.nodeId, "n1");
  assert.deepEqual(
    error.context.issues.map((issue) => issue.path),
    ["bogus", "timeout"],
  );
  assert.equal(typeof error.timestamp, "string");
  assert.equal(new Date(error.timestamp as string).toISOString(), error.timestamp);
  const notAnObject = await failedRun(s.dispatch("node", "execute", { node: {}, context: "fast" }));
  assert.equal(notAnObject.code, ErrorCode.VALIDATION_FAILED);
  assert.equal(notAnObject.nodeId, undefined);
  assert.deepEqual(s.asked, [], "nothing ran");
});

test("node.execute refuses permissions, caller and signal from a client, each with its own reason and ahead of other issues, even when well-formed", async () => {
  const s = server();
  const context = { timeout: -1, permissions: {}, caller: "someone", signal: "not a signal" };
  const error = await failedRun(s.dispatch("node", "execute", { node: FLOW, context }));
  assert.deepEqual(error.context.issues, [
    { path: "signal", message: "'signal' cannot be sent to a server: cancel a run with node.cancel(executionId)" },
    { path: "caller", message: "'caller' cannot be set by a client: a run is recorded as started by the caller the server authenticated" },
    { path: "permissions", message: "'permissions' cannot be set by a client: a run reaches what the server grants its caller" },
    error.context.issues[3],
  ]);
  assert.equal(error.context.issues[3]?.path, "timeout");
  assert.equal(error.message, "Invalid run options: 'signal' cannot be sent to a server: cancel a run with node.cancel(executionId)");
  assert.deepEqual(s.asked, []);
});

test("a retry, resume or replay is refused to a caller with scope own (PERMISSION_DENIED), before anything runs; scope all may", async () => {
  const s = server();
  for (const context of [{ retry: { of: "r0" } }, { resume: {} }, { replay: { of: "r0" } }]) {
    assert.deepEqual(await promptly(s.execute(undefined, alice, context)), {
      error: 'Execution history needs a grant with scope "all" (runs are not kept per caller)',
      code: ErrorCode.PERMISSION_DENIED,
      channelError: true,
    });
  }
  assert.deepEqual(s.asked, []);
  const pending = s.execute("again", admin, { retry: { of: "r0" } });
  s.end("again");
  assert.deepEqual(await resultOf(pending), { success: true, data: "again" });
});

test("node.execute runs as a served run under the given or a fresh id, with the caller's id and grant's permissions, else the handlers' permissions", async () => {
  const s = server({ permissions: { http: false } });
  const runs = [s.execute("e1", undefined, { input: 1 }), s.execute(undefined, alice)];
  const overrides = s.asked.map((call) => call[2] as Record<string, unknown>);
  const fresh = String(overrides[1]?.executionId);
  assert.match(fresh, /^generated-\d+$/, "the id the engine made");
  assert.deepEqual(overrides.map(stringKeyed), [
    { input: 1, executionId: "e1", permissions: { http: false } },
    { executionId: fresh, permissions: { shell: false }, caller: "user:alice" },
  ]);
  assert.ok(
    overrides.every((given) => servedRun(given)),
    "marked as served runs",
  );
  s.end("e1");
  s.end(fresh);
  assert.deepEqual(await Promise.all(runs), [{ result: { success: true, data: "e1" } }, { result: { success: true, data: fresh } }]);
});

test("without handler permissions a run is given none, and a run's error time becomes ISO text while a date in its data stays a date", async () => {
  const s = server();
  const pending = s.execute("e1");
  assert.deepEqual(stringKeyed(s.asked[0]?.[2] as object), { executionId: "e1" });
  s.end("e1", { success: false, data: { at: new Date(6) }, error: { code: "X", message: "m", timestamp: new Date(5) } });
  const result = (await resultOf(pending)) as { data: { at: unknown }; error: { timestamp: unknown } };
  assert.equal(result.error.timestamp, "1970-01-01T00:00:00.005Z");
  assert.ok(result.data.at instanceof Date);
});

test("a caller over its concurrent runs is refused with RATE_LIMIT_EXCEEDED and retryAfterMs, and an execution id in use is refused", async () => {
  const s = server();
  const limited = caller("key:k1", "own", { limits: { concurrentRuns: 1 } }, { kind: "apiKey" });
  const first = s.execute("l1", limited);
  assert.deepEqual(await promptly(s.execute("l2", limited)), {
    error: "Rate limit exceeded: 1 runs at once is the limit for this caller",
    code: ErrorCode.RATE_LIMIT_EXCEEDED,
    retryAfterMs: 1000,
    channelError: true,
  });
  s.end("l1");
  await first;
  const third = s.execute("l3", limited);
  const again = await failureOf(s.execute("l3"));
  assert.deepEqual([again.code, again.error], [ErrorCode.VALIDATION_FAILED, "Execution id l3 is already in use"]);
  s.end("l3");
  await third;
  assert.deepEqual(
    s.asked.map((call) => (call[2] as { executionId: string }).executionId),
    ["l1", "l3"],
  );
});

test("node.cancel stops a caller's own runs only and broadcasts cancelled; another's run, or one the conductor does not know, is 'Execution not found'", async () => {
  const s = server();
  s.listen();
  const run = s.execute("a1", alice);
  const notFound = { result: { success: false, error: "Execution not found" } };
  assert.deepEqual(await s.dispatch("node", "cancel", "a1", bob), notFound);
  assert.deepEqual(s.names(), ["node.run"], "the conductor is not asked for another's run");
  assert.deepEqual(await s.dispatch("node", "cancel", "a1", alice), { result: { success: true } });
  assert.deepEqual(await s.dispatch("node", "cancel", "a1", admin), { result: { success: true } });
  s.answers["node.cancel"] = () => false;
  assert.deepEqual(await s.dispatch("node", "cancel", "elsewhere"), notFound);
  assert.deepEqual(s.names(), ["node.run", "node.cancel", "node.cancel", "node.cancel"]);
  assert.deepEqual(
    s.heard.map(([channel, event, data]) => [channel, event, (data as { executionId: string }).executionId]),
    [
      ["node", "cancelled", "a1"],
      ["node", "cancelled", "a1"],
    ],
  );
  assert.equal(typeof (s.heard[0]![2] as { timestamp: unknown }).timestamp, "number");
  s.end("a1");
  await run;
});

test("node.pause, resume and step control a caller's own runs only, and say 'Execution not found' when the conductor does not know the run", async () => {
  const s = server();
  const run = s.execute("a1", alice);
  for (const command of ["pause", "resume", "step"]) {
    assert.deepEqual(await s.dispatch("node", command, "a1", bob), { result: { success: false, error: "Execution not found" } });
    assert.deepEqual(await s.dispatch("node", command, "a1", alice), { result: { success: true } });
    s.answers[`node.${command}`] = () => false;
    assert.deepEqual(await s.dispatch("node", command, "a1"), { result: { success: false, error: "Execution not found" } });
  }
  assert.deepEqual(s.asked.slice(1), [
    ["node.pause", "a1"],
    ["node.pause", "a1"],
    ["node.resume", "a1"],
    ["node.resume", "a1"],
    ["node.step", "a1"],
    ["node.step", "a1"],
  ]);
  s.end("a1");
  await run;
});

test("node.validate hands a missing node on as null, and node.health answers ok with the time", async () => {
  const s = server();
  await s.dispatch("node", "validate", {});
  await s.dispatch("node", "validate", { node: FLOW });
  assert.deepEqual(s.asked, [
    ["node.validate", null],
    ["node.validate", FLOW],
  ]);
  const health = (await resultOf(s.dispatch("node", "health"))) as { status: string; timestamp: unknown };
  assert.deepEqual([health.status, typeof health.timestamp], ["ok", "number"]);
});

test("with scope own a caller saves, loads, lists, counts and deletes only its own flows under its own ids; the app and scope all see stored ids", async () => {
  const s = server();
  s.listen();
  assert.deepEqual(await s.dispatch("storage", "saveFlow", { flow: { id: "f", name: "A" } }, alice), { result: { id: "f", name: "A" } });
  const [stored] = [...s.flows.keys()];
  assert.match(stored ?? "", /^o[0-9a-f]{12}\.f$/);
  assert.deepEqual(await s.dispatch("storage", "loadFlow", { id: "f" }, alice), { result: { id: "f", name: "A" } });
  assert.deepEqual(await s.dispatch("storage", "loadFlow", { id: "f" }, bob), { error: "Flow not found: f", channelError: true });
  assert.deepEqual(await s.dispatch("storage", "loadFlow", { id: stored }, admin), { result: { id: stored, name: "A" } });
  const listed = async (who?: Caller) =>
    ((await resultOf(s.dispatch("storage", "listFlows", {}, who))) as { flows: Flow[] }).flows.map((f) => f.id);
  assert.deepEqual([await listed(alice), await listed(bob), await listed()], [["f"], [], [stored]]);
  const counted = async (who: Caller) => ((await resultOf(s.dispatch("storage", "health", {}, who))) as { flowCount: number }).flowCount;
  assert.deepEqual([await counted(alice), await counted(bob), await counted(admin)], [1, 0, 1]);
  await s.dispatch("storage", "deleteFlow", { id: "f" }, bob);
  assert.equal(s.flows.size, 1, "another's delete reaches none of alice's flows");
  assert.deepEqual(await s.dispatch("storage", "deleteFlow", { id: "f" }, alice), { result: undefined });
  assert.equal(s.flows.size, 0);
  const aliceDeleted = s.heard.at(-1) as [string, string, { id: string; deletedAt: string }];
  assert.deepEqual(aliceDeleted.slice(0, 2), ["storage", "flowDeleted"]);
  assert.equal(aliceDeleted[2].id, stored, "broadcast with the stored id");
  assert.equal(new Date(aliceDeleted[2].deletedAt).toISOString(), aliceDeleted[2].deletedAt);
  const seen = (who: Caller | undefined) => s.handlers.visibleTo(who, "storage", "flowDeleted", aliceDeleted[2]);
  assert.deepEqual(seen(alice), { data: { ...aliceDeleted[2], id: "f" } });
  assert.equal(seen(bob), undefined);
  assert.deepEqual([seen(admin), seen(undefined)], [{ data: aliceDeleted[2] }, { data: aliceDeleted[2] }]);
});

/** Every history, cache and trigger command, as `[channel, command]`. */
const GUARDED: Array<[string, string]> = [
  ...["list", "counts", "get", "delete", "prune", "differences", "due"].map((command): [string, string] => ["executions", command]),
  ...["clear", "invalidate", "stats"].map((command): [string, string] => ["cache", command]),
  ...["activate", "deactivate", "list", "fires", "pause", "resume"].map((command): [string, string] => ["triggers", command]),
];

test("execution history, the cache and triggers are refused to scope own with PERMISSION_DENIED, and are IMPLEMENTATION_NOT_FOUND on a conductor without them", async () => {
  const s = server();
  for (const [channel, command] of GUARDED) {
    assert.deepEqual(
      await s.dispatch(channel, command, { id: "x", flowId: "f" }, bob),
      {
        error: 'Execution history needs a grant with scope "all" (runs are not kept per caller)',
        code: ErrorCode.PERMISSION_DENIED,
        channelError: true,
      },
      `${channel}.${command}`,
    );
  }
  assert.deepEqual(s.asked, []);
  const bare = server({}, { executions: false, cache: false, triggers: false });
  const missing: Record<string, string> = {
    executions: "This server's conductor keeps no execution history",
    cache: "This server's conductor has no result cache",
    triggers: "This server's conductor has no triggers",
    waits: "This server's conductor keeps no execution history: no run waits",
  };
  for (const [channel, command] of [...GUARDED, ["waits", "signal"], ["waits", "approve"], ["waits", "resumeUrl"]]) {
    assert.deepEqual(
      await bare.dispatch(channel!, command!, {}, admin),
      { error: missing[channel!], code: ErrorCode.IMPLEMENTATION_NOT_FOUND, channelError: true },
      `${channel}.${command}`,
    );
  }
});

test("history, cache and trigger commands pass their arguments on; triggers run with the caller's permissions, else the handlers', else none", async () => {
  const s = server({ permissions: { files: false } });
  const calls: Array<[string, string, unknown, Caller?]> = [
    ["executions", "get", { id: 5 }, admin],
    ["executions", "differences", { of: "a", run: "b" }],
    ["executions", "due", { executionId: "w" }],
    ["executions", "delete", { id: "d" }],
    ["cache", "invalidate", { flowId: "f", nodeId: 3 }],
    ["triggers", "fires", { trigger: "f/n", limit: 2 }],
    ["triggers", "pause", { flowId: "f", nodeId: "n", limit: "2" }],
    ["triggers", "activate", { flowId: "f" }, caller("user:root", "all", { permissions: { http: true } })],
    ["triggers", "activate", { flowId: "g" }],
  ];
  const results = [];
  for (const [channel, command, args, who] of calls) results.push(await s.dispatch(channel, command, args, who));
  assert.deepEqual(s.asked, [
    ["executions.get", "5"],
    ["executions.differences", "a", "b"],
    ["executions.due", { executionId: "w" }],
    ["executions.delete", "d"],
    ["cache.invalidate", { flowId: "f" }],
    ["triggers.fires", "f/n", { limit: 2 }],
    ["triggers.pause", { flowId: "f", nodeId: "n" }],
    ["triggers.activate", "f", { permissions: { http: true } }],
    ["triggers.activate", "g", { permissions: { files: false } }],
  ]);
  assert.deepEqual(results[3], { result: undefined }, "a delete answers nothing");
  const open = server();
  await open.dispatch("triggers", "activate", { flowId: "h" });
  assert.deepEqual(open.asked, [["triggers.activate", "h", {}]]);
});

test("waits are open whatever the caller's scope: they resume the run unless told resume: false, null stays null, an error's time becomes ISO text", async () => {
  const s = server();
  assert.deepEqual(await s.dispatch("waits", "signal", { executionId: "e", name: "go", payload: { p: 1 } }, bob), {
    result: "executions.signal",
  });
  s.answers["executions.signal"] = () => null;
  assert.deepEqual(await s.dispatch("waits", "signal", { executionId: "e", name: "go", resume: false }, bob), { result: null });
  s.answers["executions.approve"] = () => ({ success: false, error: { code: "X", message: "m", timestamp: new Date(9) } });
  const approved = (await resultOf(s.dispatch("waits", "approve", { executionId: "e", nodeId: "n", approved: true, resume: "no" }))) as {
    error: { timestamp: unknown };
  };
  assert.equal(approved.error.timestamp, "1970-01-01T00:00:00.009Z");
  assert.deepEqual(s.asked, [
    ["executions.signal", "e", "go", { p: 1 }, { resume: true }],
    ["executions.signal", "e", "go", undefined, { resume: false }],
    ["executions.approve", "e", "n", { approved: true }, { resume: true }],
  ]);
});

test("an authenticated caller's approval is by that caller (user name, else key id); naming another is PERMISSION_DENIED; anonymous or no caller: by as given", async () => {
  const s = server();
  const approve = (by: unknown, who?: Caller) => s.dispatch("waits", "approve", { executionId: "e", nodeId: "n", approved: true, by }, who);
  const ann = caller("user:1", "own", {}, { user: { id: "1", username: "ann" } });
  const key = caller("key:k1", "own", {}, { kind: "apiKey" });
  const anonymous = caller("anonymous", "all", {}, { kind: "anonymous" });
  await approve(undefined, ann);
  await approve("ann", ann);
  await approve(null, key);
  await approve("whoever", anonymous);
  await approve(undefined);
  assert.deepEqual(
    s.asked.map((call) => (call[3] as { by?: unknown }).by),
    ["ann", "ann", "key:k1", "whoever", undefined],
  );
  assert.deepEqual(await approve("bob", ann), {
    error: "An approval by 'bob' cannot come from 'ann': leave 'by' out, or give your own name",
    code: ErrorCode.PERMISSION_DENIED,
    channelError: true,
  });
  assert.equal(s.asked.length, 5, "the refused approval reached nothing");
});

/** A server whose conductor has run `parked` waiting for signal `go` (since `since`) and every other run finished. */
function parkedServer(options: ChannelHandlersOptions = {}, since = 1) {
  const s = server(options);
  s.answers["executions.get"] = (id: string) =>
    id === "parked"
      ? { status: "waiting", error: { context: { nodeId: "w", kind: "signal", signal: "go", since } } }
      : { status: "completed" };
  const resumeUrl = async (executionId = "parked") =>
    ((await resultOf(s.dispatch("waits", "resumeUrl", { executionId }))) as { path: string }).path;
  return { ...s, resumeUrl };
}

test("waits.resumeUrl gives the path of a parked run's wait, and redeem wakes that wait with it; a wrong token is 403, a run not waiting is refused", async () => {
  const s = parkedServer();
  const path = await s.resumeUrl();
  const [, waits, id, token] = path.split("/");
  assert.deepEqual([waits, id], ["waits", "parked"]);
  assert.match(token ?? "", /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(await s.handlers.redeem("parked", `${token?.startsWith("A") ? "B" : "A"}${token?.slice(1)}`, {}), {
    status: 403,
    body: {
      error: "This resume URL is not valid: its token is wrong, or the wait it belongs to has ended",
      code: ErrorCode.PERMISSION_DENIED,
    },
  });
  assert.deepEqual(await s.handlers.redeem("parked", token!, { x: 1 }), { status: 202, body: { accepted: true, executionId: "parked" } });
  assert.deepEqual(s.asked.slice(-2), [
    ["executions.signal", "parked", "go", { x: 1 }, { resume: false }],
    ["executions.resume", "parked"],
  ]);
  assert.deepEqual(await failureOf(s.dispatch("waits", "resumeUrl", { executionId: "done" })), {
    error: "Execution done is not waiting",
    code: ErrorCode.VALIDATION_FAILED,
    channelError: true,
  });
  const bare = server({}, { executions: false });
  assert.deepEqual(await bare.handlers.redeem("parked", token!, {}), {
    status: 404,
    body: { error: "Not found", code: ErrorCode.IMPLEMENTATION_NOT_FOUND },
  });
});

test("one waitSecret signs the same resume URL on every server; without one each server signs its own; one under 32 characters is refused", async () => {
  const waitSecret = "s".repeat(32);
  assert.equal(await parkedServer({ waitSecret }).resumeUrl(), await parkedServer({ waitSecret }).resumeUrl());
  assert.notEqual(
    await parkedServer({ waitSecret }).resumeUrl(),
    await parkedServer({ waitSecret }, 2).resumeUrl(),
    "a new wait, a new URL",
  );
  assert.notEqual(await parkedServer().resumeUrl(), await parkedServer().resumeUrl());
  assert.throws(
    () => createChannelHandlers(servedConductor().conductor, { waitSecret: "s".repeat(31) }),
    (error: unknown) =>
      error instanceof ConductorError &&
      error.code === ErrorCode.VALIDATION_FAILED &&
      error.message === "Invalid protocol server options: 'waitSecret' must be at least 32 characters",
  );
});

test("the conductor's events are forwarded only while someone subscribes, once however many do, each subscriber hearing every broadcast until it leaves", () => {
  const s = server();
  assert.deepEqual(s.listening(), [0, 0, 0, 0, 0, 0]);
  const first: unknown[] = [];
  const leaveFirst = s.handlers.subscribe((channel, event, data) => first.push([channel, event, data]));
  assert.deepEqual(s.listening(), [1, 1, 1, 1, 1, 1]);
  const leaveSecond = s.listen();
  assert.deepEqual(s.listening(), [1, 1, 1, 1, 1, 1], "forwarded once");
  s.emit("progress", { executionId: "p", progress: 50 });
  leaveFirst();
  assert.deepEqual(s.listening(), [1, 1, 1, 1, 1, 1], "one still listens");
  s.emit("flowSaved", { id: "f" });
  assert.deepEqual(first, [["node", "progress", { executionId: "p", progress: 50 }]]);
  assert.deepEqual(s.heard, [first[0], ["storage", "flowSaved", { id: "f" }]]);
  leaveSecond();
  assert.deepEqual(s.listening(), [0, 0, 0, 0, 0, 0]);
  s.emit("progress", {});
  assert.equal(s.heard.length, 2);
  s.listen();
  assert.deepEqual(s.listening(), [1, 1, 1, 1, 1, 1], "forwarding again for a new subscriber");
});

test("visibleTo shows every broadcast to the app and to scope all; to scope own, only its own runs' node events, and other channels as they are", async () => {
  const s = server();
  const run = s.execute("a1", alice);
  const event = { executionId: "a1", progress: 10 };
  for (const who of [undefined, admin, alice]) assert.deepEqual(s.handlers.visibleTo(who, "node", "progress", event), { data: event });
  assert.equal(s.handlers.visibleTo(bob, "node", "progress", event), undefined);
  assert.equal(s.handlers.visibleTo(bob, "node", "progress", { executionId: 1 }), undefined);
  assert.equal(s.handlers.visibleTo(alice, "node", "progress", null), undefined);
  assert.deepEqual(s.handlers.visibleTo(bob, "system", "appRestarting", { timestamp: 1 }), { data: { timestamp: 1 } });
  assert.equal(s.handlers.visibleTo(bob, "storage", "flowSaved", { id: "f" }), undefined, "a flow not bob's");
  s.end("a1");
  await run;
});

/** A request to `/hooks/p`, as the HTTP handler hands it over. */
const hookRequest = (): IncomingHook =>
  ({
    path: "p",
    query: "",
    request: { method: "POST", headers: {}, rawHeaders: [] },
    readBody: async () => Buffer.from("{}"),
    authenticated: () => false,
  }) as unknown as IncomingHook;

/** A server with trigger `f/hook` on `/hooks/p`, whose route has `limits`; each delivery starts run `hook-<n>`. */
function hookServer(options: ChannelHandlersOptions, limits: { concurrentRuns?: number } = {}) {
  const s = server(options);
  s.flows.set("f", { id: "f" });
  s.answers["triggers.hook"] = () => ({ trigger: "f/hook", maxBytes: 1000, serverAuth: false, ...limits });
  let n = 0;
  s.answers["triggers.deliver"] = () => ({
    start: { executionId: `hook-${++n}`, flowId: "f", nodeId: "hook", trigger: {} },
    respond: "accepted",
  });
  return s;
}

test("a webhook without limits of its own has the server's, and its runs get the server's permissions; without triggers it is 404", async () => {
  const s = hookServer({ limits: { concurrentRuns: 1 }, permissions: { shell: false } });
  assert.deepEqual(await s.handlers.webhook(hookRequest()), { status: 202, body: { executionId: "hook-1" } });
  const delivered = s.asked.find(([name]) => name === "triggers.deliver")?.[1] as { permissions?: unknown };
  assert.deepEqual(delivered.permissions, { shell: false });
  assert.deepEqual(await s.handlers.webhook(hookRequest()), {
    status: 429,
    body: { error: "Rate limit exceeded: 1 runs at once is the limit for this caller", code: ErrorCode.RATE_LIMIT_EXCEEDED },
    headers: { "Retry-After": "1" },
  });
  const own = hookServer({ limits: { concurrentRuns: 1 } }, { concurrentRuns: 2 });
  await own.handlers.webhook(hookRequest());
  assert.deepEqual(await own.handlers.webhook(hookRequest()), { status: 202, body: { executionId: "hook-2" } }, "the hook's own limit");
  assert.deepEqual(await server({}, { triggers: false }).handlers.webhook(hookRequest()), {
    status: 404,
    body: { error: "This server has no triggers", code: ErrorCode.IMPLEMENTATION_NOT_FOUND },
  });
});
