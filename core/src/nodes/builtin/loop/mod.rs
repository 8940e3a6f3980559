//! `loop`: forEach, times and while loops.

mod execute;
mod schema;
#[cfg(feature = "streams")]
mod stream;

/// The node type's name, in its error messages.
const TYPE: &str = "loop";

builtin_node_type! {
    /// The `loop` node type.
    Loop: "loop",
    streaming: stream::streaming,
}
