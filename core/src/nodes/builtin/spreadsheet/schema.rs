//! `spreadsheet` parameters, UI fields, ports and catalog entry.
//!
//! `path` and `data` are both optional: either may also arrive on an input, and the behaviour
//! reports when neither is there.

use std::sync::LazyLock;

use crate::json;
use crate::value::Map;

use crate::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use crate::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("path", ParamKind::text())
            .optional()
            .describe("File path to read (desktop environments only)")
            .ui(FieldOverrides::NONE
                .placeholder("e.g., /path/to/spreadsheet.xlsx")
                .help_text("File path to read (desktop only - use this OR data, not both)")),
        ParamSpec::new("data", ParamKind::text())
            .optional()
            .describe("Raw spreadsheet content as string (works in all environments - CSV, TSV, or other text formats)")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .rows(6)
                .placeholder("Paste CSV/TSV data here...")
                .help_text("Raw spreadsheet content (works everywhere - use this OR path, not both)")),
        // The TypeScript engine's list also had `fods`, which no engine here reads.
        ParamSpec::new("format", ParamKind::Enum(&["csv", "xlsx", "xls", "xlsb", "ods"]))
            .optional()
            .describe("Spreadsheet format (auto-detected from file extension if using path)")
            .ui(FieldOverrides::NONE.options(&[
                ("csv", "CSV - Comma Separated Values"),
                ("xlsx", "XLSX - Excel 2007+"),
                ("xls", "XLS - Excel 97-2003"),
                ("xlsb", "XLSB - Excel Binary"),
                ("ods", "ODS - OpenDocument Spreadsheet"),
            ])),
        ParamSpec::new("sheetName", ParamKind::text())
            .optional()
            .describe("Name of the sheet to read (defaults to first sheet if not provided; a CSV's one sheet is Sheet1)"),
        ParamSpec::new("sheetIndex", ParamKind::number_min(0.0))
            .optional()
            .describe("Index of the sheet to read (0-based, defaults to 0)"),
        ParamSpec::new("hasHeaders", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Whether the first row contains column headers"),
        ParamSpec::new("range", ParamKind::text())
            .optional()
            .describe("Cell range to read (e.g., 'A1:D10', defaults to entire sheet)")
            .ui(FieldOverrides::NONE.placeholder("e.g., A1:D10")),
        // A text field offering the common delimiters; any string is accepted.
        ParamSpec::new("delimiter", ParamKind::text())
            .default(|| json!(","))
            .describe("CSV delimiter character (only used for CSV format)")
            .ui(FieldOverrides::NONE.options(&[(",", "Comma (,)"), (";", "Semicolon (;)"), ("\t", "Tab (\\t)"), ("|", "Pipe (|)")])),
        ParamSpec::new("skipEmptyLines", ParamKind::Boolean).default(|| json!(true)).describe("Skip empty lines when parsing"),
    ])
    .reads_inputs(&["path", "filePath", "data"])
});

fn parameters() -> Map {
    Map::from_iter([
        ("hasHeaders".to_owned(), json!(true)),
        ("delimiter".to_owned(), json!(",")),
        ("skipEmptyLines".to_owned(), json!(true)),
        ("sheetIndex".to_owned(), json!(0)),
    ])
}

pub(super) static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "spreadsheet",
    name: "Spreadsheet Reader",
    description: "Read CSV, XLSX, XLS, ODS and other spreadsheets into records",
    category: "io",
    icon: "table-2",
    keywords: &[
        "spreadsheet",
        "excel",
        "csv",
        "tsv",
        "xlsx",
        "xls",
        "ods",
        "data",
        "import",
        "table",
        "file",
        "read",
    ],
    environment: Environment::Mixed,
    parameters,
    input_ports: &[
        PortSpec::input("filePath", "File Path", "string")
            .describe("The file to read (as the `path` input)"),
        PortSpec::input("data", "Raw Data", "string"),
    ],
    output_ports: &[
        PortSpec::output("records", "Records", "array").of_field("records"),
        PortSpec::output("headers", "Headers", "array").of_field("headers"),
        PortSpec::output("rowCount", "Row Count", "number").of_field("rowCount"),
        PortSpec::output("sheetName", "Sheet Name", "string").of_field("sheetName"),
    ],
};
