//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("results", "object[]", "Per operation, in input order: `{index, input, result, timestamp}`, or `{index, input, error, timestamp}` when it failed (allSettled)."),
    OutputField::new("completed", "number", "Operations that succeeded."),
    OutputField::new("failed", "number", "Operations that failed."),
    OutputField::new("duration", "number", "Milliseconds for all of them."),
    OutputField::new("success", "boolean", "No operation failed."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[NodeExample::new(
    "Price each operation",
    r#"{"processFunction": "op => op.price * op.qty"}"#,
    r#"{"operations": [{"price": 2, "qty": 3}, {"price": 5, "qty": 1}]}"#,
)];
