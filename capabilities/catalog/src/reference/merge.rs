//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test, with the inputs edges would deliver).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("(all)", "object", "The inputs that arrived, by input name (`input1`, `input2`, ... for edges without a targetHandle)."),
    OutputField::new("(first)", "unknown", "The first input to arrive."),
    OutputField::new("(append)", "unknown[]", "The inputs' lists one after the other (a value that is no list as one item)."),
    OutputField::new("(combine)", "object[]", "The inputs' records combined by `key`."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Append lists",
        r#"{"mode": "append"}"#,
        r#"{"input1": [1, 2], "input2": [3]}"#,
    ),
    NodeExample::new(
        "Combine records by a key",
        r#"{"mode": "combine", "key": "id"}"#,
        r#"{"people": [{"id": 1, "name": "Ada"}], "roles": [{"id": 1, "role": "maths"}, {"id": 2, "role": "logic"}]}"#,
    ),
];
