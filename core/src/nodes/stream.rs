//! Rows in batches: how a node type takes part in a stream.
//!
//! A chain of nodes that each pass rows on to the next (a `spreadsheet` reading a CSV file, a
//! `transform` filtering or mapping, a `file-system` write) can run as one stream: batches of
//! rows go through every node as they come, so no node's whole output is ever held (see
//! `crate::plan::segments` for when a chain runs this way, and `crate::scheduler::segment` for
//! how). A node type says what it can do for its parameters ([`NodeType::streaming`]); the same
//! node, not streamed, runs through [`NodeType::execute`] — and must give the same result, which
//! the built-ins ensure by running the same code per batch as over the whole array.
//!
//! A streamed node's output is an object whose rows are one field (the *rows field*, first in
//! the object) and whose other fields are known once its rows have all passed (counts, headers):
//! exactly the object its `execute` would have returned.
//!
//! [`NodeType::streaming`]: super::NodeType::streaming
//! [`NodeType::execute`]: super::NodeType::execute

use crate::error::ExecutionError;
use crate::host::{BoxFuture, MaybeSend, SharedHost};
use crate::value::{Map, Value};

use super::Invocation;

/// Rows, as many as a batch holds.
pub type Batch = Vec<Value>;

/// How a node takes part in a stream, for its parameters.
#[derive(Clone, Copy)]
pub enum Streaming {
    /// It reads rows from outside (a file, its own data): the head of a stream. Its rows are
    /// `rows` of its output.
    Source { rows: RowsField, open: OpenSource },
    /// It takes rows on input `port` (read as `reads` says) and gives rows, `rows` of its output.
    Stage { port: &'static str, reads: Reads, rows: RowsField, open: OpenStage },
    /// It takes rows on input `port` (read as `reads` says) and writes them out: the end of a
    /// stream.
    Sink { port: &'static str, reads: Reads, open: OpenSink },
}

/// What a node reads of the value on its stream input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// The array a built-in finds in a node's output (`result`, `records`, ...: the first of
    /// [`ARRAY_FIELDS`] there): the upstream node's rows field must be the one it finds.
    ArrayIn,
    /// The whole value (written out as it is, rows first): an upstream node whose rows lead its
    /// output does.
    Whole,
}

/// The fields in which built-in nodes return their arrays, in the order a node reading "the
/// array in its input" looks for them (`transform` → `result`, `spreadsheet` → `records`,
/// `loop`/`parallel` → `results`, `file-system list` → `files`).
pub const ARRAY_FIELDS: [&str; 5] = ["result", "records", "results", "files", "items"];

impl Reads {
    /// Whether a node reading this way reads the rows of an output whose rows are `rows`.
    pub fn reads_rows_of(self, rows: RowsField) -> bool {
        match self {
            Reads::Whole => rows.shape.is_none(),
            Reads::ArrayIn => ARRAY_FIELDS
                .iter()
                .find(|field| **field == rows.name || rows.other_arrays.contains(field))
                .is_some_and(|field| *field == rows.name),
        }
    }
}

impl Streaming {
    /// The input key rows arrive on (`None` for a source).
    pub fn port(&self) -> Option<&'static str> {
        match self {
            Streaming::Source { .. } => None,
            Streaming::Stage { port, .. } | Streaming::Sink { port, .. } => Some(port),
        }
    }

    /// Where its rows are in its output (`None` for a sink, which gives none).
    pub fn rows(&self) -> Option<RowsField> {
        match self {
            Streaming::Source { rows, .. } | Streaming::Stage { rows, .. } => Some(*rows),
            Streaming::Sink { .. } => None,
        }
    }

    /// How it reads its stream input (`None` for a source).
    pub fn reads(&self) -> Option<Reads> {
        match self {
            Streaming::Source { .. } => None,
            Streaming::Stage { reads, .. } | Streaming::Sink { reads, .. } => Some(*reads),
        }
    }
}

/// Opens a source for one run of the node, giving batches of about `batch_rows` rows.
pub type OpenSource =
    fn(&Invocation, &SharedHost, usize) -> Result<Box<dyn RowSource>, ExecutionError>;
