/**
 * Unit tests of the transport switch (`configureTransport`, `shutdown`): which engine each call
 * goes to, that a run finishes on the engine it started on, that a replaced engine is released
 * once its last run is over (and only once), what a refused kind or setting leaves unchanged, and
 * how `shutdown` refuses, cancels or suspends, waits, flushes and releases. The engines are
 * in-test stand-ins that record what they are asked and whose runs end when the test says so;
 * the remote engine factory is one too (the HTTP transport it is handed is the real one, over a
 * `fetch` the test gives). The switch itself is the real one. Nothing here waits for real time.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { ChannelTransport } from "../types/channel-transport.js";
import type { NodeDefinition } from "../types/definition.js";
import { ConductorError, ErrorCode } from "../types/errors.js";
import type { ConductorConfig, NodeExecutorFactory } from "../types/execution.js";
import type { FetchLike } from "../types/fetch.js";
import type { WireEvent, WireResult } from "../types/wire.js";
import { SHUT_DOWN_MESSAGE } from "./closed-engine.js";
import type { EngineAdapter, WireRunOptions } from "./engine.js";
import { TransportSwitch, type LocalEngines } from "./transport-switch.js";

const FLOW = { id: "flow", type: "transform" } as unknown as NodeDefinition;
const options = (executionId: string) => ({ executionId, customTypes: [], events: false }) as WireRunOptions;

/** An engine that records what it is asked, into its own `log` and the test's `journal`. */
type Fake = EngineAdapter & {
  readonly name: string;
  readonly log: string[];
  /** How many times it was released (`close()`). */
  closed: number;
  /** Ends the run `executionId` with `result` (by default: a success whose data names this engine). */
  end(executionId: string, result?: WireResult): void;
};

type FakeOptions = {
  kind?: EngineAdapter["kind"];
  /** Whether `executions("suspend", id)` succeeds. */
  suspends?: boolean;
  /** Whether it has `health` and `restart`. */
  system?: boolean;
};

/** The engines of one test, and everything any of them was asked, in order. */
function world() {
  const journal: string[] = [];
  function engine(name: string, { kind = "native", suspends = false, system = false }: FakeOptions = {}): Fake {
    const log: string[] = [];
    const note = (what: string) => {
      log.push(what);
      journal.push(`${name}: ${what}`);
    };
    const runs = new Map<string, (result: WireResult) => void>();
    /** A call of the catalog or storage kind: noted, answered with this engine's name. */
    const answer =
      (what: string) =>
      (...args: unknown[]) => {
        note([what, ...args.filter((arg) => typeof arg === "string")].join(" "));
        return { ok: true, value: name };
      };
    const fake = {
      name,
      kind,
      log,
      closed: 0,
      setExecutorFactory(factory: unknown) {
        note(`setExecutorFactory ${String((factory as { label?: string } | undefined)?.label)}`);
      },
      setEventListener(listener: unknown) {
        note(`setEventListener ${String((listener as { label?: string }).label)}`);
      },
      flushEvents() {
        note("flushEvents");
      },
      run(_flow: NodeDefinition, given: WireRunOptions): Promise<WireResult> {
        note(`run ${given.executionId}`);
        return new Promise<WireResult>((resolve) => runs.set(given.executionId, resolve));
      },
      end(executionId: string, result: WireResult = { success: true, data: name }) {
        const resolve = runs.get(executionId);
        assert.ok(resolve, `${name} has no run ${executionId}`);
        runs.delete(executionId);
        resolve(result);
      },
      cancel(executionId: string) {
        note(`cancel ${executionId}`);
        return true;
      },
      controlRun(executionId: string, command: string) {
        note(`controlRun ${executionId} ${command}`);
        return true;
      },
      async executions(call: string, arg: string) {
        note(`executions ${call} ${arg}`.trimEnd());
        if (call === "suspend" && !suspends) return { ok: false, error: { code: "NODE_NOT_FOUND", message: "no", timestamp: 0 } };
        return { ok: true, value: name };
      },
      close() {
        note("close");
        fake.closed++;
      },
      validate: answer("validate"),
      saveFlow: async (flow: unknown) => answer("saveFlow")(flow),
      loadFlow: async (id: string) => answer("loadFlow")(id),
      listFlows: async () => answer("listFlows")(),
      deleteFlow: async (id: string) => answer("deleteFlow")(id),
      cache: async (call: string) => answer("cache")(call),
      triggers: async (call: string) => answer("triggers")(call),
      credentials: async (call: string) => answer("credentials")(call),
      listTemplates: answer("listTemplates"),
      getTemplate: answer("getTemplate"),
      nodeDefinitions: answer("nodeDefinitions"),
      nodeDefinition: answer("nodeDefinition"),
      nodeDefinitionsByCategory: answer("nodeDefinitionsByCategory"),
      parseFlow: answer("parseFlow"),
      flowToYaml: answer("flowToYaml"),
      executionId: (given?: string) => given ?? `${name}-id`,
      retryDelay: () => null,
      ...(system
        ? {
            async health() {
              note("health");
              return { status: "ok", timestamp: 0 };
            },
            async restart() {
              note("restart");
            },
          }
        : {}),
    };
    return fake as unknown as Fake;
  }
  return { journal, engine };
}

