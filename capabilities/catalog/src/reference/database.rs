//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output and
//! its examples (run by the reference's test against a real SQLite database, `shop`, whose
//! `customers` table holds Ada (uk) and Alan (uk); the same node runs on PostgreSQL and
//! MySQL/MariaDB, with `$1` placeholders for PostgreSQL).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new(
        "records",
        "object[]",
        "A query's rows, one object per row keyed by column (every item's rows in mode each or transaction): the table shape a spreadsheet gives, which a chain of nodes after a query in mode single takes a batch at a time (docs/data-at-scale.md). Integers beyond ±2^53 are BigInts, decimals their exact text, dates and times ISO text, binary data a Buffer, JSON columns their value.",
    ),
    OutputField::new(
        "columns",
        "string[]",
        "A query's: the names of the columns, in order (of the first statement that returns rows; there even when no row came).",
    ),
    OutputField::new("rowCount", "number", "A query's: how many records."),
    OutputField::new(
        "affectedRows",
        "number",
        "The rows changed: by an insert or an upsert (its whole output, `{affectedRows}`), or by a query's statements that return no rows (an UPDATE, a DELETE).",
    ),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Query with bound parameters (values never become SQL)",
        r#"{"credential": "shop", "query": "SELECT id, name FROM customers WHERE country = ? ORDER BY id", "parameters": "item => [item.country]"}"#,
        r#"{"data": {"country": "uk"}}"#,
    ),
    NodeExample::new(
        "Upsert rows by their key (one statement per 1,000 rows)",
        r#"{"credential": "shop", "operation": "upsert", "table": "customers", "conflict": ["id"]}"#,
        r#"{"data": [{"id": 2, "name": "Alan Turing", "country": "uk"}, {"id": 3, "name": "Grace", "country": "us"}]}"#,
    ),
    NodeExample::new(
        "Refuse a transaction whose second row breaks the key: the first row is rolled back with it",
        r#"{"credential": "shop", "operation": "insert", "mode": "transaction", "table": "customers"}"#,
        r#"{"data": [{"id": 4, "name": "Edsger", "country": "nl"}, {"id": 1, "name": "Ada again", "country": "uk"}]}"#,
    ),
    NodeExample::new(
        "Refuse a query a template would build from data",
        r#"{"credential": "shop", "query": "SELECT * FROM customers WHERE name = '{{ name }}'"}"#,
        r#"{"data": {"name": "x' OR '1'='1"}}"#,
    ),
];