/// Opens a stage for one run of the node (on this host, whose workers it may split a batch
/// across).
pub type OpenStage = fn(&Invocation, &SharedHost) -> Result<Box<dyn RowStage>, ExecutionError>;
/// Opens a sink for one run of the node.
pub type OpenSink = fn(&Invocation, &SharedHost) -> Result<Box<dyn RowSink>, ExecutionError>;

/// What the rows of a stream are read as downstream: the field of the upstream node's output
/// that holds them, and the fields beside it that hold arrays (a node reading "the array in its
/// input" picks one of these by a fixed rule, and must pick the rows field for the chain to
/// stream).
#[derive(Debug, Clone, Copy)]
pub struct RowsField {
    pub name: &'static str,
    pub other_arrays: &'static [&'static str],
    /// How the node's output object is made of its rows (a summary of them, or all of them for
    /// the chain's last node) and the rest of its fields (what its `finish` gave). `None`: the
    /// rows field first, then the rest in order — the only shape a sink that writes its whole
    /// input as it comes can write (see [`Reads::Whole`]).
    pub shape: Option<fn(Value, Map) -> Value>,
}

impl RowsField {
    /// The rows in `name`, first in the output; `other_arrays` beside them.
    pub const fn first(name: &'static str, other_arrays: &'static [&'static str]) -> Self {
        RowsField { name, other_arrays, shape: None }
    }

    /// The node's output: `rows` placed where the node keeps them, among `rest`.
    pub fn output(&self, rows: Value, rest: Map) -> Value {
        if let Some(shape) = self.shape {
            return shape(rows, rest);
        }
        let mut out = Map::with_capacity(rest.len() + 1);
        out.insert(self.name, rows);
        for (key, value) in rest {
            out.insert(key, value);
        }
        Value::Object(out)
    }
}

/// Rows from outside, in batches.
pub trait RowSource: MaybeSend {
    /// The next batch; `None` once every row was given.
    fn next(&mut self) -> BoxFuture<'_, Result<Option<Batch>, ExecutionError>>;
    /// Bytes read so far, and in all when known (for progress).
    fn bytes(&self) -> (u64, Option<u64>) {
        (0, None)
    }
    /// The rest of the node's output, its rows field left out (in order after it).
    fn finish(self: Box<Self>) -> Result<Map, ExecutionError>;
}

/// Rows in, rows out.
pub trait RowStage: MaybeSend {
    /// The rows for `batch`, which comes after `offset` rows (for error messages that name an
    /// item by its index in the whole input).
    fn push(&mut self, batch: Batch, offset: usize) -> Result<Batch, ExecutionError>;
    /// Rows held back until every row came (a sort gives its rows here), called once every row
    /// came and again as long as it gives rows, about `rows` (a batch) at a time: what comes
    /// after it works on one part while the next is made. Empty: nothing more.
    fn end(&mut self, rows: usize) -> Result<Batch, ExecutionError> {
        let _ = rows;
        Ok(Vec::new())
    }
    /// The rest of the node's output, its rows field left out (in order after it), given how
    /// many rows came in and went out.
    fn finish(self: Box<Self>, rows_in: usize, rows_out: usize) -> Result<Map, ExecutionError>;
}

/// Rows written out.
pub trait RowSink: MaybeSend {
    /// Before any row: the field the rows are in, in the upstream node's output.
    fn begin(&mut self, rows_field: &'static str) -> BoxFuture<'_, Result<(), ExecutionError>>;
    /// Rows out of the chain. `alone`: the rest of the chain is done reading (the source gave
    /// its last batch; a sort may be giving what it held), so the sink may spread its work over
    /// every worker; before that, the source and the stages keep the other cores busy.
    fn write(&mut self, batch: Batch, alone: bool) -> BoxFuture<'_, Result<(), ExecutionError>>;
    /// After the last row: the rest of the upstream node's output; gives the node's own output.
    fn finish(
        self: Box<Self>,
        upstream_rest: Map,
    ) -> BoxFuture<'static, Result<Option<Value>, ExecutionError>>;
    /// The run ended before `finish` (a failure, a cancel): leave nothing that looks complete.
    fn abandon(self: Box<Self>) -> BoxFuture<'static, ()>;
}
