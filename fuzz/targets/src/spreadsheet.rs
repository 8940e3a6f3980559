//! Spreadsheet reading: delimited text given as data, and workbook files (XLSX, XLS, XLSB, ODS).

use atomiton_core::json;
use atomiton_core::NodeDefinition;

use crate::files::MemoryHost;

const DELIMITERS: [&str; 5] = [",", ";", "\t", "|", "::"];
const RANGES: [Option<&str>; 5] =
    [None, Some("A1:C3"), Some("B2:ZZ100"), Some("A1:XFD1048576"), Some("C1:A9")];
const WORKBOOKS: [&str; 4] = ["xlsx", "xls", "xlsb", "ods"];

/// `mode text-or-file`: the first byte picks delimited text (with a delimiter, header and range
/// choice) or a workbook format; the rest is the text or the file.
pub fn spreadsheet(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let range = RANGES[usize::from(mode >> 4) % RANGES.len()];
    let mut node = NodeDefinition::new("sheet", "spreadsheet")
        .with_param("hasHeaders", json!(mode & 1 == 0))
        .with_param("skipEmptyLines", json!(mode & 2 == 0));
    if let Some(range) = range {
        node = node.with_param("range", json!(range));
    }
    let result = if mode & 8 == 0 {
        let text = String::from_utf8_lossy(rest).into_owned();
        let delimiter = DELIMITERS[usize::from(mode >> 2) % 2 + usize::from(mode >> 5) % 3];
        MemoryHost::default().run(
            node.with_param("data", json!(text)).with_param("delimiter", json!(delimiter)),
            None,
        )
    } else {
        let format = WORKBOOKS[usize::from(mode >> 1) % WORKBOOKS.len()];
        let path = format!("/in.{format}");
        MemoryHost::with_file(&path, rest).run(node.with_param("path", json!(path)), None)
    };
    if let Some(error) = &result.error {
        assert!(!error.message.is_empty());
    } else {
        let data = result.data.expect("a successful spreadsheet has an output");
        assert!(data["records"].is_array(), "records: {:?}", data["records"]);
    }
}
