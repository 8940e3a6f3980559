//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test, each a run of the node alone).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[OutputField::new(
    "(its input)",
    "unknown",
    "Its input value, sent out of the port of the first case it matches (every case with `mode: \"all\"`), else out of the default port; an edge from a `switch` names its port in its `sourceHandle`.",
)];

pub(crate) const EXAMPLES: &[NodeExample] = &[NodeExample::new(
    "Route by a field",
    r#"{"value": "item => item.region", "cases": [{"name": "us", "equals": "US"}, {"name": "eu", "equals": "EU"}, {"name": "big", "condition": "item => item.amount > 1000"}]}"#,
    r#"{"data": {"region": "EU", "amount": 12}}"#,
)];
