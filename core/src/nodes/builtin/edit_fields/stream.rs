//! `edit-fields` with `forEachItem` in a stream of rows: each row edited as it comes, by the
//! same editor that edits each item of a whole array.

use super::super::common_budget::NodeBudget;
use super::execute::{object_view, Editor};
use crate::error::ExecutionError;
use crate::expression::Limits;
use crate::host::{CancelToken, SharedHost};
use crate::nodes::stream::{Batch, Reads, RowStage, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::value::{Map, Value};

/// Where the edited rows are in the output: `result`, its only field.
const ROWS: RowsField = RowsField::first("result", &[]);

/// `edit-fields` streams when it edits each item (`forEachItem`) of the array in its `data`
/// input.
pub(super) fn streaming(parameters: &Map) -> Option<Streaming> {
    let each = parameters.get("forEachItem").and_then(Value::as_bool).unwrap_or(false);
    each.then_some(Streaming::Stage { port: "data", reads: Reads::ArrayIn, rows: ROWS, open })
}

struct EditStage {
    editor: Editor,
    limits: Limits,
    signal: CancelToken,
}

fn open(invocation: &Invocation, host: &SharedHost) -> Result<Box<dyn RowStage>, ExecutionError> {
    Ok(Box::new(EditStage {
        editor: Editor::new(invocation, host)?,
        limits: invocation.expression_limits,
        signal: invocation.signal.clone(),
    }))
}

impl RowStage for EditStage {
    fn push(&mut self, batch: Batch, _offset: usize) -> Result<Batch, ExecutionError> {
        // The output bound applies to what a node holds: here, one batch.
        let calls = NodeBudget::new(self.limits, &self.signal);
        let mut edited = Vec::with_capacity(batch.len());
        for row in batch {
            // A row's own entries are moved into its edit, not copied.
            edited.push(Value::Object(self.editor.edit(object_view(Some(row), &calls)?, &calls)?));
        }
        Ok(edited)
    }

    fn finish(self: Box<Self>, _rows_in: usize, _rows_out: usize) -> Result<Map, ExecutionError> {
        Ok(Map::new())
    }
}
