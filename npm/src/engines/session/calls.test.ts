/**
 * Unit tests of `ExecutorCalls`, the executor-call pump: each request the engine queues (a JS
 * executor to call, values JS keeps to write out, a call to abort, a question to the app's flow
 * storage, a traced node's span) is carried out and answered; synchronous answers come back from
 * `pump` with the batch they answer, later ones are sent to the engine together once per
 * microtask, with the status the engine answers handed to `settle`; binary data is fetched only
 * when the batch refers to it; an abort or `clear` means a call's answer is never sent.
 *
 * What stands in: the session handle is the test's (`takeCalls` gives the batch the test queued,
 * `resolveCalls` records what was sent and answers a status the test chose); executors and the
 * app's flow storage are the test's, answering when the test says. `KeptValues` and the codec
 * are the real ones. The pump itself is the real one. Nothing here waits for real time: `settle`
 * waits one turn of the event loop, for promises only.
 */
import * as assert from "node:assert/strict";
import { test } from "node:test";
import type { FlowTextQuestion, FlowTexts } from "../../conductor/engine.js";
import type { NodeExecutable } from "../../types/execution.js";
import { type Answers, ExecutorCalls } from "./calls.js";
import type { SessionHandle } from "./handle.js";
import { KeptValues } from "./kept-values.js";

/** Every pending promise callback and microtask has run (one turn of the event loop; no timing). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A promise the test settles. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** `[id, outcome]` pairs of answer texts. */
const read = (texts: readonly string[]) => texts.map((text) => JSON.parse(text) as [number, Record<string, unknown>]);

/** What the engine was sent with `resolveCalls`: the answers of each batch, and its binary data. */
type Sent = { answers: Array<[number, Record<string, unknown>]>; buffers: Uint8Array[] };

/**
 * A pump over a stand-in session: `ask` queues a batch (records as codec text, binary data beside
 * it) and pumps it; `sent` is every later batch the engine was sent, `statuses` what `settle` got.
 */
function pumpOver(executors: Record<string, NodeExecutable> = {}) {
  const batches: Array<{ text: string; buffers: Uint8Array[] }> = [];
  const asked: string[] = [];
  const sent: Sent[] = [];
  const statuses: number[] = [];
  const handle = {
    takeCalls() {
      asked.push("takeCalls");
      return batches[0]?.text ?? "[]";
    },
    takeCallBuffers() {
      asked.push("takeCallBuffers");
      return batches[0]?.buffers ?? [];
    },
    resolveCalls(text: string, buffers: Uint8Array[]) {
      sent.push({ answers: JSON.parse(text) as Sent["answers"], buffers });
      return 40 + sent.length;
    },
  } as unknown as SessionHandle;
  const kept = new KeptValues();
  const calls = new ExecutorCalls(handle, kept, (status) => statuses.push(status));
  calls.factory = { getNodeExecutable: (type) => executors[type] };
  const ask = (records: string | unknown[], buffers: Uint8Array[] = []): Answers => {
    batches.unshift({ text: typeof records === "string" ? records : JSON.stringify(records), buffers });
    try {
      return calls.pump();
    } finally {
      batches.shift();
    }
  };
  return { calls, kept, asked, sent, statuses, ask };
}

const call = (id: number, type: string, params: Record<string, unknown> = {}, run = "run-1") => ({ kind: "call", id, run, type, params });
const materialize = (id: number, values: unknown[], run = "run-1") => ({ kind: "materialize", id, run, values });
/** A `js` tag: the value JS keeps under handle `id`. */
const handleTag = (id: number) => ({ $atomiton: "js", v: id });

test("a synchronous executor is called with its params and a signal, and answered in the batch pump returns, nothing sent apart", () => {
  const seen: Array<Record<string, unknown>> = [];
  const p = pumpOver({
    double: {
      execute(params) {
        seen.push({ ...params, aborted: params.signal.aborted });
        return (params.x as number) * 2;
      },
    },
  });
  const answered = p.ask([call(7, "double", { x: 21 })]);
  assert.deepEqual(read(answered.texts), [[7, { ok: true, value: 42 }]]);
  assert.deepEqual(seen, [{ x: 21, signal: seen[0]?.signal, aborted: false }]);
  assert.ok(seen[0]?.signal instanceof AbortSignal);
  assert.equal(p.sent.length, 0);
});

