//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output and
//! its examples (run by the reference's test with real Python workers).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[OutputField::new(
    "(the function's value)",
    "unknown",
    "What `function(data, **arguments)` returned, read as JSON; what it printed is in the run's `logs`.",
)];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Summarise numbers with the standard library",
        r#"{"code": "import statistics\ndef main(data, places=2):\n    return {'mean': round(statistics.mean(data), places), 'stdev': round(statistics.stdev(data), places)}\n", "arguments": {"places": 1}}"#,
        r#"{"data": [3, 5, 8, 13, 21]}"#,
    ),
    NodeExample::new(
        "Refuse a value JSON cannot carry (the function's TypeError is the node's error)",
        r#"{"code": "def main(data):\n    return set(data)\n"}"#,
        r#"{"data": [1, 2, 2]}"#,
    ),
];
