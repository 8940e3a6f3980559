//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new(
        "records",
        "object[] | string[][]",
        "One object per row keyed by the headers (rows as arrays without headers).",
    ),
    OutputField::new("headers", "string[]", "The column names."),
    OutputField::new("rowCount", "number", "Rows read."),
    OutputField::new("format", "string", "`csv`, `xlsx`, ..."),
    OutputField::new("sheetName", "string", "The sheet read (`Sheet1` for CSV)."),
    OutputField::new("sheetNames", "string[]", "Every sheet of the workbook."),
    OutputField::new("delimiter", "string", "CSV: the delimiter used."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new("Parse CSV text", r#"{"data": "name,age\nAda,36\nAlan,41"}"#, r#"{}"#),
    NodeExample::new("Read a CSV file", r#"{"path": "people.csv"}"#, r#"{}"#),
];
