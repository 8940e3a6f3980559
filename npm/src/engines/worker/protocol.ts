/**
 * The messages between a page and the Web Worker that hosts its wasm session. Only codec text
 * (`values/codec.ts`), JSON text and `Uint8Array`s cross, so values arrive exactly as the
 * in-page engine would see them.
 *
 * Page → worker: `open` once, then session calls. Calls that return status bits (`run`,
 * `resolveCalls`) are not answered: what the session then has waiting comes back as `output`,
 * as does everything the session produces on its own (timers, fetches, storage). Calls with a
 * result (`cancel`, `validate`, storage) are answered by `reply`, matched by `id`.
 */

import type { FinishedRun, SESSION_METHOD_GATES, SESSION_METHOD_KINDS } from "../session/methods.generated.js";

/**
 * How to build the worker's session: the serialisable config, and whether storage is memory;
 * `editor`: load the editor module (history, the cache, plugins); `history`: record runs in
 * IndexedDB; `cache`: the config asks for a node result cache (kept in IndexedDB beside a kept history).
 */
export type OpenMessage = { op: "open"; configJson: string; memoryStorage: boolean; history: boolean; editor: boolean; cache: boolean };

export type RequestMessage =
  | { op: "run"; runId: number; flowJson: string; optionsJson: string; buffers: Uint8Array[] }
  | { op: "resolveCalls"; answersJson: string; buffers: Uint8Array[] }
  | { op: "call"; id: number; method: CallMethod; args: string[] };

type Kinds = typeof SESSION_METHOD_KINDS;
type Gates = typeof SESSION_METHOD_GATES;

/**
 * Session methods with a result, called by name with string arguments: those of kind `call` or
 * `promise` (from the Rust declaration of the session's methods), but the native addon's own.
 */
export type CallMethod = {
  [K in keyof Kinds]: Kinds[K] extends "call" | "promise" ? (K extends keyof Gates ? (Gates[K] extends "native" ? never : K) : K) : never;
}[keyof Kinds];

/** A finished run, as the session's `takeCompleted` gives it. */
export type Completed = FinishedRun;

/** What a driving call left waiting: the same three things its status bits name. */
export type OutputMessage = {
  kind: "output";
  /** A JSON array of events. */
  events?: string;
  completed?: Completed[];
  /** The traces of `completed`, taken at once (a trace is made only when the config asks). */
  traces?: Array<[number, string | null | undefined]>;
  calls?: { records: string; buffers: Uint8Array[] };
};

export type ReplyMessage =
  | { kind: "reply"; id: number; ok: true; value: unknown }
  | { kind: "reply"; id: number; ok: false; message: string };

export type WorkerMessage =
  | { kind: "ready" }
  /** The module could not be loaded or the session not created. */
  | { kind: "failed"; message: string }
  /** The module trapped (a Rust panic): the worker is unusable and should be terminated. */
  | { kind: "trap"; message: string }
  | OutputMessage
  | ReplyMessage;