test("an executor's value is handed over: small scalars as they are, an object kept in JS under the run and sent as its handle", () => {
  const value = { big: [1, 2, 3] };
  const p = pumpOver({
    scalar: { execute: () => "short text" },
    object: { execute: () => value },
    nothing: { execute: () => undefined },
  });
  const answered = p.ask([call(1, "scalar"), call(2, "object", {}, "run-9"), call(3, "nothing")]);
  const [scalar, object, nothing] = read(answered.texts);
  assert.deepEqual(scalar, [1, { ok: true, value: "short text" }]);
  const handle = (object![1].value as { $atomiton: string; v: number }).v;
  assert.deepEqual(object, [2, { ok: true, value: handleTag(handle) }]);
  assert.equal(p.kept.resolve(handle), value, "the very same object is kept");
  assert.deepEqual(nothing, [3, { ok: true }]);
  p.kept.release("run-9");
  assert.equal(p.kept.size, 0, "kept under the run that produced it");
});

test("an executor that throws, a type no executor provides and a pump without a factory are answered as failures", () => {
  const p = pumpOver({
    throws: {
      execute() {
        throw Object.assign(new TypeError("bad input"), { code: "BAD" });
      },
    },
  });
  const [thrown, missing] = read(p.ask([call(1, "throws"), call(2, "unknown")]).texts);
  const error = thrown?.[1].error as { message: string; code: string; stack: unknown };
  assert.deepEqual([thrown?.[0], thrown?.[1].ok, error.message, error.code, typeof error.stack], [1, false, "bad input", "BAD", "string"]);
  const notFound = (type: string) => ({
    ok: false,
    error: { message: `No implementation found for node type: ${type}`, code: "NODE_TYPE_NOT_FOUND" },
  });
  assert.deepEqual(missing, [2, notFound("unknown")]);
  p.calls.factory = undefined;
  assert.deepEqual(read(p.ask([call(3, "throws")]).texts), [[3, notFound("throws")]]);
});

test("answers of asynchronous executors are sent together once per microtask, and settle gets the status the engine answered", async () => {
  const [a, b, c] = [deferred<unknown>(), deferred<unknown>(), deferred<unknown>()];
  const p = pumpOver({ a: { execute: () => a.promise }, b: { execute: () => b.promise }, c: { execute: () => c.promise } });
  const answered = p.ask([call(1, "a"), call(2, "b"), call(3, "c")]);
  assert.deepEqual(answered.texts, [], "none answered yet");
  await settle();
  assert.equal(p.sent.length, 0);
  b.resolve(true);
  a.reject(new Error("late failure"));
  await settle();
  assert.equal(p.sent.length, 1, "one batch for the answers of one microtask");
  assert.deepEqual(
    p.sent[0]?.answers.map(([id, outcome]) => [id, outcome.ok]),
    [
      [2, true],
      [1, false],
    ],
  );
  assert.deepEqual(p.statuses, [41]);
  c.resolve(5);
  await settle();
  assert.deepEqual(
    p.sent.map((batch) => batch.answers),
    [p.sent[0]?.answers, [[3, { ok: true, value: 5 }]]],
    "a later answer goes with a batch of its own",
  );
  assert.deepEqual(p.statuses, [41, 42]);
});

test("an abort aborts the call's signal with an AbortError, and the call's answer is never sent", async () => {
  const later = deferred<unknown>();
  let signal: AbortSignal | undefined;
  const p = pumpOver({
    slow: {
      execute(params) {
        signal = params.signal;
        return later.promise;
      },
    },
  });
  p.ask([call(4, "slow")]);
  assert.equal(signal?.aborted, false);
  assert.deepEqual(p.ask([{ kind: "abort", id: 4 }]).texts, [], "an abort has no answer");
  assert.equal(signal?.aborted, true);
  const reason = signal!.reason as DOMException;
  assert.ok(reason instanceof DOMException);
  assert.deepEqual([reason.name, reason.message], ["AbortError", "The node's run was cancelled or timed out"]);
  later.resolve("too late");
  await settle();
  assert.equal(p.sent.length, 0);
});

