//! `spreadsheet` at the head of a stream of rows: a CSV file (or `data` text) read a piece at a
//! time and given as batches of records, so a file larger than memory goes through a flow. The
//! records, headers and counts are the ones a whole read gives (the same parser, fed in pieces;
//! the same record shape).

use std::collections::VecDeque;
use std::sync::Arc;

use super::super::common::{node_error, Config};
use super::super::common_effects::effect_error;
use super::csv::pieces::CsvPieces;
use super::csv::Cells;
use super::schema::SCHEMA;
use super::table::unique_headers;
use super::workbooks::Workbooks;
use super::{extension, file_format, read_error, TYPE};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::{offload, BoxFuture, SharedHost};
use crate::json;
use crate::nodes::stream::{Batch, RowSource, RowsField, Streaming};
use crate::nodes::Invocation;
use crate::value::{Map, Str, Value};

/// Where a spreadsheet's rows are in its output: `records`, beside the `headers` and
/// `sheetNames` arrays.
const ROWS: RowsField = RowsField::first("records", &["headers", "sheetNames"]);

/// Bytes read from the file at a time.
const PIECE_BYTES: usize = 1 << 18;

/// A spreadsheet streams when it reads with a header row and no range: CSV from a `path` whose
/// extension is `.csv`, `.tsv` or `.txt`, or from `data` text; and, in builds that read
/// workbooks, a workbook from a `path` (`xlsx`, `xlsm`, `xlsb`, `xls`, `ods`: the `format`, or
/// the file's extension). A range picks rows by position and rows without headers give
/// `headers` before `records`: both read whole.
pub fn streaming_with<W: Workbooks>(parameters: &Map) -> Option<Streaming> {
    let text = |key: &str| parameters.get(key).and_then(Value::as_str).filter(|v| !v.is_empty());
    let headers = parameters.get("hasHeaders").and_then(Value::as_bool).unwrap_or(true);
    if !headers || text("range").is_some() {
        return None;
    }
    // A CSV asked for a sheet other than its one fails where the whole read does.
    let other_sheet = text("sheetName").is_some_and(|n| n != "Sheet1")
        || parameters.get("sheetIndex").and_then(Value::as_f64).is_some_and(|i| i > 0.0);
    let format = parameters.get("format").and_then(Value::as_str);
    let readable = match text("path") {
        Some(path) => {
            let format = file_format(format, path);
            (matches!(format.as_str(), "csv" | "txt" | "") && !other_sheet) || W::reads(&format)
        }
        None => text("data").is_some() && format.is_none_or(|f| f == "csv") && !other_sheet,
    };
    readable.then_some(Streaming::Source { rows: ROWS, open: open::<W> })
}

/// What the rows are read from.
enum Input {
    File { path: String, offset: u64, size: Option<u64> },
    Text { text: Arc<str>, offset: usize },
}

fn open<W: Workbooks>(
    invocation: &Invocation,
    host: &SharedHost,
    batch_rows: usize,
) -> Result<Box<dyn RowSource>, ExecutionError> {
    let config = Config::new(&SCHEMA, invocation);
    let mut delimiter = config.str("delimiter").unwrap_or(",").to_owned();
    let input = match config.str("path").filter(|p| !p.is_empty()) {
        Some(path) => {
            if host.files().is_none() {
                return Err(ExecutionError::new(ErrorCode::IMPLEMENTATION_NOT_FOUND, format!("[{TYPE}] Reading a spreadsheet file needs a file system, which this environment does not provide")));
            }
            let format = file_format(config.str("format"), path);
            if let Some(source) = W::source(invocation, host, batch_rows, path, &format) {
                return Ok(source);
            }
            // A .tsv is tab-separated unless the node sets a delimiter itself.
            let explicit = invocation
                .param("delimiter")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty());
            if extension(path) == "tsv" && !explicit {
                delimiter = "\t".to_owned();
            }
            Input::File { path: path.to_owned(), offset: 0, size: None }
        }
        None => match config.get("data") {
            Some(Value::String(text)) => Input::Text { text: Arc::from(&**text), offset: 0 },
            _ => {
                return Err(node_error(
                    TYPE,
                    "No spreadsheet data provided. Please provide filePath or raw data.",
                ))
            }
        },
    };
    let skip_empty_lines = config.bool("skipEmptyLines").unwrap_or(true);
    Ok(Box::new(CsvSource {
        input,
        host: host.clone(),
        parser: Some(Parser {
            reader: CsvPieces::new(&delimiter, skip_empty_lines),
            headers: None,
        }),
        ready: VecDeque::new(),
        batch_rows: batch_rows.max(1),
        given: 0,
        read_all: false,
        delimiter,
    }))
}

/// The parser and what it learnt, moved to a worker and back with each piece.
struct Parser {
    reader: CsvPieces,
    /// The header row's names, once it came (as keys: each record's are copies).
    headers: Option<Vec<Str>>,
}

