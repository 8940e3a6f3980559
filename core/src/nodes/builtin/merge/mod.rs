//! `merge`: joins branches. It runs when every input that can still arrive has (`all`,
//! `append`, `combine`), or at the first that does (`first`); an input whose branch was not
//! taken is simply absent, and a merge none of whose inputs arrives is skipped.

mod execute;
mod schema;

use crate::nodes::ParameterIssue;
use crate::value::{Map, Value};

/// The `merge` node type's name.
pub(crate) const MERGE_TYPE: &str = "merge";

builtin_node_type! {
    /// The `merge` node type.
    Merge: "merge",
    effects: |_| false,
    check: key_issues,
}

/// `key` is needed by `combine` and read by nothing else.
fn key_issues(parameters: &Map) -> Vec<ParameterIssue> {
    let mode = parameters.get("mode").and_then(Value::as_str).unwrap_or("all");
    let key = parameters.get("key").filter(|k| !k.is_null());
    let issue = match (mode, key) {
        ("combine", None) => ParameterIssue::new(
            "key",
            "A merge in mode 'combine' needs 'key' (the field records are combined by)",
        ),
        (mode, Some(_)) if mode != "combine" => ParameterIssue::new(
            "key",
            format!("'key' is read only by a merge in mode 'combine', not '{mode}'"),
        ),
        _ => return Vec::new(),
    };
    vec![issue]
}