test("an abort reaches an executor that reads its signal only later, and an abort of an unknown call is ignored", async () => {
  const later = deferred<unknown>();
  let params: { signal: AbortSignal } | undefined;
  const p = pumpOver({
    lazy: {
      execute(given) {
        params = given;
        return later.promise;
      },
    },
  });
  p.ask([call(1, "lazy")]);
  p.ask([
    { kind: "abort", id: 1 },
    { kind: "abort", id: 99 },
  ]);
  assert.equal(params?.signal.aborted, true);
  assert.equal((params!.signal.reason as DOMException).name, "AbortError");
});

test("clear forgets the calls in flight: their later answers are not sent", async () => {
  const later = deferred<unknown>();
  const p = pumpOver({ slow: { execute: () => later.promise } });
  p.ask([call(1, "slow")]);
  p.calls.clear();
  later.resolve(1);
  await settle();
  assert.equal(p.sent.length, 0);
  assert.deepEqual(p.statuses, []);
});

test("values the engine asks for are written out in full, kept handles resolved, binary data passed beside the answers", () => {
  const p = pumpOver();
  const bytes = new Uint8Array([1, 2, 3]);
  const handle = p.kept.keep("run-1", { when: new Date(0), bytes }).id;
  const answered = p.ask([materialize(5, [handleTag(handle), "plain"])]);
  assert.deepEqual(answered.buffers, [bytes]);
  assert.deepEqual(read(answered.texts), [
    [
      5,
      {
        ok: true,
        value: [{ when: { $atomiton: "date", v: 0 }, bytes: { $atomiton: "bytes", kind: "Uint8Array", i: 0 } }, "plain"],
      },
    ],
  ]);
});

test("a value that cannot be written is refused with SERIALIZATION_FAILED, saying what and where", () => {
  const p = pumpOver();
  const fn = p.kept.keep("run-1", () => 1).id;
  const unreadable = p.kept.keep("run-1", {
    get field() {
      throw new Error("getter failed");
    },
  }).id;
  const [what, other] = read(p.ask([materialize(1, [handleTag(fn)]), materialize(2, ["ok", handleTag(unreadable)])]).texts);
  assert.deepEqual(what, [
    1,
    {
      ok: false,
      error: { message: "A value a built-in node reads holds a function at [0] cannot be carried", code: "SERIALIZATION_FAILED" },
    },
  ]);
  assert.deepEqual(other, [2, { ok: false, error: { message: "Error: getter failed", code: "SERIALIZATION_FAILED" } }]);
});

test("values holding large arrays are written in pieces and answered with a later batch, their binary data inline", async () => {
  const p = pumpOver();
  const large = Array.from({ length: 5000 }, (_, i) => i);
  const handle = p.kept.keep("run-1", { large, bytes: new Uint8Array([9]) }).id;
  const answered = p.ask([materialize(8, [handleTag(handle)])]);
  assert.deepEqual(answered, { texts: [], buffers: [] }, "not in this batch");
  // Written in a few pieces, a turn of the event loop between some: a bounded number of turns, not a time.
  for (let turn = 0; turn < 100 && p.sent.length === 0; turn++) await settle();
  assert.equal(p.sent.length, 1);
  const [id, outcome] = p.sent[0]!.answers[0]!;
  assert.equal(id, 8);
  assert.equal(outcome.ok, true);
  const [written] = outcome.value as Array<{ large: number[]; bytes: Record<string, unknown> }>;
  assert.deepEqual(written?.large, large);
  assert.deepEqual(written?.bytes, { $atomiton: "bytes", kind: "Uint8Array", v: "CQ==" });
  assert.deepEqual(p.sent[0]?.buffers, []);
  assert.deepEqual(p.statuses, [41]);
});

test("the batch's binary data is fetched only when its text refers to some", () => {
  const p = pumpOver({ echo: { execute: (params) => params.data } });
  p.ask([call(1, "echo", { data: 1 })]);
  assert.deepEqual(p.asked, ["takeCalls"]);
  const bytes = new Uint8Array([7, 8]);
  const text = JSON.stringify([call(2, "echo", { data: { $atomiton: "bytes", kind: "Uint8Array", i: 0 } })]);
  const answered = p.ask(text, [bytes]);
  assert.deepEqual(p.asked, ["takeCalls", "takeCalls", "takeCallBuffers"]);
  const [[, outcome]] = read(answered.texts) as [[number, { value: { v: number } }]];
  assert.deepEqual(p.kept.resolve(outcome.value.v), bytes, "the executor got the bytes");
});

