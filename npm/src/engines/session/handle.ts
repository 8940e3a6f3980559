/**
 * What a Rust session looks like from JS, the same for the napi addon and the wasm module (both
 * wrap `atomiton_core::session::Session`). Runs are driven on the JS thread: `run`, `drive` and
 * `resolveCalls` return status bits saying what is waiting; the notifier is called when
 * something became ready elsewhere, and JS answers with `drive()`.
 *
 * Values cross as codec text (`values/codec.ts`) with binary data passed beside it.
 */
export type SessionHandle = {
  setNotifier(notify: () => void): void;
  run(runId: number, flowJson: string, optionsJson: string, buffers: Uint8Array[]): number;
  drive(): number;
  resolveCalls(answersJson: string, buffers: Uint8Array[]): number;
  /** Finished runs: the result as codec text, its binary data, its large arrays apart (see `values/sliced.ts`), its trace id. */
  takeCompleted(): Array<{ runId: number; result: string; buffers: Uint8Array[]; slices?: string[][]; trace?: number | null }>;
  /** A finished run's trace as JSON text, by the id `takeCompleted` gave; none once taken or dropped. */
  takeTrace(id: number): string | null | undefined;
  /** Forgets a trace that will not be read. */
  dropTrace(id: number): void;
  /**
   * The state of the run started last, as the JSON of a progress snapshot; none before any run
   * (or after a run refused before any node could run). Absent where the session is in a Web Worker (not readable synchronously).
   */
  runState?(): string | null | undefined;
  takeEvents(): string;
  /** Waiting executor calls, materialize requests and aborts, as one codec array text. */
  takeCalls(): string;
  /** The binary data the batch `takeCalls` gave last refers to (`"i": n` tags), once. */
  takeCallBuffers(): Uint8Array[];
  /** Synchronous in the page; a promise where the session is in a Web Worker. */
  cancel(executionId: string): boolean | Promise<boolean>;
  /**
   * Pauses, resumes or steps a run; false when there is no such run (a promise where the session
   * is in a Web Worker). Absent in modules built without debugging (the browser's default one).
   */
  controlRun?(executionId: string, command: string): boolean | Promise<boolean>;
  /** Execution ids of the runs going on (the native addon; absent in the wasm module). */
  running?(): string[];
  /** Synchronous in the page; a promise where the session is in a Web Worker. */
  validate(flowJson: string, customTypesJson: string): string | Promise<string>;
  saveFlow(flowJson: string): Promise<string>;
  loadFlow(id: string): Promise<string>;
  listFlows(optionsJson: string): Promise<string>;
  deleteFlow(id: string): Promise<string>;
  /** `executions.*` by name (absent in builds without execution history). */
  executions?(call: string, arg: string): Promise<string>;
  /** Marks a recorded run still `running` as `crashed` (its worker died); false when it is not (the native addon only). */
  markCrashed?(executionId: string, message: string): Promise<boolean>;
};

/** The module-level functions of either build; each returns an outcome envelope as JSON. */
export type CatalogFunctions = {
  nodeDefinitions(): string;
  nodeDefinition(type: string): string;
  nodeDefinitionsByCategory(): string;
  listTemplates(): string;
  getTemplate(id: string): string;
  parseFlow(text: string, optionsJson: string): string;
  flowToYaml(flowJson: string): string;
  recoveryTable(): string;
  engineVersion(): string;
  /** Whether the engine reads arrays of records sent as tables of columns (`rows` tags). */
  readsTables(): boolean;
};

/** Finished runs are waiting in `takeCompleted`. */
export const STATUS_COMPLETED = 1;
/** Executor calls or aborts are waiting in `takeCalls`. */
export const STATUS_CALLS = 2;
/** Events are waiting in `takeEvents`. */
export const STATUS_EVENTS = 4;