/** A conductor's switch over `home` (its own engine in this process), as the Node entry point builds it. */
function conductor(config: ConductorConfig = {}, { locals = true, homeKind = "native" as EngineAdapter["kind"] } = {}) {
  const w = world();
  const home = w.engine("home", { kind: homeKind, suspends: true });
  const created: Fake[] = [];
  const configs: ConductorConfig[] = [];
  const local: LocalEngines = {
    local: home,
    create(changed) {
      configs.push(structuredClone(changed));
      const made = w.engine(`local-${created.length + 1}`);
      created.push(made);
      return made;
    },
  };
  const remotes: Fake[] = [];
  const made: Array<{ transport: ChannelTransport; local: EngineAdapter }> = [];
  const switcher = new TransportSwitch(home, config, locals ? local : undefined, (transport, beside) => {
    made.push({ transport, local: beside });
    const remote = w.engine(`remote-${remotes.length + 1}`, { kind: "remote", system: true });
    remotes.push(remote);
    return remote;
  });
  return { ...w, home, created, configs, remotes, made, switcher, engine: switcher.engine, config };
}

/** A `fetch` that records the URLs it is asked for and answers `null`. */
function recordingFetch() {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    return { ok: true, status: 200, statusText: "OK", json: async () => null, text: async () => "null" };
  };
  return { urls, fetch };
}

/** What `engine` was asked, but for being handed the executor factory and event listener. */
const asked = (engine: Fake | undefined) => engine?.log.filter((line) => !line.startsWith("set"));

/** Lets every promise that can settle now settle (one turn of the event loop; no timer). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What `fn` throws, checked to be a `ConductorError`. */
function thrown(fn: () => unknown): ConductorError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConductorError, `a ConductorError, got ${String(error)}`);
    return error;
  }
  assert.fail("it did not throw");
}

test("until the transport changes, runs, cancellation and storage go to the engine the conductor was created with", async () => {
  const c = conductor();
  const pending = c.engine.run(FLOW, options("a"));
  await c.engine.cancel("a");
  await c.engine.saveFlow({ id: "f" });
  c.engine.nodeDefinitions();
  c.home.end("a");
  assert.equal((await pending).data, "home");
  assert.equal(c.engine.kind, "native");
  assert.deepEqual(c.home.log, ["run a", "cancel a", "saveFlow", "nodeDefinitions", "flushEvents"]);
  assert.equal(c.made.length, 0);
});

test("a remote kind makes one engine over that transport, beside the local engine; later runs, validation and storage go to it", async () => {
  const c = conductor();
  const { urls, fetch } = recordingFetch();
  c.switcher.configure("http", { apiUrl: "http://server:8080/", fetch });
  assert.equal(c.made.length, 1);
  const [made] = c.made;
  assert.equal(made?.local, c.home, "the local engine answers the catalog beside it");
  await made?.transport.channel("flows").call("list", {});
  assert.deepEqual(urls, ["http://server:8080/api/flows/list"]);
  const remote = c.remotes[0]!;
  assert.equal(c.engine.kind, "remote");
  const pending = c.engine.run(FLOW, options("a"));
  c.engine.validate(FLOW, []);
  await c.engine.saveFlow({ id: "f" });
  c.engine.nodeDefinitions();
  await c.engine.executions("list", "{}");
  remote.end("a");
  assert.equal((await pending).data, "remote-1");
  assert.deepEqual(asked(remote), ["run a", "validate", "saveFlow", "nodeDefinitions", "executions list {}", "flushEvents"]);
  assert.deepEqual(c.home.log, [], "the local engine is asked nothing");
});

