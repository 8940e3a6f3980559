//! `edit-fields`: set fields on the input object.

mod execute;
mod schema;
mod template;

builtin_node_type! {
    /// The `edit-fields` node type.
    EditFields: "edit-fields",
}
