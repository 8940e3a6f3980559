//! `spreadsheet` reading a workbook at the head of a stream of rows. An XLSX sheet is read row
//! by row with calamine's cell reader, in two passes over the sheet: the first learns its bounds
//! (a record's keys depend on the sheet's widest row, which a whole read knows before its first
//! record), the second gives the records a batch at a time, so the rows are never all held; the
//! workbook's compressed bytes and its shared strings are. XLS and ODS have no reader of rows,
//! and XLSB's is not used here: they are read whole, then given a batch at a time (as is an XLSX
//! sheet whose rows are not in order). Either way the records, headers and counts are the ones a
//! whole read gives.

use std::collections::VecDeque;
use std::io::Cursor;
use std::sync::Arc;

use calamine::{Data, DataRef, Sheets, Xlsx, XlsxCellReader, XlsxError};
use ouroboros::self_referencing;

use super::{cell_text, open, sheet_error};
use atomiton_core::error::ExecutionError;
use atomiton_core::expression::Limits;
use atomiton_core::host::{offload, BoxFuture, CancelToken, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::sdk::schemas::SPREADSHEET as SCHEMA;
use atomiton_core::nodes::sdk::spreadsheet::{read_error, record, records, unique_headers, TYPE};
use atomiton_core::nodes::sdk::{node_error, Config, NodeBudget};
use atomiton_core::nodes::stream::{Batch, RowSource};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::{Map, Value};

/// The workbook's bytes, shared by both passes.
type Bytes = Cursor<Arc<[u8]>>;

/// Columns an XLSX sheet can have (A to XFD): a cell past them is refused rather than a row of
/// that many cells made for every record.
const MAX_COLUMNS: u32 = 16_384;

/// A cell's position and text.
type Cell = (u32, u32, String);

/// An XLSX workbook and a reader of one of its sheets, which borrows from it.
#[self_referencing]
struct SheetCells {
    book: Xlsx<Bytes>,
    /// `None`: a chart sheet, in which a whole read finds no cells either.
    #[borrows(mut book)]
    #[not_covariant]
    reader: Option<XlsxCellReader<'this, Bytes>>,
}

impl SheetCells {
    fn open(book: Xlsx<Bytes>, sheet: &str) -> Result<SheetCells, ExecutionError> {
        SheetCellsTryBuilder {
            book,
            reader_builder: |book: &mut Xlsx<Bytes>| match book.worksheet_cells_reader(sheet) {
                Ok(reader) => Ok(Some(reader)),
                Err(XlsxError::NotAWorksheet(_)) => Ok(None),
                Err(error) => Err(sheet_error(sheet, calamine::Error::from(error))),
            },
        }
        .try_build()
    }

    /// The next cell that holds something, in the sheet's order (a whole read leaves the empty
    /// ones out: a sheet's bounds are those of the cells that hold something), with its text
    /// when `text`.
    fn next(&mut self, sheet: &str, text: bool) -> Result<Option<Cell>, ExecutionError> {
        self.with_reader_mut(|reader| {
            let Some(reader) = reader else { return Ok(None) };
            loop {
                let cell = reader
                    .next_cell()
                    .map_err(|error| sheet_error(sheet, calamine::Error::from(error)))?;
                let Some(cell) = cell else { return Ok(None) };
                if cell.get_value() == &DataRef::Empty {
                    continue;
                }
                let (row, column) = cell.get_position();
                if column >= MAX_COLUMNS {
                    return Err(node_error(TYPE, format!("Sheet \"{sheet}\" has a cell in column {}, past the {MAX_COLUMNS} columns a sheet can have", column + 1)));
                }
                let text =
                    if text { cell_text(&Data::from(cell.get_value().clone())) } else { String::new() };
                return Ok(Some((row, column, text)));
            }
        })
    }

    /// The workbook again, to read the sheet from its start.
    fn restart(self, sheet: &str) -> Result<SheetCells, ExecutionError> {
        SheetCells::open(self.into_heads().book, sheet)
    }
}

/// What the first pass learnt of the sheet's cells that hold something.
struct Bounds {
    /// The first and last rows, and the last column (none: the sheet holds nothing).
    rows: Option<(u32, u32)>,
    last_column: u32,
    /// Whether their rows come in order (a whole read places them wherever they come).
    in_order: bool,
}

fn bounds(cells: &mut SheetCells, sheet: &str) -> Result<Bounds, ExecutionError> {
    let mut bounds = Bounds { rows: None, last_column: 0, in_order: true };
    let mut last_row = 0;
    while let Some((row, column, _)) = cells.next(sheet, false)? {
        bounds.in_order &= row >= last_row;
        last_row = row;
        bounds.last_column = bounds.last_column.max(column);
        bounds.rows = Some(match bounds.rows {
            None => (row, row),
            Some((first, last)) => (first.min(row), last.max(row)),
        });
    }
    Ok(bounds)
}

/// The second pass: rows made records as their cells come.
struct RowByRow {
    cells: SheetCells,
    /// A cell read whose row must wait for the records before it (a batch filled first).
    held: Option<Cell>,
    /// The header row's names, once its cells came (and before any record).
    headers: Option<Vec<String>>,
    /// The header row's texts while they come (the sheet's first row, when it holds anything).
    header_cells: Option<Vec<String>>,
    /// Cells per row: up to the sheet's last column.
    width: usize,
    /// The row being filled, and its cells.
    row: Option<(u32, Vec<String>)>,
    /// The next row to give a record for, and the last one.
    next: u32,
    last: u32,
    /// Every cell was read.
    read_all: bool,
}

impl RowByRow {
    fn new(cells: SheetCells, first: u32, last: u32, last_column: u32) -> Self {
        let width = last_column as usize + 1;
        RowByRow {
            cells,
            held: None,
            // A sheet whose first row holds nothing has no header names (a whole read's first
            // row is then empty).
            headers: (first > 0).then(Vec::new),
            header_cells: (first == 0).then(|| vec![String::new(); width]),
            width,
            row: None,
            next: 1,
            last,
            read_all: false,
        }
    }

    /// The header names, made once the header row's cells have all come.
    fn headers(&mut self) -> &[String] {
        self.headers
            .get_or_insert_with(|| unique_headers(self.header_cells.take().unwrap_or_default()))
    }

    /// Records for the rows before `row` not yet given (empty ones where the sheet has no
    /// cells), at most `room` of them.
    fn records_before(&mut self, row: u32, out: &mut Batch, room: usize) {
        if self.next >= row || out.len() >= room {
            return;
        }
        self.headers();
        let headers = self.headers.as_deref().unwrap_or_default();
        while self.next < row && out.len() < room {
            let cells = match self.row.take() {
                Some((at, cells)) if at == self.next => cells,
                other => {
                    self.row = other;
                    Vec::new()
                }
            };
            out.push(record(headers, cells));
            self.next += 1;
        }
    }

    /// `rows` more records; fewer only at the end of the sheet.
    fn records(&mut self, rows: usize, sheet: &str) -> Result<Batch, ExecutionError> {
        let mut out = Vec::with_capacity(rows);
        while out.len() < rows {
            if self.read_all {
                self.headers();
                self.records_before(self.last.saturating_add(1), &mut out, rows);
                return Ok(out);
            }
            let cell = match self.held.take() {
                Some(cell) => cell,
                None => match self.cells.next(sheet, true)? {
                    Some(cell) => cell,
                    None => {
                        self.read_all = true;
                        continue;
                    }
                },
            };
            let (row, column, text) = cell;
            if row == 0 {
                if let Some(slot) =
                    self.header_cells.as_mut().and_then(|cells| cells.get_mut(column as usize))
                {
                    *slot = text;
                }
                continue;
            }
            self.records_before(row, &mut out, rows);
            if self.next < row {
                // The batch filled with the rows before this cell's.
                self.held = Some((row, column, text));
                break;
            }
            let width = self.width;
            let (_, cells) = self.row.get_or_insert_with(|| (row, vec![String::new(); width]));
            if let Some(slot) = cells.get_mut(column as usize) {
                *slot = text;
            }
        }
        Ok(out)
    }
}

/// How the sheet's records come.
enum Reading {
    /// Not yet: the file is read and the sheet's bounds learnt at the first batch.
    NotYet,
    RowByRow(Box<RowByRow>),
    /// Read whole: the records not yet given.
    Whole(VecDeque<Value>),
}

pub(crate) struct WorkbookSource {
    host: SharedHost,
    path: String,
    format: String,
    sheet_name: Option<String>,
    sheet_index: Option<u64>,
    batch_rows: usize,
    limits: Limits,
    signal: CancelToken,
    reading: Option<Reading>,
    /// Records in all, once the sheet is open (for progress).
    total: usize,
    /// What the output says besides its records, known once the sheet is open.
    headers: Vec<String>,
    sheet: String,
    sheets: Vec<String>,
    given: usize,
    size: Option<u64>,
}

/// The workbook source of the node, reading `path` (with `format`: the node's, or its file's
/// extension).
/// Whether `format` is a workbook's this build reads.
pub(crate) fn reads(format: &str) -> bool {
    matches!(format, "xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
}

/// The rows of the workbook at `path` (in `format`, a workbook's).
pub(crate) fn open_source(
    invocation: &Invocation,
    host: &SharedHost,
    batch_rows: usize,
    path: &str,
    format: &str,
) -> WorkbookSource {
    let config = Config::new(&SCHEMA, invocation);
    WorkbookSource {
        host: host.clone(),
        path: path.to_owned(),
        format: format.to_owned(),
        sheet_name: config.str("sheetName").map(str::to_owned),
        sheet_index: config.get("sheetIndex").and_then(Value::as_u64),
        batch_rows: batch_rows.max(1),
        limits: invocation.expression_limits,
        signal: invocation.signal.clone(),
        reading: Some(Reading::NotYet),
        total: 0,
        headers: Vec::new(),
        sheet: String::new(),
        sheets: Vec::new(),
        given: 0,
        size: None,
    }
}

/// What opening the sheet gives: how its records come, its header names (for a sheet read
/// whole; a sheet read row by row has them after its first row), its name and every sheet's.
type Opened = (Reading, Vec<String>, String, Vec<String>);

/// Opens the sheet in `bytes` and learns what a whole read knows before its first record.
fn open_sheet(
    bytes: Arc<[u8]>,
    format: &str,
    sheet_name: Option<&str>,
    sheet_index: Option<u64>,
    budget: &NodeBudget<'_>,
) -> Result<Opened, ExecutionError> {
    let (workbook, names, chosen) =
        open(Cursor::new(bytes.clone()), format, sheet_name, sheet_index)?;
    let book = match workbook {
        Sheets::Xlsx(book) => book,
        // No reader of rows (XLS, ODS), or one this reader does not use (XLSB): the sheet whole.
        Sheets::Xlsb(_) | Sheets::Xls(_) | Sheets::Ods(_) => {
            let (records, headers) = whole(bytes, format, &chosen, budget)?;
            return Ok((Reading::Whole(records), headers, chosen, names));
        }
    };
    let mut cells = SheetCells::open(book, &chosen)?;
    let found = bounds(&mut cells, &chosen)?;
    let reading = match found.rows {
        None => Reading::Whole(VecDeque::new()),
        Some(_) if !found.in_order => {
            drop(cells);
            let (records, headers) = whole(bytes, format, &chosen, budget)?;
            return Ok((Reading::Whole(records), headers, chosen, names));
        }
        Some((first, last)) => Reading::RowByRow(Box::new(RowByRow::new(
            cells.restart(&chosen)?,
            first,
            last,
            found.last_column,
        ))),
    };
    Ok((reading, Vec::new(), chosen, names))
}

/// The records of sheet `sheet` read whole, as a whole read makes them (within the node's
/// output bound, as there: they are all held), and its header names.
fn whole(
    bytes: Arc<[u8]>,
    format: &str,
    sheet: &str,
    budget: &NodeBudget<'_>,
) -> Result<(VecDeque<Value>, Vec<String>), ExecutionError> {
    let (grid, _, _) = super::parse(Cursor::new(bytes), format, Some(sheet), None)?;
    let mut out = records(grid, true, budget)?;
    let headers = match out.shift_remove("headers") {
        Some(Value::Array(names)) => {
            names.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    };
    let records = match out.shift_remove("records") {
        Some(Value::Array(records)) => records.into(),
        _ => VecDeque::new(),
    };
    Ok((records, headers))
}

impl WorkbookSource {
    /// Reads the file and opens the sheet (on a worker: it parses the workbook and reads the
    /// sheet through once).
    async fn open(&mut self) -> Result<Reading, ExecutionError> {
        let Some(files) = self.host.files() else {
            return Err(ExecutionError::internal("The file system went away mid-stream"));
        };
        let path = &self.path;
        let bytes = files.read(path).await.map_err(|e| read_error(path, &e))?;
        self.size = Some(bytes.len() as u64);
        let bytes: Arc<[u8]> = Arc::from(bytes);
        let (format, name, index) =
            (self.format.clone(), self.sheet_name.clone(), self.sheet_index);
        let (limits, signal) = (self.limits, self.signal.clone());
        let (reading, headers, sheet, sheets) = offload(&self.host, move || {
            let budget = NodeBudget::new(limits, &signal);
            open_sheet(bytes, &format, name.as_deref(), index, &budget)
        })
        .await??;
        self.total = match &reading {
            Reading::RowByRow(rows) => rows.last as usize,
            Reading::Whole(records) => records.len(),
            Reading::NotYet => 0,
        };
        (self.headers, self.sheet, self.sheets) = (headers, sheet, sheets);
        Ok(reading)
    }
}

impl RowSource for WorkbookSource {
    fn next(&mut self) -> BoxFuture<'_, Result<Option<Batch>, ExecutionError>> {
        Box::pin(async move {
            let reading = match self.reading.take() {
                Some(Reading::NotYet) => self.open().await?,
                Some(reading) => reading,
                None => return Err(ExecutionError::internal("The sheet was lost with a batch")),
            };
            let rows = self.batch_rows;
            let (reading, batch) = match reading {
                Reading::Whole(mut records) => {
                    let batch: Batch = records.drain(..rows.min(records.len())).collect();
                    (Reading::Whole(records), batch)
                }
                Reading::RowByRow(mut sheet) => {
                    let name = self.sheet.clone();
                    offload(&self.host, move || {
                        let batch = sheet.records(rows, &name);
                        (Reading::RowByRow(sheet), batch)
                    })
                    .await
                    .and_then(|(reading, batch)| Ok((reading, batch?)))?
                }
                Reading::NotYet => (Reading::NotYet, Vec::new()),
            };
            if let Reading::RowByRow(sheet) = &reading {
                if let Some(headers) = &sheet.headers {
                    self.headers.clone_from(headers);
                }
            }
            self.reading = Some(reading);
            if batch.is_empty() {
                return Ok(None);
            }
            self.given += batch.len();
            Ok(Some(batch))
        })
    }

    fn bytes(&self) -> (u64, Option<u64>) {
        // The workbook is read whole, compressed, before its first row: its share given so far
        // is the share of its records given.
        let size = self.size.unwrap_or(0);
        let done = match self.total {
            0 => 0,
            total => (size as f64 * (self.given as f64 / total as f64)) as u64,
        };
        (done.min(size), self.size)
    }

    fn finish(self: Box<Self>) -> Result<Map, ExecutionError> {
        // The rest of the output object, in the order a whole read gives it.
        let mut rest = Map::with_capacity(5);
        rest.insert("headers", json!(self.headers));
        rest.insert("rowCount", json!(self.given));
        rest.insert("format", json!(self.format));
        rest.insert("sheetName", json!(self.sheet));
        rest.insert("sheetNames", json!(self.sheets));
        Ok(rest)
    }
}
