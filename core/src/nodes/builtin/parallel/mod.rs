//! `parallel`: process a list of operations with a bounded concurrency.

#[cfg(feature = "reference")]
pub(crate) mod docs;
mod execute;
mod schema;

builtin_node_type! {
    /// The `parallel` node type.
    Parallel: "parallel",
}
