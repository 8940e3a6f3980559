//! `if`: sends its input out of its `true` or its `false` port, by a condition over it. The
//! nodes reached only through the port that did not fire are skipped.

mod execute;
mod schema;

builtin_node_type! {
    /// The `if` node type.
    If: "if",
    effects: |_| false,
    routes: true,
}