test("a batch that cannot be read is reported and answered with nothing", (t) => {
  const errors = t.mock.method(console, "error", () => {});
  const p = pumpOver({ never: { execute: () => assert.fail("not called") } });
  assert.deepEqual(p.ask("[{not json"), { texts: [], buffers: [] });
  assert.equal(errors.mock.callCount(), 1);
  assert.equal(errors.mock.calls[0]?.arguments[0], "[@atomiton/conductor] a request from the engine could not be read:");
  assert.deepEqual(p.ask(JSON.stringify([handleTag(404)])), { texts: [], buffers: [] }, "a handle no longer kept");
  assert.equal(errors.mock.callCount(), 2);
});

/** A pump whose app storage is the test's: every question it got, answered by `answer`. */
function withStorage(answer: FlowTexts | undefined) {
  const p = pumpOver();
  const questions: FlowTextQuestion[] = [];
  p.calls.flowTexts = answer && ((question) => (questions.push(question), answer(question)));
  const storage = (id: number, op: FlowTextQuestion["op"], key: string, text?: string) => ({ kind: "storage", id, op, key, text });
  return { ...p, questions, storage };
}

test("a storage question is put to the app's flow storage and its answer sent with a later batch (nothing as null)", async () => {
  const p = withStorage(async ({ op, key }) => (op === "read" ? `text of ${key}` : undefined));
  const answered = p.ask([p.storage(1, "read", "flow-a"), p.storage(2, "write", "flow-b", "{}")]);
  assert.deepEqual(answered.texts, []);
  await settle();
  assert.deepEqual(p.questions, [
    { op: "read", key: "flow-a", text: undefined },
    { op: "write", key: "flow-b", text: "{}" },
  ]);
  assert.deepEqual(
    p.sent.map((batch) => batch.answers),
    [
      [
        [1, { ok: true, value: "text of flow-a" }],
        [2, { ok: true, value: null }],
      ],
    ],
  );
  assert.deepEqual(p.statuses, [41]);
});

test("a storage question fails with the storage's message when it rejects or throws, and when no storage was given", async () => {
  const failing = withStorage(({ key }) => {
    if (key === "throws") throw new Error("disk gone");
    return Promise.reject("quota");
  });
  failing.ask([failing.storage(1, "read", "throws"), failing.storage(2, "remove", "rejects")]);
  const none = withStorage(undefined);
  none.ask([none.storage(3, "keys", "")]);
  await settle();
  assert.deepEqual(
    failing.sent.flatMap((batch) => batch.answers),
    [
      [1, { ok: false, error: { message: "the app's flow storage failed: disk gone" } }],
      [2, { ok: false, error: { message: "the app's flow storage failed: quota" } }],
    ],
  );
  assert.deepEqual(
    none.sent.flatMap((batch) => batch.answers),
    [[3, { ok: false, error: { message: "the app's flow storage failed: no flow storage was given for this conductor's flows" } }]],
  );
});

test("a span request of a run not traced in this process is answered at once with no trace context", () => {
  const p = pumpOver();
  const answered = p.ask([{ kind: "span", id: 6, run: "untraced", node: 0, nodeId: "http", type: "http-request", spans: "not json" }]);
  assert.deepEqual(read(answered.texts), [[6, { ok: true, value: null }]]);
});

test("send hands the engine the answers as one JSON array with their binary data, and returns its status", () => {
  const p = pumpOver();
  const buffers = [new Uint8Array([1])];
  assert.equal(p.calls.send({ texts: ["[1,{}]", '[2,{"ok":true}]'], buffers }), 41);
  assert.deepEqual(p.sent, [
    {
      answers: [
        [1, {}],
        [2, { ok: true }],
      ],
      buffers,
    },
  ]);
  assert.deepEqual(p.statuses, [], "send does not settle");
});

test("after clear (the session stopped) a storage answer that comes later is not sent to the engine", async () => {
  const later = deferred<unknown>();
  const p = withStorage(() => later.promise);
  p.ask([p.storage(1, "read", "flow")]);
  await settle();
  p.calls.clear();
  later.resolve("text");
  await settle();
  assert.equal(p.sent.length, 0);
});
