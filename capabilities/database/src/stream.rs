//! A query at the head of a stream of rows: the node's work, prepared as a whole run prepares
//! it, handed to the client's `stream` (the native drivers read the next rows only as the
//! batches before are taken), its rows made records a batch at a time. The output's other
//! fields (`columns`, `rowCount`, `affectedRows`) come once the last row passed: the same
//! output the whole run gives.

use atomiton_core::error::ExecutionError;
use atomiton_core::host::effects::DatabaseRows;
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::stream::{Batch, RowSource, RowsField, Streaming};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::{Map, Value};

use crate::output::{Table, RECORDS};
use crate::request::Request;

/// Where a query's rows are in its output: `records`, beside its `columns`.
const ROWS: RowsField = RowsField::first(RECORDS, &["columns"]);

/// A query in mode `single` (one statement) streams; a query per item, an insert or an upsert
/// takes its input whole.
pub fn streaming(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str);
    let query = text("operation").is_none_or(|operation| operation == "query");
    let single = text("mode").is_none_or(|mode| mode == "single");
    (query && single).then_some(Streaming::Source { rows: ROWS, open })
}

fn open(
    invocation: &Invocation,
    host: &SharedHost,
    batch_rows: usize,
) -> Result<Box<dyn RowSource>, ExecutionError> {
    Ok(Box::new(QuerySource {
        start: Some((invocation.clone(), host.clone())),
        rows: None,
        batch_rows,
        table: Table::default(),
    }))
}

struct QuerySource {
    /// What the first batch starts the work with (the credential is read then, as a whole run
    /// reads it when it starts).
    start: Option<(Invocation, SharedHost)>,
    rows: Option<Box<dyn DatabaseRows>>,
    batch_rows: usize,
    table: Table,
}

impl RowSource for QuerySource {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<Batch>, ExecutionError>> {
        Box::pin(async move {
            if let Some((invocation, host)) = self.start.take() {
                let request = Request::read(&invocation)?;
                if let Some(work) = crate::prepare(request, &invocation, &host).await? {
                    self.rows = Some(crate::client(&host)?.stream(work, self.batch_rows));
                }
            }
            while let Some(rows) = self.rows.as_mut() {
                match rows.next().await? {
                    Some(batch) => {
                        let records = self.table.records(batch);
                        if !records.is_empty() {
                            return Ok(Some(records));
                        }
                    }
                    None => self.rows = None,
                }
            }
            Ok(None)
        })
    }

    fn finish(self: Box<Self>) -> Result<Map, ExecutionError> {
        Ok(self.table.rest())
    }
}
