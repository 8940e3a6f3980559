//! `NodePort` and `NodeMetadata`, as the TypeScript engine shaped them. Both are declarative: the engine
//! never reads ports, and metadata only feeds display and templates.

use super::object::object_wrapper;

object_wrapper! {
    /// An input or output port as the editor draws it.
    NodePort {
        id => "id",
        name => "name",
        /// `"input" | "output" | "trigger" | "error"`.
        port_type => "type",
        /// `"string" | "number" | ... | "any"`.
        data_type => "dataType",
        description => "description",
    }
}

object_wrapper! {
    /// Display and discovery information about a node.
    NodeMetadata {
        id => "id",
        name => "name",
        author => "author",
        description => "description",
        /// `"io" | "data" | "logic" | "media" | "system" | ... | "group"`.
        category => "category",
        /// A lucide icon name.
        icon => "icon",
        version => "version",
        source => "source",
    }
}
