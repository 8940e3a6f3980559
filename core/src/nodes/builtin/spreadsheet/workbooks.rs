//! XLSX/XLS/XLSB/ODS workbooks: what the node asks of a reader of them. The reader (calamine) is
//! large and native builds are the ones that read files, so it lives with the other executors
//! that need files (`atomiton-effects`), which runs this node through
//! [`super::execute_with`] and [`super::streaming_with`] with it; elsewhere the node reads CSV
//! only, and a workbook fails with a clear error.

use crate::error::ExecutionError;
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::stream::RowSource;
use crate::nodes::Invocation;

/// (grid of cell texts, chosen sheet name, all sheet names).
pub type Sheet = (Vec<Vec<String>>, String, Vec<String>);

/// A reader of workbooks.
pub trait Workbooks: 'static {
    /// Whether `format` (the node's, or its file's extension) is a workbook's this reads.
    fn reads(format: &str) -> bool;

    /// The sheet `sheet_name` or `sheet_index` picks (the first without either) of the workbook
    /// in `bytes`, read whole.
    fn read(
        host: &SharedHost,
        bytes: Vec<u8>,
        format: &str,
        sheet_name: Option<&str>,
        sheet_index: Option<u64>,
    ) -> BoxFuture<'static, Result<Sheet, ExecutionError>>;

    /// The rows of the workbook at `path`, at the head of a stream, when `format` is one this
    /// reads.
    fn source(
        invocation: &Invocation,
        host: &SharedHost,
        batch_rows: usize,
        path: &str,
        format: &str,
    ) -> Option<Box<dyn RowSource>>;
}

/// No reader: CSV only. It cannot be made, and reads no format, so the workbook paths are
/// compiled out of the builds that run the node so.
pub enum NoWorkbooks {}

impl Workbooks for NoWorkbooks {
    fn reads(_: &str) -> bool {
        false
    }

    fn read(
        _: &SharedHost,
        _: Vec<u8>,
        format: &str,
        _: Option<&str>,
        _: Option<u64>,
    ) -> BoxFuture<'static, Result<Sheet, ExecutionError>> {
        let error = ExecutionError::new(
            crate::ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{}] Reading {format} workbooks needs the native build", super::TYPE),
        );
        Box::pin(std::future::ready(Err(error)))
    }

    fn source(
        _: &Invocation,
        _: &SharedHost,
        _: usize,
        _: &str,
        _: &str,
    ) -> Option<Box<dyn RowSource>> {
        None
    }
}
