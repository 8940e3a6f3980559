//! `loop`: forEach, times and while loops.

mod execute;
mod schema;

builtin_node_type! {
    /// The `loop` node type.
    Loop: "loop",
}
