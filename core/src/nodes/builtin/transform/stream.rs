//! `transform` in a stream of rows: `map` and `filter` one batch at a time with the same loops
//! as over a whole array, and `sort` holding every row until the last came, then sorting them
//! as over a whole array (beyond memory, as an external merge sort: `stream_sort.rs`).

use std::borrow::Cow;
use std::sync::Arc;

use super::super::common::node_error;
use super::super::common_budget::NodeBudget;
use super::super::common_expression::compile_function;
use super::super::pace::Pace;
use super::operations::{filter_items, implicit, map_items, Pass};
use super::stream_sort::StreamSort;
use crate::error::ExecutionError;
use crate::expression::{Expression, Limits};
use crate::host::{CancelToken, SharedHost};
use crate::json;
use crate::nodes::stream::{Batch, Reads, RowStage, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::value::{rows_asked_ahead, Map, Value};

const TYPE: &str = "transform";

/// Where a transform's rows are in its output: `result`, its only array.
const ROWS: RowsField = RowsField { name: "result", other_arrays: &[] };

/// A transform streams for `map`, `filter` and `sort`, reading the array in its `data` input as
/// it is (no `dataPath`).
pub(super) fn streaming(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str);
    if text("dataPath").is_some_and(|path| !path.is_empty()) {
        return None;
    }
    match text("operation").unwrap_or("map") {
        "map" | "filter" | "sort" => {
            Some(Streaming::Stage { port: "data", reads: Reads::ArrayIn, rows: ROWS, open })
        }
        _ => None,
    }
}

enum Operation {
    Map(Arc<Expression>),
    Filter(Arc<Expression>),
    /// Every row so far, sorted once the last came.
    Sort(Box<StreamSort>),
}

struct TransformStage {
    operation: Operation,
    name: &'static str,
    limits: Limits,
    signal: CancelToken,
    host: SharedHost,
}

fn open(invocation: &Invocation, host: &SharedHost) -> Result<Box<dyn RowStage>, ExecutionError> {
    let text = |key: &str| invocation.param(key).and_then(Value::as_str);
    let name = match text("operation").unwrap_or("map") {
        "map" => "map",
        "filter" => "filter",
        "sort" => "sort",
        other => return Err(node_error(TYPE, format!("The operation '{other}' does not stream"))),
    };
    let function = text("transformFunction").unwrap_or("item => item");
    let operation = match name {
        "map" => Operation::Map(compile_function(TYPE, function, implicit(name))?),
        "filter" => Operation::Filter(compile_function(TYPE, function, implicit(name))?),
        _ => Operation::Sort(Box::new(StreamSort::new(
            text("sortKey").filter(|k| !k.is_empty()).map(str::to_owned),
            text("sortDirection") == Some("desc"),
            host,
        ))),
    };
    Ok(Box::new(TransformStage {
        operation,
        name,
        limits: invocation.expression_limits,
        signal: invocation.signal.clone(),
        host: host.clone(),
    }))
}

impl RowStage for TransformStage {
    fn push(&mut self, batch: Batch, offset: usize) -> Result<Batch, ExecutionError> {
        // A batch runs on a worker to its end, with the node's full budgets; the output bound
        // applies to what a node holds, which a stream never does.
        let batch = match &self.operation {
            Operation::Map(f) => match in_parts(&self.host, f, false, batch, offset, self) {
                Ok(done) => return done,
                Err(batch) => batch,
            },
            Operation::Filter(f) => match in_parts(&self.host, f, true, batch, offset, self) {
                Ok(done) => return done,
                Err(batch) => batch,
            },
            Operation::Sort(_) => batch,
        };
        let pace = Pace::unbounded();
        let calls = NodeBudget::new(self.limits, &self.signal);
        let pass = Pass { pace: &pace, full: &self.limits, calls: &calls };
        match &mut self.operation {
            // Each row's entries are asked for a few rows ahead (see `value::prefetch`), and
            // each row is moved out of the batch to be let go of as soon as it is done.
            Operation::Map(f) => map_items(f, rows_asked_ahead(batch), offset, &pass),
            Operation::Filter(f) => {
                filter_items(f, rows_asked_ahead(batch).map(Cow::Owned), offset, &pass)
            }
            Operation::Sort(sort) => {
                calls.stopped()?;
                sort.push(batch)?;
                Ok(Vec::new())
            }
        }
    }

    fn end(&mut self, rows: usize) -> Result<Batch, ExecutionError> {
        match &mut self.operation {
            Operation::Sort(sort) => sort.end(rows),
            _ => Ok(Vec::new()),
        }
    }

    fn finish(self: Box<Self>, rows_in: usize, rows_out: usize) -> Result<Map, ExecutionError> {
        // The rest of the output object, in the order a whole run gives it.
        let mut rest = Map::with_capacity(4);
        rest.insert("inputCount", json!(rows_in));
        rest.insert("outputCount", json!(rows_out));
        rest.insert("operation", json!(self.name));
        rest.insert("success", json!(true));
        Ok(rest)
    }
}

/// A large batch of `map` or `filter` split across the host's workers (the same rows, and the
/// same error at the same row, as the loop over the whole batch); `Err(batch)` back for the loop
/// to do: a small batch, one worker, or a build without threads.
fn in_parts(
    host: &SharedHost,
    f: &Arc<Expression>,
    keep: bool,
    batch: Batch,
    offset: usize,
    stage: &TransformStage,
) -> Result<Result<Batch, ExecutionError>, Batch> {
    #[cfg(not(target_arch = "wasm32"))]
    return super::parts::batch_in_parts(host, f, keep, batch, offset, stage.limits, &stage.signal);
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (host, f, keep, offset, stage);
        Err(batch)
    }
}
