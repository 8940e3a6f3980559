//! Messages the TypeScript layer gives too, for failures it finds before a run reaches the
//! engine (an aborted signal, a definition without an id). Its copies are generated from these
//! (`MESSAGES` in `npm/src/types/wire.generated.ts`), so both sides say the same words.

/// A run stopped by cancellation (a signal, `node.cancel`, a shutdown).
pub const EXECUTION_CANCELLED: &str = "Execution cancelled";
/// `node.run` of a definition without an `id` or a `type`.
pub const INVALID_NODE_DEFINITION: &str = "Invalid node definition: id and type are required";
/// A flow saved with no nodes.
pub const EMPTY_FLOW: &str = "Flow must contain at least one node";
/// A process started with no program.
pub const NO_PROGRAM: &str = "No program given";
/// An HTTP request cancelled before its answer came.
pub const REQUEST_CANCELLED: &str = "The request was cancelled";

/// `credentials.*` where no credentials are kept (the browser's modules).
pub const NO_CREDENTIALS: &str = "This conductor keeps no credentials: a conductor on the native addon keeps them sealed in its storage, the WebAssembly editor module (history: true) and Node's WebAssembly fallback in memory; flows run in the browser's default module use them through a remote conductor";

/// Every shared message by its TypeScript name.
pub const ALL: &[(&str, &str)] = &[
    ("EXECUTION_CANCELLED", EXECUTION_CANCELLED),
    ("INVALID_NODE_DEFINITION", INVALID_NODE_DEFINITION),
    ("EMPTY_FLOW", EMPTY_FLOW),
    ("NO_PROGRAM", NO_PROGRAM),
    ("REQUEST_CANCELLED", REQUEST_CANCELLED),
    ("NO_CREDENTIALS", NO_CREDENTIALS),
];
