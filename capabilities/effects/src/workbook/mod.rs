//! XLSX/XLS/XLSB/ODS workbooks, read with `calamine`, for the `spreadsheet` node: whole
//! ([`Calamine::read`]) or a batch of rows at a time at the head of a stream (`stream.rs`).
//! Builds without this crate read CSV only, and fail a workbook with a clear error.

use atomiton_core::error::ExecutionError;
use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::sdk::node_error;
use atomiton_core::nodes::sdk::spreadsheet::{Sheet, Workbooks, TYPE};
use atomiton_core::nodes::stream::RowSource;
use atomiton_core::nodes::Invocation;

// A workbook's rows a piece at a time, at the head of a stream.
mod stream;

/// The reader the `spreadsheet` node runs with here.
pub(crate) enum Calamine {}

impl Workbooks for Calamine {
    fn reads(format: &str) -> bool {
        stream::reads(format)
    }

    fn read(
        host: &SharedHost,
        bytes: Vec<u8>,
        format: &str,
        sheet_name: Option<&str>,
        sheet_index: Option<u64>,
    ) -> BoxFuture<'static, Result<Sheet, ExecutionError>> {
        let (host, format, sheet_name) =
            (host.clone(), format.to_owned(), sheet_name.map(str::to_owned));
        Box::pin(
            async move { read(&host, bytes, &format, sheet_name.as_deref(), sheet_index).await },
        )
    }

    fn source(
        invocation: &Invocation,
        host: &SharedHost,
        batch_rows: usize,
        path: &str,
        format: &str,
    ) -> Option<Box<dyn RowSource>> {
        stream::reads(format).then(|| {
            Box::new(stream::open_source(invocation, host, batch_rows, path, format)) as Box<_>
        })
    }
}

async fn read(
    host: &SharedHost,
    bytes: Vec<u8>,
    format: &str,
    sheet_name: Option<&str>,
    sheet_index: Option<u64>,
) -> Result<Sheet, ExecutionError> {
    let format = format.to_owned();
    let sheet_name = sheet_name.map(str::to_owned);
    atomiton_core::host::offload(host, move || {
        parse(std::io::Cursor::new(bytes), &format, sheet_name.as_deref(), sheet_index)
    })
    .await?
}

/// The workbook in `bytes` (its kind found from its content, whatever the file is called), its
/// sheets' names, and the name of the sheet `sheet_name` or `sheet_index` picks (the first
/// without either); `format` is the one the node was told or its file's extension says.
pub(crate) fn open<RS>(
    bytes: RS,
    format: &str,
    sheet_name: Option<&str>,
    sheet_index: Option<u64>,
) -> Result<(calamine::Sheets<RS>, Vec<String>, String), ExecutionError>
where
    RS: std::io::Read + std::io::Seek + Clone,
{
    use calamine::Reader;

    if !matches!(format, "xlsx" | "xlsm" | "xls" | "xlsb" | "ods") {
        return Err(node_error(TYPE, format!("Unsupported spreadsheet format: {format}")));
    }
    let workbook = calamine::open_workbook_auto_from_rs(bytes)
        .map_err(|e| node_error(TYPE, format!("Could not read the workbook: {e}")))?;
    let names = workbook.sheet_names();
    let chosen = match (sheet_name, sheet_index) {
        (Some(name), _) => names.iter().find(|n| *n == name).cloned().ok_or_else(|| {
            node_error(
                TYPE,
                format!("Sheet \"{name}\" not found. Available sheets: {}", names.join(", ")),
            )
        })?,
        (None, Some(index)) => {
            usize::try_from(index).ok().and_then(|i| names.get(i)).cloned().ok_or_else(|| {
                node_error(
                    TYPE,
                    format!(
                        "Sheet index {index} out of range. Workbook has {} sheets.",
                        names.len()
                    ),
                )
            })?
        }
        (None, None) => {
            names.first().cloned().ok_or_else(|| node_error(TYPE, "The workbook has no sheets"))?
        }
    };
    Ok((workbook, names, chosen))
}

/// A sheet that could not be read.
pub(crate) fn sheet_error(sheet: &str, error: impl std::fmt::Display) -> ExecutionError {
    node_error(TYPE, format!("Could not read sheet \"{sheet}\": {error}"))
}

pub(crate) fn parse<RS>(
    bytes: RS,
    format: &str,
    sheet_name: Option<&str>,
    sheet_index: Option<u64>,
) -> Result<Sheet, ExecutionError>
where
    RS: std::io::Read + std::io::Seek + Clone,
{
    use calamine::Reader;

    let (mut workbook, names, chosen) = open(bytes, format, sheet_name, sheet_index)?;
    let range = workbook.worksheet_range(&chosen).map_err(|e| sheet_error(&chosen, e))?;
    // Cells are placed at their absolute positions so A1-style ranges line up.
    let (start_row, start_col) = range.start().map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let mut grid: Vec<Vec<String>> = vec![Vec::new(); start_row];
    for row in range.rows() {
        let mut cells = vec![String::new(); start_col];
        cells.extend(row.iter().map(cell_text));
        grid.push(cells);
    }
    Ok((grid, chosen, names))
}

/// A cell's text, as the TypeScript engine's reader gave it (`raw: false`, dates as
/// `yyyy-mm-dd`).
pub(crate) fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(f) => atomiton_core::format::js_number(*f),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => {
            if *b {
                "TRUE".into()
            } else {
                "FALSE".into()
            }
        }
        Data::DateTime(dt) => excel_date(dt.as_f64()),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Excel serial day → `yyyy-mm-dd` (the TypeScript engine's `dateNF`).
fn excel_date(serial: f64) -> String {
    // Day 25569 is 1970-01-01 in Excel's 1900 date system.
    atomiton_core::format::iso_date_from_days(serial.floor() as i64 - 25_569)
}
