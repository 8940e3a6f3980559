//! A `database` node's parameters, read with its declaration's defaults.

use atomiton_core::error::ExecutionError;
use atomiton_core::host::effects::DatabaseLimits;
use atomiton_core::nodes::sdk::{node_error, Config};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::Value;

use crate::declaration::SCHEMA;
use crate::TYPE;

/// What the node does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Query,
    Insert,
    Upsert,
}

/// How its items become statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One statement for all items (an insert: one per `batchSize` rows, in one transaction).
    Single,
    /// One statement per item, each on its own.
    Each,
    /// One statement per item, all in one transaction rolled back on failure.
    Transaction,
}

/// The node's parameters.
#[derive(Debug, Clone)]
pub struct Request {
    pub credential: String,
    pub operation: Operation,
    pub mode: Mode,
    pub query: Option<String>,
    /// A list of values, or an expression of the item giving one.
    pub parameters: Option<Value>,
    pub table: Option<String>,
    pub columns: Option<Vec<String>>,
    pub conflict: Vec<String>,
    /// The rows: a list, or an expression of the input; `None`: the input.
    pub rows: Option<Value>,
    pub batch_size: usize,
    pub limits: DatabaseLimits,
}

impl Request {
    pub fn read(invocation: &Invocation) -> Result<Request, ExecutionError> {
        let config = Config::new(&SCHEMA, invocation);
        let text = |name: &str| config.str(name).map(str::to_owned);
        let names = |name: &str| {
            config.get(name).and_then(Value::as_array).map(|items| {
                items.iter().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>()
            })
        };
        let whole = |name: &str| {
            config.get(name).and_then(|v| v.as_f64()).filter(|n| *n >= 1.0).unwrap_or(1.0)
        };
        let credential =
            text("credential").ok_or_else(|| node_error(TYPE, "'credential' is required"))?;
        let operation = match config.str("operation") {
            Some("insert") => Operation::Insert,
            Some("upsert") => Operation::Upsert,
            _ => Operation::Query,
        };
        let mode = match config.str("mode") {
            Some("each") => Mode::Each,
            Some("transaction") => Mode::Transaction,
            _ => Mode::Single,
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Request {
            credential,
            operation,
            mode,
            query: text("query"),
            parameters: config.get("parameters").cloned(),
            table: text("table"),
            columns: names("columns"),
            conflict: names("conflict").unwrap_or_default(),
            rows: config.get("rows").cloned(),
            batch_size: whole("batchSize") as usize,
            limits: DatabaseLimits {
                max_rows: whole("maxRows") as u64,
                max_bytes: whole("maxBytes") as u64,
                statement_timeout_ms: whole("statementTimeout"),
            },
        })
    }
}