impl Parser {
    /// Parses `piece` (then the end, when `last`) into records appended to `ready`.
    fn records(&mut self, piece: &[u8], last: bool, ready: &mut VecDeque<Value>) {
        let headers = &mut self.headers;
        let mut take = |cells: Cells<'_>| match headers {
            Some(headers) => ready.push_back(record_of(headers, cells)),
            None => {
                let names = unique_headers(cells.to_vec());
                *headers = Some(names.iter().map(|name| Str::from(name.as_str())).collect());
            }
        };
        self.reader.push(piece, &mut take);
        if last {
            self.reader.finish(&mut take);
        }
    }
}

/// `table::record` of a row the reader still holds: each cell's text copied once, into its value.
fn record_of(headers: &[crate::value::Str], cells: Cells<'_>) -> Value {
    let entries = headers
        .iter()
        .enumerate()
        .map(|(i, header)| (header.clone(), Value::String(cells.get(i).unwrap_or_default().into())))
        .collect();
    Value::Object(Map::from_unique(entries))
}

struct CsvSource {
    input: Input,
    host: SharedHost,
    /// `None` only while a worker has it.
    parser: Option<Parser>,
    /// Records parsed and not yet given.
    ready: VecDeque<Value>,
    batch_rows: usize,
    /// Records given so far.
    given: usize,
    /// Every byte was parsed.
    read_all: bool,
    delimiter: String,
}

impl CsvSource {
    /// The next piece of the input, and whether it is the last.
    async fn piece(&mut self) -> Result<(Vec<u8>, bool), ExecutionError> {
        match &mut self.input {
            Input::Text { text, offset } => {
                let start = *offset;
                let end = (start + PIECE_BYTES).min(text.len());
                *offset = end;
                Ok((text.as_bytes()[start..end].to_vec(), end == text.len()))
            }
            Input::File { path, offset, size } => {
                let Some(files) = self.host.files() else {
                    return Err(ExecutionError::internal("The file system went away mid-stream"));
                };
                if size.is_none() {
                    let meta = files.stat(path).await.map_err(|e| effect_error(TYPE, &e, &e))?;
                    match meta {
                        Some(meta) if meta.is_file => *size = Some(meta.size),
                        _ => {
                            return Err(super::super::common_effects::missing_file(
                                TYPE,
                                format!("File not found: {path}"),
                            ))
                        }
                    }
                }
                let bytes = files
                    .read_at(path, *offset, PIECE_BYTES)
                    .await
                    .map_err(|e| read_error(path, &e))?;
                *offset += bytes.len() as u64;
                // A file that grows while it is read is read to where it was at the start.
                let last = bytes.len() < PIECE_BYTES || size.is_some_and(|size| *offset >= size);
                Ok((bytes, last))
            }
        }
    }
}

impl RowSource for CsvSource {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<Batch>, ExecutionError>> {
        Box::pin(async move {
            while self.ready.len() < self.batch_rows && !self.read_all {
                let (piece, last) = self.piece().await?;
                let mut parser = self.parser.take().ok_or_else(|| {
                    ExecutionError::internal("The CSV parser was lost with a failed piece")
                })?;
                // Parsing and making records is CPU work: it happens off the driving thread. The
                // records go straight into `ready`, which keeps its room from piece to piece (a
                // queue grown anew for each piece took fresh pages the system had to clear, a
                // large share of a pipeline's time: docs/PERFORMANCE.md, "How a chain uses the
                // cores").
                let mut ready = std::mem::take(&mut self.ready);
                let (parser, ready) = offload(&self.host, move || {
                    parser.records(&piece, last, &mut ready);
                    (parser, ready)
                })
                .await?;
                self.parser = Some(parser);
                self.ready = ready;
                self.read_all = last;
            }
            if self.ready.is_empty() {
                return Ok(None);
            }
            let take = self.batch_rows.min(self.ready.len());
            self.given += take;
            Ok(Some(self.ready.drain(..take).collect()))
        })
    }

    fn bytes(&self) -> (u64, Option<u64>) {
        match &self.input {
            Input::File { offset, size, .. } => (*offset, *size),
            Input::Text { text, offset } => (*offset as u64, Some(text.len() as u64)),
        }
    }

    fn finish(self: Box<Self>) -> Result<Map, ExecutionError> {
        // The rest of the output object, in the order a whole read gives it.
        let headers: Vec<String> = self
            .parser
            .and_then(|parser| parser.headers)
            .map(|names| names.iter().map(|name| name.to_string()).collect())
            .unwrap_or_default();
        let mut rest = Map::with_capacity(6);
        rest.insert("headers", json!(headers));
        rest.insert("rowCount", json!(self.given));
        rest.insert("format", json!("csv"));
        rest.insert("sheetName", json!("Sheet1"));
        rest.insert("sheetNames", json!(["Sheet1"]));
        rest.insert("delimiter", json!(self.delimiter));
        Ok(rest)
    }
}
