/**
 * What a Rust session looks like from JS, the same for the napi addon and the wasm module (both
 * wrap `atomiton_core::session::Session`). Runs are driven on the JS thread: `run`, `drive` and
 * `resolveCalls` return status bits saying what is waiting; the notifier is called when
 * something became ready elsewhere, and JS answers with `drive()`.
 *
 * Values cross as codec text (`values/codec.ts`) with binary data passed beside it. The methods
 * and their types come from the one Rust declaration (`methods.generated.ts`).
 */
import type { SessionMethods } from "./methods.generated.js";

export type { CatalogFunctions } from "./methods.generated.js";
export { SESSION_METHOD_GATES, SESSION_METHOD_KINDS, STATUS_CALLS, STATUS_COMPLETED, STATUS_EVENTS } from "./methods.generated.js";

/**
 * A session as the engine drives it. `runState` reads the session synchronously, which a session
 * in a Web Worker cannot give: there it is absent, and the conductor's store follows each run's
 * progress snapshots and change events instead.
 */
export type SessionHandle = Omit<SessionMethods, "runState"> & Partial<Pick<SessionMethods, "runState">>;
