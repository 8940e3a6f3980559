//! `group`: a container; with no children it passes its input through.

#[cfg(feature = "reference")]
pub(crate) mod docs;
mod execute;
mod schema;

builtin_node_type! {
    /// The `group` node type.
    Group: "group",
}
