//! `parallel`: process a list of operations with a bounded concurrency.

mod execute;
mod schema;

builtin_node_type! {
    /// The `parallel` node type.
    Parallel: "parallel",
}
