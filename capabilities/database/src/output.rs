//! The node's output from what its statements gave: a query's rows as objects by column (the
//! rows of every statement, in order), or `{affectedRows}` when no statement returns rows.

use atomiton_core::host::effects::StatementRows;
use atomiton_core::value::{Map, Number, Value};

use crate::request::Operation;

pub fn of(operation: Operation, results: Vec<StatementRows>) -> Value {
    let returns_rows =
        operation == Operation::Query && results.iter().any(|r| !r.columns.is_empty());
    if !returns_rows {
        return affected(results.iter().map(|r| r.affected).sum());
    }
    let total = results.iter().map(|r| r.rows.len()).sum();
    let mut rows = Vec::with_capacity(total);
    for result in results {
        let columns: Vec<atomiton_core::value::Str> =
            result.columns.iter().map(|c| c.as_str().into()).collect();
        for row in result.rows {
            let mut object = Map::with_capacity(columns.len());
            for (column, value) in columns.iter().zip(row) {
                object.insert(column.clone(), value);
            }
            rows.push(Value::Object(object));
        }
    }
    Value::Array(rows)
}

/// What a node whose items made no statement gives (an insert of no rows, a query per item of
/// no items).
pub fn nothing_ran(operation: Operation) -> Value {
    match operation {
        Operation::Query => Value::Array(Vec::new()),
        Operation::Insert | Operation::Upsert => affected(0),
    }
}

#[allow(clippy::cast_precision_loss)]
fn affected(count: u64) -> Value {
    let mut object = Map::with_capacity(1);
    object.insert(
        atomiton_core::value::Str::from("affectedRows"),
        Value::Number(Number::new(count as f64)),
    );
    Value::Object(object)
}