test("a remote kind reads the conductor's apiUrl, else its serverUrl, when the settings name no URL; the settings' own URL wins", async () => {
  const cases: Array<[ConductorConfig, string | undefined, string]> = [
    [{ apiUrl: "http://api.example", serverUrl: "http://server.example" }, undefined, "http://api.example/api/c/m"],
    [{ serverUrl: "https://server.example" }, undefined, "https://server.example/api/c/m"],
    [{ apiUrl: "http://api.example" }, "http://given.example", "http://given.example/api/c/m"],
  ];
  for (const [config, apiUrl, expected] of cases) {
    const c = conductor(config);
    const { urls, fetch } = recordingFetch();
    c.switcher.configure("http", apiUrl ? { apiUrl, fetch } : { fetch });
    await c.made[0]?.transport.channel("c").call("m", {});
    assert.deepEqual(urls, [expected], JSON.stringify(config));
  }
});

test("a run started before configureTransport finishes on its old engine, while runs started after go to the new one", async () => {
  const c = conductor();
  const { fetch } = recordingFetch();
  const before = c.engine.run(FLOW, options("a"));
  c.switcher.configure("http", { apiUrl: "http://server", fetch });
  const remote = c.remotes[0]!;
  const after = c.engine.run(FLOW, options("b"));
  // A run's cancel and controls go to the engine it runs on; an unknown id to the current one.
  await c.engine.cancel("a");
  await c.engine.controlRun("a", "pause");
  await c.engine.cancel("b");
  await c.engine.cancel("elsewhere");
  c.home.end("a");
  assert.equal((await before).data, "home");
  remote.end("b");
  assert.equal((await after).data, "remote-1");
  // Each run's events are flushed on its own engine.
  assert.deepEqual(c.home.log, ["run a", "cancel a", "controlRun a pause", "flushEvents"]);
  assert.deepEqual(asked(remote), ["run b", "cancel b", "cancel elsewhere", "flushEvents"]);
});

test("an engine replaced while runs are on it is released once its last run is over, and only once", async () => {
  const c = conductor();
  const { fetch } = recordingFetch();
  c.switcher.configure("http", { apiUrl: "http://one", fetch });
  const one = c.remotes[0]!;
  const a = c.engine.run(FLOW, options("a"));
  const b = c.engine.run(FLOW, options("b"));
  c.switcher.configure("http", { apiUrl: "http://two", fetch });
  const two = c.remotes[1]!;
  assert.equal(one.closed, 0, "two runs are still on it");
  one.end("a");
  await a;
  assert.equal(one.closed, 0, "one run is still on it");
  one.end("b");
  await b;
  assert.equal(one.closed, 1, "released after its last run");
  c.switcher.configure("http", { apiUrl: "http://three", fetch });
  assert.equal(two.closed, 1, "an engine with no runs is released at once");
  await c.switcher.shutdown();
  assert.deepEqual(
    c.remotes.map((remote) => remote.closed),
    [1, 1, 1],
    "each released once, shutdown included",
  );
  assert.equal(c.home.closed, 1);
});

test("the local engine is not released when the transport changes, and 'local' brings runs back to it", async () => {
  const c = conductor();
  const { fetch } = recordingFetch();
  c.switcher.configure("http", { apiUrl: "http://server", fetch });
  c.switcher.configure("local");
  assert.equal(c.remotes[0]?.closed, 1, "the remote engine nobody uses is released");
  assert.equal(c.home.closed, 0);
  assert.equal(c.created.length, 0, "the same settings make no new engine");
  const pending = c.engine.run(FLOW, options("a"));
  c.home.end("a");
  assert.equal((await pending).data, "home");
  assert.equal(c.engine.kind, "native");
});

