//! `transform`: map, filter, reduce, sort and other operations over an array.

mod execute;
#[cfg(feature = "streams")]
mod held_rows;
mod operations;
mod parts;
#[cfg(feature = "streams")]
mod run_file;
mod schema;
#[cfg(feature = "streams")]
mod stream;
#[cfg(feature = "streams")]
mod stream_sort;

builtin_node_type! {
    /// The `transform` node type.
    Transform: "transform",
    streaming: stream::streaming,
}
