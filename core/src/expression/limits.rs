//! Resource limits applied at compile time and per call.

/// Bounds on what one compile or one call may consume. Every limit fails with a
/// [`super::ExpressionErrorKind::Budget`] (or `Syntax` for nesting) error instead of
/// exhausting the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Evaluation steps per call: each evaluated node and each builtin iteration costs one.
    pub max_steps: u64,
    /// Maximum syntactic nesting depth accepted by the parser, and maximum height of the
    /// syntax tree. Every nested construct counts (a bracket, brace or parenthesis level
    /// counts two: the container and the expression inside, so the default allows about 100
    /// nested brackets). It also bounds recursion in the compiler and interpreter (function
    /// calls may nest up to `4 * max_depth` levels of syntax tree), so hostile sources
    /// cannot overflow the stack: at the default, the worst-case nesting tests run within half
    /// of wasm's 1 MiB stack in release builds (2 MiB unoptimised; the stack they took when
    /// measured is in docs/PERFORMANCE.md, "Engine internals").
    pub max_depth: usize,
    /// Maximum length in bytes (UTF-8) of any string created during a call. Scanning or
    /// copying string data also costs one step per 256 bytes.
    pub max_string_len: usize,
    /// Maximum number of elements of any array created during a call.
    pub max_array_len: usize,
    /// Maximum nesting of arrays/objects/closures created during a call, and of values
    /// walked recursively (`JSON.stringify`, `JSON.parse`, `flat`, `join`). Keeps the
    /// recursion of drops and serialisation within a safe bound.
    pub max_value_depth: usize,
    /// Maximum size of a call's result, estimated as its JSON length in bytes. Values
    /// share structure during evaluation (`xs.map(() => input)`), so the materialised
    /// result is bounded separately from the steps that built it. Node types also bound the
    /// results of all their calls together by this number (see [`super::OutputBudget`]).
    pub max_output_bytes: usize,
    /// Memory a call may allocate for the strings, arrays, objects and closures it creates, in
    /// bytes, counted as they are created (a value dropped at once still counts) and checked
    /// before each large allocation. Beside the step budget, which bounds time, it bounds
    /// what a few cheap steps can allocate (`'a'.repeat(2 ** 24)` is 65,536 steps).
    pub max_memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 1_000_000,
            max_depth: 200,
            max_string_len: 16 * 1024 * 1024,
            max_array_len: 10_000_000,
            max_value_depth: 256,
            max_output_bytes: 128 * 1024 * 1024,
            max_memory_bytes: 64 * 1024 * 1024,
        }
    }
}
