//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output's
//! fields and its examples (run by the reference's test).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new(
        "stdout",
        "string",
        "What the program wrote to standard output (empty without captureOutput).",
    ),
    OutputField::new(
        "stderr",
        "string",
        "What it wrote to standard error (empty without captureOutput).",
    ),
    OutputField::new(
        "exitCode",
        "number",
        "Its exit code (a non-zero one does not fail the node).",
    ),
    OutputField::new("command", "string", "The program and its arguments, joined by spaces."),
    OutputField::new("duration", "number", "Milliseconds it ran."),
    OutputField::new("success", "boolean", "Exit code 0 and no time-out."),
    OutputField::new("timedOut", "boolean", "Whether its time ran out."),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Run a program",
        r#"{"program": "echo", "args": ["hello", "world"]}"#,
        r#"{}"#,
    ),
    NodeExample::new(
        "Pipe text in",
        r#"{"program": "wc", "args": ["-c"], "stdin": "four"}"#,
        r#"{}"#,
    ),
];
