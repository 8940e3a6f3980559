//! Each node's outcome from what the chain saw: the rows a streamed node gave become a summary
//! in its output; a failure at one node leaves the nodes before it completed.

use super::parts::{keep_first, Downstream};
use crate::error::ExecutionError;
use crate::json;
use crate::nodes::stream::{Batch, RowSource, RowsField};
use crate::plan::NodeIx;
use crate::scheduler::leaf::LeafOutcome;
use crate::value::{Map, Value};

/// The outcomes of a chain whose node at position `k` failed: the nodes before it ended whole
/// (the sequential engine ran them to their end first), each with the summary of its rows.
pub(super) fn failed_at(
    k: usize,
    error: ExecutionError,
    ixs: &[NodeIx],
    parts: Option<(Box<dyn RowSource>, RowsField, Read, Downstream)>,
) -> Vec<LeafOutcome> {
    let mut outcomes: Vec<LeafOutcome> = Vec::with_capacity(k + 1);
    if let (true, Some((source, rows, read, downstream))) = (k > 0, parts) {
        match source.finish() {
            Ok(rest) => {
                let output = summary(rows, read.rows, read.first, rest);
                outcomes.push((ixs[0], Some(Ok(Some(output)))));
            }
            Err(error) => return vec![(ixs[0], Some(Err(error)))],
        }
        let Downstream { stages, counts, firsts, rows } = downstream;
        for (j, (((stage, (taken, given)), first), field)) in
            stages.into_iter().zip(counts).zip(firsts).zip(rows).enumerate().take(k - 1)
        {
            match stage.finish(taken, given) {
                Ok(rest) => {
                    outcomes.push((ixs[j + 1], Some(Ok(Some(summary(field, given, first, rest))))))
                }
                Err(error) => {
                    outcomes.push((ixs[j + 1], Some(Err(error))));
                    return outcomes;
                }
            }
        }
    }
    outcomes.push((ixs[k], Some(Err(error))));
    outcomes
}

/// What the source gave so far.
#[derive(Default)]
pub(super) struct Read {
    pub(super) rows: usize,
    pub(super) first: Batch,
}

impl Read {
    pub(super) fn count(&mut self, batch: &[Value]) {
        self.rows += batch.len();
        keep_first(&mut self.first, batch);
    }
}

/// A streamed node's output: its rows as a summary.
pub(super) fn summary(field: RowsField, rows: usize, first: Batch, rest: Map) -> Value {
    field.output(json!({"$streamed": rows, "first": Value::Array(first)}), rest)
}
