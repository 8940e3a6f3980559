//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new(
        "result",
        "unknown",
        "The transformed data: an array, an object of groups (group), or one value (reduce).",
    ),
    OutputField::new("inputCount", "number", "Items in the input array."),
    OutputField::new(
        "outputCount",
        "number",
        "Items in the result (keys for an object, 1 for a single value).",
    ),
    OutputField::new("operation", "string", "The operation that ran."),
    OutputField::new("success", "boolean", "Always true (a failure fails the node)."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Map each item",
        r#"{"operation": "map", "transformFunction": "n => n * 2"}"#,
        r#"{"data": [1, 2, 3]}"#,
    ),
    NodeExample::new(
        "Keep items that pass",
        r#"{"operation": "filter", "transformFunction": "p => p.age > 40"}"#,
        r#"{"data": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}]}"#,
    ),
    NodeExample::new(
        "Reduce to one value",
        r#"{"operation": "reduce", "transformFunction": "(acc, item) => acc + item", "reduceInitial": "0"}"#,
        r#"{"data": [1, 2, 3, 4]}"#,
    ),
    NodeExample::new(
        "Sort by a key, descending",
        r#"{"operation": "sort", "sortKey": "age", "sortDirection": "desc"}"#,
        r#"{"data": [{"name": "Ada", "age": 36}, {"name": "Grace", "age": 45}]}"#,
    ),
    NodeExample::new(
        "Group by a key",
        r#"{"operation": "group", "groupKey": "team"}"#,
        r#"{"data": [{"name": "Ada", "team": "a"}, {"name": "Alan", "team": "b"}, {"name": "Grace", "team": "a"}]}"#,
    ),
];