test("'local' with a new concurrency, timeout or requests per host runs later flows on a new engine made from the updated config; the same values make none", async () => {
  const config: ConductorConfig = { concurrency: 2, timeout: 1000 };
  const c = conductor(config);
  c.switcher.configure("local", { concurrency: 2, timeout: 1000 });
  assert.equal(c.created.length, 0, "nothing changed");
  c.switcher.configure("local", { concurrency: 4 });
  c.switcher.configure("local", { concurrency: 4 });
  assert.equal(c.created.length, 1);
  assert.equal(config.concurrency, 4, "the conductor's config is updated");
  c.switcher.configure("local", { timeout: 50 });
  c.switcher.configure("local", { http: { maxRequestsPerHost: 3 } });
  assert.deepEqual(c.configs, [
    { concurrency: 4, timeout: 1000 },
    { concurrency: 4, timeout: 50 },
    { concurrency: 4, timeout: 50, http: { maxRequestsPerHost: 3 } },
  ]);
  const [first, second, third] = c.created;
  assert.deepEqual([first?.closed, second?.closed, third?.closed], [1, 1, 0], "the replaced ones, with no runs, are released");
  // Runs and validation go to the new engine; storage and the catalog stay with the local one.
  const pending = c.engine.run(FLOW, options("a"));
  c.engine.validate(FLOW, []);
  await c.engine.saveFlow({ id: "f" });
  c.engine.nodeDefinitions();
  third?.end("a");
  assert.equal((await pending).data, "local-3");
  assert.deepEqual(asked(third), ["run a", "validate", "flushEvents"]);
  assert.deepEqual(c.home.log, ["saveFlow", "nodeDefinitions"]);
  // A remote engine is made beside the engine local runs go to.
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  assert.equal(c.made[0]?.local, third);
});

test("a local engine replaced while a run is on it finishes that run and is released after it", async () => {
  const c = conductor({ concurrency: 1 });
  c.switcher.configure("local", { concurrency: 2 });
  const first = c.created[0]!;
  const pending = c.engine.run(FLOW, options("a"));
  c.switcher.configure("local", { concurrency: 3 });
  const later = c.engine.run(FLOW, options("b"));
  assert.equal(first.closed, 0);
  first.end("a");
  assert.equal((await pending).data, "local-1");
  assert.equal(first.closed, 1);
  c.created[1]?.end("b");
  assert.equal((await later).data, "local-2");
  assert.equal(c.created[1]?.closed, 0, "the current one stays");
});

test("engines made later get the executor factory and event listener given before; later ones reach the current engines", () => {
  const c = conductor();
  const factory = { label: "f1" } as unknown as NodeExecutorFactory;
  const listener = Object.assign((_: WireEvent[]) => {}, { label: "l1" });
  c.engine.setExecutorFactory(factory);
  c.engine.setEventListener(listener);
  assert.deepEqual(c.home.log, ["setExecutorFactory f1", "setEventListener l1"]);
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  const remote = c.remotes[0]!;
  assert.deepEqual(remote.log, ["setExecutorFactory f1", "setEventListener l1"]);
  c.engine.setEventListener(Object.assign((_: WireEvent[]) => {}, { label: "l2" }));
  assert.deepEqual(remote.log, ["setExecutorFactory f1", "setEventListener l1", "setEventListener l2"]);
  assert.deepEqual(c.home.log, ["setExecutorFactory f1", "setEventListener l1"], "not a current engine");
});

test("health and restart are there only when the engine keeping storage has them", async () => {
  const c = conductor();
  assert.deepEqual({ health: c.engine.health, restart: c.engine.restart }, { health: undefined, restart: undefined });
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  assert.equal((await c.engine.health?.())?.status, "ok");
  await c.engine.restart?.();
  assert.deepEqual(asked(c.remotes[0]), ["health", "restart"]);
});

test("an unknown transport kind is refused with VALIDATION_FAILED, and changes nothing", async () => {
  const c = conductor();
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  const error = thrown(() => c.switcher.configure("carrier-pigeon", { concurrency: 9 }));
  assert.equal(error.code, ErrorCode.VALIDATION_FAILED);
  assert.match(error.message, /Unknown transport type 'carrier-pigeon' \(expected local, http, ws, ipc\)/);
  assert.equal(c.made.length, 1);
  assert.equal(c.created.length, 0);
  assert.equal(c.remotes[0]?.closed, 0, "the current engine is kept");
  const pending = c.engine.run(FLOW, options("a"));
  c.remotes[0]?.end("a");
  assert.equal((await pending).data, "remote-1");
});

