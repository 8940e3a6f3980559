//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("result", "object | object[]", "The input object with the fields set (only the fields set with keepOnlySet); with forEachItem, one such object per item of the input array."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Set a field from a template",
        r#"{"values": {"greeting": "Hello {{name}}!", "source": "crm"}}"#,
        r#"{"data": {"name": "Ada", "age": 36}}"#,
    ),
    NodeExample::new(
        "Keep only the fields set",
        r#"{"values": {"who": "{{name}}"}, "keepOnlySet": true}"#,
        r#"{"data": {"name": "Ada", "age": 36}}"#,
    ),
    NodeExample::new(
        "Edit each item of an array",
        r#"{"values": {"label": "{{name}} ({{age}})"}, "forEachItem": true}"#,
        r#"{"data": [{"name": "Ada", "age": 36}, {"name": "Alan", "age": 41}]}"#,
    ),
];
