//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("results", "object[]", "One record per iteration: forEach `{index, item, processed, timestamp}`, times `{iteration, timestamp}`, while `{iteration, timestamp, condition}` (empty without collectResults)."),
    OutputField::new("iterationCount", "number", "Iterations made."),
    OutputField::new("errors", "unknown[]", "Always empty: an iteration makes a record and cannot fail."),
    OutputField::new("success", "boolean", "true."),
    OutputField::new("duration", "number", "Milliseconds the loop took."),
    OutputField::new("result", "object", "The same fields, with `completed` (at least one iteration) and `stopped`."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "For each item of an input array",
        r#"{"loopType": "forEach"}"#,
        r#"{"array": ["a", "b"]}"#,
    ),
    NodeExample::new("A number of times", r#"{"loopType": "times", "count": 3}"#, r#"{}"#),
    NodeExample::new(
        "While a condition holds",
        r#"{"loopType": "while", "condition": "iteration < 2"}"#,
        r#"{}"#,
    ),
];
