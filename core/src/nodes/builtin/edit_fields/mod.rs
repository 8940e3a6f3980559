//! `edit-fields`: set fields on the input object, or on each item of an input array.

mod execute;
mod schema;
#[cfg(feature = "streams")]
mod stream;

/// The node type's name, in its error messages.
const TYPE: &str = "edit-fields";

builtin_node_type! {
    /// The `edit-fields` node type.
    EditFields: "edit-fields",
    // Pure, unless a template reads `{{$now}}` (the time it runs).
    caching: |invocation| {
        use crate::value::Value;
        let reads_now = |text: &str| text.contains("$now");
        let now = match invocation.param("values") {
            Some(Value::String(text)) => reads_now(text),
            Some(Value::Object(values)) => {
                values.values().any(|v| v.as_str().is_some_and(reads_now))
            }
            _ => false,
        };
        if now {
            crate::nodes::Caching::OptIn { files: Vec::new() }
        } else {
            crate::nodes::Caching::Pure
        }
    },
    streaming: stream::streaming,
}
