//! The node's output from what its statements gave. A query gives the engine's table shape,
//! `{records, columns, rowCount, affectedRows}` — its rows as objects by column (every
//! statement's, in order), the columns of the first statement that returns rows, how many rows,
//! and how many rows the statements that return none changed — whether it ran whole or as the
//! source of a stream (`stream.rs` makes the same fields). An insert or upsert gives
//! `{affectedRows}`.

use atomiton_core::host::effects::StatementRows;
use atomiton_core::value::{Map, Number, Str, Value};

use crate::request::Operation;

/// Where a query's rows are in its output: `records`, first, beside its `columns`.
pub const RECORDS: &str = "records";

pub fn of(operation: Operation, results: Vec<StatementRows>) -> Value {
    if operation != Operation::Query {
        return affected(results.iter().map(|r| r.affected).sum());
    }
    let mut table = Table::default();
    let mut records = Vec::with_capacity(results.iter().map(|r| r.rows.len()).sum());
    for result in results {
        records.extend(table.records(result));
    }
    table.output(Value::Array(records))
}

/// What a node whose items made no statement gives (an insert of no rows, a query per item of
/// no items).
pub fn nothing_ran(operation: Operation) -> Value {
    match operation {
        Operation::Query => Table::default().output(Value::Array(Vec::new())),
        Operation::Insert | Operation::Upsert => affected(0),
    }
}

/// A query's fields beside its rows, counted as the rows pass.
#[derive(Default)]
pub struct Table {
    columns: Option<Vec<Str>>,
    rows: u64,
    affected: u64,
}

impl Table {
    /// One statement's rows (or a batch of them) as records.
    pub fn records(&mut self, result: StatementRows) -> Vec<Value> {
        if result.columns.is_empty() {
            self.affected += result.affected;
            return Vec::new();
        }
        let columns: Vec<Str> = result.columns.iter().map(|c| c.as_str().into()).collect();
        let records = result
            .rows
            .into_iter()
            .map(|row| {
                let mut object = Map::with_capacity(columns.len());
                for (column, value) in columns.iter().zip(row) {
                    object.insert(column.clone(), value);
                }
                Value::Object(object)
            })
            .collect::<Vec<_>>();
        self.rows += records.len() as u64;
        self.columns.get_or_insert(columns);
        records
    }

    /// The fields after `records`.
    pub fn rest(self) -> Map {
        let mut rest = Map::with_capacity(3);
        let columns = self.columns.unwrap_or_default().into_iter().map(Value::String).collect();
        rest.insert(Str::from("columns"), Value::Array(columns));
        rest.insert(Str::from("rowCount"), count(self.rows));
        rest.insert(Str::from("affectedRows"), count(self.affected));
        rest
    }

    /// The whole output, `records` first.
    fn output(self, records: Value) -> Value {
        let rest = self.rest();
        let mut out = Map::with_capacity(rest.len() + 1);
        out.insert(Str::from(RECORDS), records);
        for (key, value) in rest {
            out.insert(key, value);
        }
        Value::Object(out)
    }
}

#[allow(clippy::cast_precision_loss)]
fn count(n: u64) -> Value {
    Value::Number(Number::new(n as f64))
}

fn affected(count_of: u64) -> Value {
    let mut object = Map::with_capacity(1);
    object.insert(Str::from("affectedRows"), count(count_of));
    Value::Object(object)
}
