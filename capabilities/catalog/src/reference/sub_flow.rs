//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (a sub-flow calls a saved flow, which the reference's runs have none
//! of: docs/flow-language.md shows whole flows).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[OutputField::new(
    "(result)",
    "unknown",
    "The called flow's result: the output of its last node in sequential order. The flow called is the one the run found when it started (its content hash is in the run's record, `$sub-flow:<id>`).",
)];

pub(crate) const EXAMPLES: &[NodeExample] = &[NodeExample::new(
    "Refuse to call a flow no storage holds",
    r#"{"flowId": "no-such-flow"}"#,
    r#"{}"#,
)];
