//! What `spreadsheet` does: read CSV (any delimiter) from raw data or a file,
//! and XLSX/ODS workbooks from files on the native build.

use crate::json;
use crate::value::Value;

use super::super::common::{get_input, node_error, Config};
use super::super::common_budget::NodeBudget;
use super::schema::SCHEMA;
use super::{csv, table};
use crate::error::{ErrorCode, ExecutionError};
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

use super::workbooks::Workbooks;
use super::{extension, file_format, read_error, TYPE};

/// The node, reading workbooks with `W` (CSV in every build: see `workbooks.rs`).
pub fn execute_with<W: Workbooks>(
    invocation: Invocation,
    host: SharedHost,
) -> BoxFuture<'static, NodeResult> {
    Box::pin(async move {
        let config = Config::new(&SCHEMA, &invocation);
        let delimiter = config.str("delimiter").unwrap_or(",").to_owned();
        let path = get_input(&invocation, &config, "path")
            .or_else(|| invocation.input_value("filePath"))
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_owned);
        let (text_or_bytes, format) = if let Some(path) = path {
            let Some(files) = host.files() else {
                return Err(ExecutionError::new(ErrorCode::IMPLEMENTATION_NOT_FOUND, format!("[{TYPE}] Reading a spreadsheet file needs a file system, which this environment does not provide")));
            };
            let bytes = files.read(&path).await.map_err(|e| read_error(&path, &e))?;
            let format = file_format(config.str("format"), &path);
            // A .tsv is tab-separated unless the node sets a delimiter itself.
            let explicit = invocation
                .param("delimiter")
                .and_then(Value::as_str)
                .is_some_and(|d| !d.is_empty());
            let delimiter = if extension(&path) == "tsv" && !explicit {
                "\t".to_owned()
            } else {
                delimiter.clone()
            };
            (Source::Bytes(bytes, delimiter), format)
        } else {
            match get_input(&invocation, &config, "data") {
                Some(Value::String(text)) => (
                    Source::Text(text.to_string(), delimiter.clone()),
                    config.str("format").unwrap_or("csv").to_owned(),
                ),
                Some(_) => {
                    return Err(node_error(
                        TYPE,
                        "Invalid input type. Expected string (spreadsheet content).",
                    ))
                }
                None => {
                    return Err(node_error(
                        TYPE,
                        "No spreadsheet data provided. Please provide filePath or raw data.",
                    ))
                }
            }
        };
        let has_headers = config.bool("hasHeaders").unwrap_or(true);
        let range = match config.str("range").filter(|r| !r.is_empty()) {
            Some(range) => Some(
                table::parse_range(range)
                    .ok_or_else(|| node_error(TYPE, format!("Invalid range: {range}")))?,
            ),
            None => None,
        };
        match format.as_str() {
            "csv" | "txt" | "" => {
                // A CSV is one sheet, `Sheet1`: another asked for is not there.
                if let Some(name) = config.str("sheetName").filter(|n| *n != "Sheet1") {
                    return Err(node_error(
                        TYPE,
                        format!("Sheet \"{name}\" not found. Available sheets: Sheet1"),
                    ));
                }
                if let Some(index) =
                    config.get("sheetIndex").and_then(Value::as_f64).filter(|i| *i > 0.0)
                {
                    return Err(node_error(
                        TYPE,
                        format!(
                            "Sheet index {} out of range. Workbook has 1 sheets.",
                            crate::format::js_number(index)
                        ),
                    ));
                }
                let (text, delimiter) = text_or_bytes.into_text();
                let grid =
                    csv::parse(&text, &delimiter, config.bool("skipEmptyLines").unwrap_or(true));
                let budget = NodeBudget::new(invocation.expression_limits, &invocation.signal);
                let mut out =
                    table::records(table::slice(grid, range, &budget)?, has_headers, &budget)?;
                out.insert("format", json!("csv"));
                out.insert("sheetName", json!("Sheet1"));
                out.insert("sheetNames", json!(["Sheet1"]));
                out.insert("delimiter", json!(delimiter));
                Ok(Some(Value::Object(out)))
            }
            workbook_format => {
                let Source::Bytes(bytes, _) = text_or_bytes else {
                    return Err(node_error(TYPE, format!("Raw data can only be CSV; read {workbook_format} workbooks from a file path")));
                };
                let grid_and_name = W::read(
                    &host,
                    bytes,
                    workbook_format,
                    config.str("sheetName"),
                    config.get("sheetIndex").and_then(Value::as_u64),
                )
                .await?;
                let (grid, sheet_name, sheet_names) = grid_and_name;
                let budget = NodeBudget::new(invocation.expression_limits, &invocation.signal);
                let mut out =
                    table::records(table::slice(grid, range, &budget)?, has_headers, &budget)?;
                out.insert("format", json!(workbook_format));
                out.insert("sheetName", json!(sheet_name));
                out.insert("sheetNames", json!(sheet_names));
                Ok(Some(Value::Object(out)))
            }
        }
    })
}

enum Source {
    Text(String, String),
    Bytes(Vec<u8>, String),
}

impl Source {
    fn into_text(self) -> (String, String) {
        match self {
            Source::Text(text, delimiter) => (text, delimiter),
            Source::Bytes(bytes, delimiter) => {
                (String::from_utf8_lossy(&bytes).into_owned(), delimiter)
            }
        }
    }
}
