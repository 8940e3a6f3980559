//! `transform` in a stream of rows: the operations that take each row on its own one batch at a
//! time, with the same code as over a whole array — `map` and `filter` (the same loops),
//! `flatten`, `unique` (which holds each distinct row's JSON text, within the node's output
//! bound), and `limit`, `skip` and `slice` with bounds from the start (rows outside them are
//! read and let go, as a whole run reads its whole input) — and `sort`, holding every row until
//! the last came, then sorting them as over a whole array (beyond memory, as an external merge
//! sort: `stream_sort.rs`). `reduce`, `group`, `reverse` and a `slice` counted from the end
//! need every row at once: they end a stream and take their input whole.

mod held_rows;
mod run_file;
mod stream_sort;

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use self::stream_sort::StreamSort;
use super::super::common::{node_error, Config};
use super::super::common_budget::NodeBudget;
use super::super::common_expression::compile_function;
use super::super::pace::Pace;
use super::operations::{
    filter_items, flatten, flatten_depth, implicit, map_items, unique_key, window, Pass,
};
use super::schema::SCHEMA;
use crate::error::ExecutionError;
use crate::expression::{Expression, Limits};
use crate::host::{CancelToken, SharedHost};
use crate::json;
use crate::nodes::stream::{Batch, Reads, RowStage, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::value::{rows_asked_ahead, Map, Value};

const TYPE: &str = "transform";
/// What one distinct row's text costs `unique` beyond its bytes (the set's entry).
const UNIQUE_KEY_BYTES: usize = 32;

/// Where a transform's rows are in its output: `result`, its only array.
const ROWS: RowsField = RowsField::first("result", &[]);

/// A transform streams for the operations above, reading the array in its `data` input as it is
/// (no `dataPath`).
pub(super) fn streaming(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str);
    if text("dataPath").is_some_and(|path| !path.is_empty()) {
        return None;
    }
    // A bound counted from the end needs the number of rows first.
    let from_start =
        |key: &str| parameters.get(key).and_then(Value::as_f64).is_none_or(|n| n >= 0.0);
    let streams = match text("operation").unwrap_or("map") {
        "map" | "filter" | "sort" | "flatten" | "unique" | "limit" | "skip" => true,
        "slice" => from_start("sliceStart") && from_start("sliceEnd"),
        _ => false,
    };
    streams.then_some(Streaming::Stage { port: "data", reads: Reads::ArrayIn, rows: ROWS, open })
}

enum Operation {
    Map(Arc<Expression>),
    Filter(Arc<Expression>),
    /// Every row so far, sorted once the last came.
    Sort(Box<StreamSort>),
    /// Each row's items, `depth` levels down.
    Flatten(usize),
    /// The rows at positions `from..to` of the whole input (`limit`, `skip`, `slice`).
    Window {
        from: usize,
        to: Option<usize>,
    },
    /// Rows whose JSON text was not seen before; the texts held count against the output bound.
    Unique {
        seen: HashSet<String>,
        held: usize,
    },
}

struct TransformStage {
    operation: Operation,
    name: &'static str,
    limits: Limits,
    signal: CancelToken,
    host: SharedHost,
}

/// The operations that stream, by the name a transform's output repeats.
const STREAMED: [&str; 8] =
    ["map", "filter", "sort", "flatten", "unique", "limit", "skip", "slice"];

fn open(invocation: &Invocation, host: &SharedHost) -> Result<Box<dyn RowStage>, ExecutionError> {
    let config = Config::new(&SCHEMA, invocation);
    let text = |key: &str| invocation.param(key).and_then(Value::as_str);
    let requested = text("operation").unwrap_or("map");
    let Some(&name) = STREAMED.iter().find(|name| **name == requested) else {
        return Err(node_error(TYPE, format!("The operation '{requested}' does not stream")));
    };
    let function = text("transformFunction").unwrap_or("item => item");
    let operation = match name {
        "map" => Operation::Map(compile_function(TYPE, function, implicit(name))?),
        "filter" => Operation::Filter(compile_function(TYPE, function, implicit(name))?),
        "flatten" => Operation::Flatten(flatten_depth(&config)),
        "unique" => Operation::Unique { seen: HashSet::new(), held: 0 },
        "limit" | "skip" | "slice" => match window(name, &config, None) {
            Some((from, to)) => Operation::Window { from, to },
            None => return Err(node_error(TYPE, "A slice counted from the end does not stream")),
        },
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
            _ => batch,
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
            Operation::Flatten(depth) => {
                calls.stopped()?;
                Ok(batch
                    .iter()
                    .flat_map(|row| flatten(std::slice::from_ref(row), *depth))
                    .collect())
            }
            Operation::Window { from, to } => {
                // The rows of this batch inside the window, by their positions in the input.
                let end = offset + batch.len();
                let start = (*from).clamp(offset, end) - offset;
                let stop = to.unwrap_or(end).clamp(offset, end).max(offset + start) - offset;
                Ok(batch.into_iter().skip(start).take(stop - start).collect())
            }
            Operation::Unique { seen, held } => {
                calls.stopped()?;
                let mut out = Vec::new();
                for row in batch {
                    let key = unique_key(&row);
                    if seen.contains(&key) {
                        continue;
                    }
                    *held = held.saturating_add(key.len() + UNIQUE_KEY_BYTES);
                    if *held > self.limits.max_output_bytes {
                        return Err(calls.over(TYPE));
                    }
                    seen.insert(key);
                    out.push(row);
                }
                Ok(out)
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