test("unusable settings of a known kind are refused with their error, and change nothing", async () => {
  const c = conductor();
  const refused: Array<[string, { apiUrl?: string }, ErrorCode, RegExp]> = [
    ["http", {}, ErrorCode.VALIDATION_FAILED, /needs a server URL/],
    ["ws", { apiUrl: "ftp://server" }, ErrorCode.VALIDATION_FAILED, /Invalid server URL for the ws transport/],
    ["ipc", {}, ErrorCode.NO_TRANSPORT, /No IPC bridge/],
  ];
  for (const [kind, settings, code, message] of refused) {
    const error = thrown(() => c.switcher.configure(kind, settings));
    assert.equal(error.code, code, kind);
    assert.match(error.message, message);
  }
  assert.equal(c.made.length, 0, "no remote engine was made");
  assert.equal(c.home.closed, 0);
  assert.equal(c.engine.kind, "native");
  const pending = c.engine.run(FLOW, options("a"));
  c.home.end("a");
  assert.equal((await pending).data, "home");
});

test("'local' settings the new engine refuses leave the config and the engine as they were", async () => {
  const config: ConductorConfig = { concurrency: 2, timeout: 1000 };
  const home = world().engine("home");
  const refusing: LocalEngines = {
    local: home,
    create() {
      throw new Error("concurrency must be at least 1");
    },
  };
  const switcher = new TransportSwitch(home, config, refusing, () => home);
  assert.throws(() => switcher.configure("local", { concurrency: 0, timeout: 5 }), /at least 1/);
  assert.deepEqual(config, { concurrency: 2, timeout: 1000 });
  const pending = switcher.engine.run(FLOW, options("a"));
  home.end("a");
  assert.equal((await pending).data, "home");
});

test("a conductor with no local engines refuses 'local' with NO_TRANSPORT and keeps its engine and config", async () => {
  const config: ConductorConfig = { concurrency: 2 };
  const c = conductor(config, { locals: false, homeKind: "remote" });
  const error = thrown(() => c.switcher.configure("local", { concurrency: 8 }));
  assert.equal(error.code, ErrorCode.NO_TRANSPORT);
  assert.equal(error.message, "This conductor cannot run flows in this process");
  assert.equal(config.concurrency, 2);
  assert.equal(c.engine.kind, "remote");
  const pending = c.engine.run(FLOW, options("a"));
  c.home.end("a");
  assert.equal((await pending).data, "home");
  // Its own engine is the one beside a remote one, and is released only at shutdown.
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  assert.equal(c.made[0]?.local, c.home);
  assert.equal(c.home.closed, 0);
  await c.switcher.shutdown();
  assert.equal(c.home.closed, 1);
});

test("shutdown refuses new runs at once, cancels each run in flight on its own engine, and releases the engines only once those runs ended", async () => {
  const c = conductor();
  const { fetch } = recordingFetch();
  const onHome = c.engine.run(FLOW, options("a"));
  c.switcher.configure("http", { apiUrl: "http://one", fetch });
  const onOne = c.engine.run(FLOW, options("b"));
  c.switcher.configure("http", { apiUrl: "http://two", fetch });
  const onTwo = c.engine.run(FLOW, options("c"));
  const [one, two] = c.remotes as [Fake, Fake];
  let done = false;
  const closing = c.switcher.shutdown().then(() => {
    done = true;
  });
  assert.equal(c.switcher.isShutDown, true);
  let refused: WireResult | undefined;
  void c.engine.run(FLOW, options("d")).then((result) => {
    refused = result;
  });
  await settle();
  assert.equal(refused?.success, false, "answered at once, while runs are still in flight");
  assert.equal(refused?.error?.code, ErrorCode.NO_TRANSPORT);
  assert.equal(refused?.error?.message, SHUT_DOWN_MESSAGE);
  assert.ok(!c.journal.some((line) => line.endsWith("run d")), "no engine was asked to run it");
  assert.ok(c.home.log.includes("cancel a"));
  assert.ok(one.log.includes("cancel b"));
  assert.ok(two.log.includes("cancel c"));
  assert.ok(!c.journal.some((line) => line.includes("executions suspend")), "not suspended");
  const cancelled: WireResult = { success: false, error: { code: ErrorCode.CANCELLED, message: "cancelled", timestamp: 0 } };
  c.home.end("a", cancelled);
  one.end("b", cancelled);
  await settle();
  assert.equal(done, false, "a run is still going");
  assert.equal(c.home.closed, 0);
  assert.equal(two.closed, 0);
  two.end("c", cancelled);
  await closing;
  // Each run resolves with what its engine answered.
  for (const run of [onHome, onOne, onTwo]) assert.equal((await run).error?.code, ErrorCode.CANCELLED);
  assert.deepEqual(
    [c.home, one, two].map((engine) => engine.closed),
    [1, 1, 1],
  );
  // An engine of this process has written every run record before it is released; a remote one is not asked.
  assert.ok(c.home.log.indexOf("executions flush") >= 0);
  assert.ok(c.home.log.indexOf("executions flush") < c.home.log.indexOf("close"));
  assert.ok(!two.log.includes("executions flush"));
});

