//! Builds without `spreadsheet-files` (the browser modules): no workbook is read — a node that
//! names one fails with a clear error (CSV is read in every build). See `workbook/mod.rs`.

use crate::error::ExecutionError;
use crate::host::SharedHost;

const TYPE: &str = "spreadsheet";

/// (grid of cell texts, chosen sheet name, all sheet names).
pub(super) type Sheet = (Vec<Vec<String>>, String, Vec<String>);

pub(super) async fn read(
    _host: &SharedHost,
    _bytes: Vec<u8>,
    format: &str,
    _sheet_name: Option<&str>,
    _sheet_index: Option<u64>,
) -> Result<Sheet, ExecutionError> {
    Err(ExecutionError::new(
        crate::ErrorCode::IMPLEMENTATION_NOT_FOUND,
        format!("[{TYPE}] Reading {format} workbooks needs the native build"),
    ))
}

/// A workbook at the head of a stream: none, since no workbook format is read here.
#[cfg(feature = "streams")]
pub(super) mod stream {
    use crate::host::SharedHost;
    use crate::nodes::stream::RowSource;
    use crate::nodes::Invocation;

    /// No workbook format is read in these builds.
    pub(in super::super) fn reads(_format: &str) -> bool {
        false
    }

    pub(in super::super) fn source(
        _invocation: &Invocation,
        _host: &SharedHost,
        _batch_rows: usize,
        _path: &str,
        _format: &str,
    ) -> Option<Box<dyn RowSource>> {
        None
    }
}
