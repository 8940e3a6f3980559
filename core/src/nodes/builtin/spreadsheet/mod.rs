//! `spreadsheet`: read CSV data or spreadsheet files into records.

mod csv;
mod execute;
mod schema;
mod table;
mod workbook;

use crate::value::{Map, Value};

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `spreadsheet` node type.
pub(crate) struct Spreadsheet;

impl NodeType for Spreadsheet {
    fn type_name(&self) -> &str {
        "spreadsheet"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    /// Files only when reading from a path; raw CSV data works everywhere.
    fn requirements(&self, parameters: &Map) -> Capabilities {
        let from_file =
            parameters.get("path").and_then(Value::as_str).is_some_and(|p| !p.is_empty());
        Capabilities { file_system: from_file, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        execute::execute(invocation, host)
    }
}
