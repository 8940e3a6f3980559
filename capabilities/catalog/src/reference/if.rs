//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test, each a run of the node alone: its
//! output there is the value it sends on).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[OutputField::new(
    "(its input)",
    "unknown",
    "Its input value, sent out of `true` or `false` (an edge from an `if` names which in its `sourceHandle`); the nodes only the other port reaches are skipped.",
)];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Test the input",
        r#"{"condition": "item => item.amount > 100"}"#,
        r#"{"data": {"amount": 150}}"#,
    ),
    NodeExample::new(
        "A condition without an arrow is an expression of item",
        r#"{"condition": "item.tags.includes('urgent')"}"#,
        r#"{"data": {"tags": ["urgent"]}}"#,
    ),
];
