//! `transform`: map, filter, reduce, sort and other operations over an array.

mod execute;
mod operations;
mod parts;
mod schema;
// A transform as a stage of a stream of rows (sorting included: runs held and spilled to files).
#[cfg(feature = "streams")]
mod stream;

builtin_node_type! {
    /// The `transform` node type.
    Transform: "transform",
    streaming: stream::streaming,
}
