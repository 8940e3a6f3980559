//! `loop` `forEach` in a stream of rows: each row's record (`{index, item, processed,
//! timestamp}`) is made as the row comes, with the index it has in the whole input, so the
//! records are the ones a loop over the whole array makes. The iteration cap holds as it does
//! over a whole array: the row past it fails the node with the same message.

use super::execute::{iteration_cap, loop_output, over_cap, record_of_item, Summary};
use crate::error::ExecutionError;
use crate::format::iso_timestamp;
use crate::host::SharedHost;
use crate::json;
use crate::nodes::stream::{Batch, Reads, RowStage, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::value::{Map, Value};

/// Where a loop's rows are in its output: `results`, both at the top and inside `result`.
const ROWS: RowsField =
    RowsField { name: "results", other_arrays: &[], shape: Some(shape_with_results) };

/// A loop streams when it runs `forEach` over the array in its `array` input (not an `array`
/// parameter, which wins over the input, nor one found by `dataPath`).
pub(super) fn streaming(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str);
    let for_each = text("loopType").is_none_or(|kind| kind == "forEach");
    let from_input = parameters.get("array").is_none_or(Value::is_null)
        && text("dataPath").is_none_or(str::is_empty);
    (for_each && from_input).then_some(Streaming::Stage {
        port: "array",
        reads: Reads::ArrayIn,
        rows: ROWS,
        open,
    })
}

/// The output a loop over the whole array gives, its records `results` (in both places) and
/// the rest as [`LoopStage::finish`] gives it.
fn shape_with_results(results: Value, rest: Map) -> Value {
    let number = |key: &str| rest.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let summary =
        Summary { iterations: number("iterationCount") as usize, duration: number("duration") };
    loop_output(results, &summary)
}

struct LoopStage {
    host: SharedHost,
    started: f64,
    timestamp: Value,
    cap: usize,
    collect: bool,
}

fn open(invocation: &Invocation, host: &SharedHost) -> Result<Box<dyn RowStage>, ExecutionError> {
    let started = host.now();
    Ok(Box::new(LoopStage {
        host: host.clone(),
        started,
        timestamp: json!(iso_timestamp(started)),
        cap: iteration_cap(invocation),
        collect: invocation.param("collectResults").and_then(Value::as_bool).unwrap_or(true),
    }))
}

impl RowStage for LoopStage {
    fn push(&mut self, batch: Batch, offset: usize) -> Result<Batch, ExecutionError> {
        if offset.saturating_add(batch.len()) > self.cap {
            return Err(over_cap(self.cap));
        }
        if !self.collect {
            return Ok(Vec::new());
        }
        Ok(batch
            .into_iter()
            .enumerate()
            .map(|(i, item)| record_of_item(offset + i, item, &self.timestamp))
            .collect())
    }

    fn finish(self: Box<Self>, rows_in: usize, _rows_out: usize) -> Result<Map, ExecutionError> {
        // What `shape_with_results` reads back to make the output.
        let mut rest = Map::with_capacity(2);
        rest.insert("iterationCount", json!(rows_in));
        rest.insert("duration", json!(self.host.now() - self.started));
        Ok(rest)
    }
}
