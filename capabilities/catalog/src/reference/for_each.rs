//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (a for-each runs its child nodes, which a node run alone has none of:
//! the README's tour and docs/flow-language.md show whole flows).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[OutputField::new(
    "(results)",
    "unknown[]",
    "Per item (or batch), in the items' order: its body's result (the output of the body's last node in sequential order that ran). Each run of the body gets `{item, index, data}` (`data` is the item) as its input.",
)];

pub(crate) const EXAMPLES: &[NodeExample] =
    &[NodeExample::new("Refuse a for-each without a body", r#"{"items": [1, 2, 3]}"#, r#"{}"#)];
