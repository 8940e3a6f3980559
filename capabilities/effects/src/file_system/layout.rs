//! How `write` lays out what it writes (its `format` parameter): the value as JSON text (the
//! default, as `JSON.stringify` writes it), or the rows of the array in it as JSON lines or CSV.
//! The same writer serves a whole value and a stream of batches, so both give the same bytes.

use atomiton_core::error::ExecutionError;
use atomiton_core::format::{js_number, write_json};
use atomiton_core::nodes::sdk::node_error;
use atomiton_core::value::Value;

use super::TYPE;
use atomiton_core::nodes::sdk::schemas::FILE_FORMATS as FORMATS;

/// A value of `format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Layout {
    /// The value as JSON text.
    Json,
    /// One JSON text per row, each ending in `\n`.
    JsonLines,
    /// A header of the first row's keys (when it is an object), then one line per row.
    Csv,
}

impl Layout {
    pub(super) fn from_param(format: Option<&str>) -> Result<Self, ExecutionError> {
        match format.unwrap_or("json") {
            "" | "json" => Ok(Layout::Json),
            "jsonl" => Ok(Layout::JsonLines),
            "csv" => Ok(Layout::Csv),
            other => Err(node_error(
                TYPE,
                format!("Unknown write format: {other} (expected one of {})", FORMATS.join(", ")),
            )),
        }
    }
}

/// Rows written one after another in a row layout (JSON lines or CSV).
pub(super) struct RowWriter {
    csv: bool,
    /// CSV: the first row's keys, once it came (`Some(empty)` when it was not an object).
    columns: Option<Vec<String>>,
}

impl RowWriter {
    pub(super) fn new(layout: Layout) -> Self {
        RowWriter { csv: layout == Layout::Csv, columns: None }
    }

    /// Appends `rows` to `out`.
    pub(super) fn write(
        &mut self,
        rows: &[Value],
        out: &mut Vec<u8>,
    ) -> Result<(), ExecutionError> {
        for row in rows {
            if self.csv {
                self.csv_row(row, out);
            } else {
                json_text(row, out)?;
                out.push(b'\n');
            }
        }
        Ok(())
    }

    fn csv_row(&mut self, row: &Value, out: &mut Vec<u8>) {
        let columns = self.columns.get_or_insert_with(|| match row {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().map(|key| key.to_string()).collect();
                line(keys.iter().map(|key| Cell::Text(key)), out);
                keys
            }
            _ => Vec::new(),
        });
        match row {
            Value::Object(map) if !columns.is_empty() => line(
                columns
                    .iter()
                    .map(|column| map.get(column.as_str()).map_or(Cell::Empty, Cell::Value)),
                out,
            ),
            Value::Array(cells) => line(cells.iter().map(Cell::Value), out),
            other => line(std::iter::once(Cell::Value(other)), out),
        }
    }
}

/// Appends `JSON.stringify(value)`, or `null` where that is `undefined` (as in an array).
pub(super) fn json_text(value: &Value, out: &mut Vec<u8>) -> Result<(), ExecutionError> {
    match write_json(value, out) {
        Ok(true) => Ok(()),
        Ok(false) => {
            out.extend_from_slice(b"null");
            Ok(())
        }
        Err(message) => Err(node_error(TYPE, format!("Write operation failed: {message}"))),
    }
}

enum Cell<'a> {
    Text(&'a str),
    Value(&'a Value),
    Empty,
}

/// One CSV line: cells joined by commas, quoted when they hold a comma, a quote, a line break,
/// or whitespace at either end (which a reader would trim), quotes doubled.
fn line<'a>(cells: impl Iterator<Item = Cell<'a>>, out: &mut Vec<u8>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match cell {
            Cell::Text(text) => quoted(text, out),
            Cell::Empty => {}
            Cell::Value(value) => match value {
                Value::String(text) => quoted(text, out),
                Value::Number(n) => out.extend_from_slice(js_number(n.get()).as_bytes()),
                Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
                Value::Null | Value::Undefined => {}
                other => {
                    let mut text = Vec::new();
                    // A value JSON cannot write (a BigInt) leaves its cell empty.
                    if write_json(other, &mut text).unwrap_or(false) {
                        quoted(&String::from_utf8_lossy(&text), out);
                    }
                }
            },
        }
    }
    out.push(b'\n');
}

fn quoted(text: &str, out: &mut Vec<u8>) {
    let needs = text.contains([',', '"', '\n', '\r'])
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if !needs {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    out.push(b'"');
    out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
    out.push(b'"');
}