test("after shutdown every call fails with NO_TRANSPORT 'The conductor has been shut down ...', and configureTransport throws it", async () => {
  const c = conductor({ concurrency: 1 });
  c.switcher.configure("local", { concurrency: 2 });
  await c.switcher.shutdown();
  assert.deepEqual([c.home.closed, c.created[0]?.closed], [1, 1], "every engine released");
  const before = c.journal.length;
  const run = await c.engine.run(FLOW, options("a"));
  assert.equal(run.error?.code, ErrorCode.NO_TRANSPORT);
  assert.equal(run.error?.message, SHUT_DOWN_MESSAGE);
  for (const outcome of [
    await c.engine.saveFlow({}),
    await c.engine.listFlows({}),
    c.engine.nodeDefinitions(),
    await c.engine.validate(FLOW, []),
  ]) {
    assert.equal(outcome.ok, false);
    assert.equal(outcome.ok ? undefined : outcome.error.code, ErrorCode.NO_TRANSPORT);
  }
  assert.equal(await c.engine.cancel("a"), false);
  assert.equal((await c.engine.health?.())?.status, "error");
  for (const kind of ["local", "http", "nonsense"]) {
    const error = thrown(() => c.switcher.configure(kind, { concurrency: 5, apiUrl: "http://server" }));
    assert.equal(error.code, ErrorCode.NO_TRANSPORT);
    assert.equal(error.message, SHUT_DOWN_MESSAGE);
  }
  assert.equal(c.made.length, 0);
  assert.equal(c.created.length, 1);
  assert.equal(c.journal.length, before, "no engine was asked anything after shutdown");
});

test("shutdown is idempotent: one promise, each run cancelled once, each engine released once", async () => {
  const c = conductor();
  const pending = c.engine.run(FLOW, options("a"));
  const first = c.switcher.shutdown();
  const second = c.switcher.shutdown();
  assert.equal(second, first);
  await settle();
  c.home.end("a");
  await pending;
  await first;
  await c.switcher.shutdown();
  assert.equal(c.home.log.filter((line) => line === "cancel a").length, 1);
  assert.equal(c.home.closed, 1);
});

test("a suspending shutdown suspends a local engine's runs, cancels those it cannot suspend, and always cancels a remote engine's", async () => {
  const c = conductor({ concurrency: 1 });
  const onHome = c.engine.run(FLOW, options("a"));
  c.switcher.configure("local", { concurrency: 2 });
  const local = c.created[0]!;
  const onLocal = c.engine.run(FLOW, options("b"));
  c.switcher.configure("http", { apiUrl: "http://server", fetch: recordingFetch().fetch });
  const remote = c.remotes[0]!;
  const onRemote = c.engine.run(FLOW, options("c"));
  const closing = c.switcher.shutdown(true);
  await settle();
  assert.deepEqual(c.home.log, ["run a", "executions suspend a"], "suspended, not cancelled");
  assert.deepEqual(asked(local), ["run b", "executions suspend b", "cancel b"], "it could not suspend: cancelled");
  assert.deepEqual(asked(remote), ["run c", "cancel c"], "a remote engine's run is the server's: cancelled");
  c.home.end("a");
  local.end("b");
  remote.end("c");
  await Promise.all([onHome, onLocal, onRemote, closing]);
  assert.deepEqual([c.home.closed, local.closed, remote.closed], [1, 1, 1]);
});
