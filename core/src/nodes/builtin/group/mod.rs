//! `group`: a container; with no children it passes its input through.

mod execute;
mod schema;

builtin_node_type! {
    /// The `group` node type.
    Group: "group",
}
