//! What the executors a capability crate provides for built-in types (see
//! [`crate::nodes::NodeExecutor`]) share with the built-ins: reading parameters, errors in the
//! built-ins' words, the declared schemas, and the `http-request` node run with bodies in files.
//! Hidden from the docs: it is not an API for embedders, and `atomiton-effects` is versioned with
//! the core.

pub use super::common::{array_input, get_input, node_error, template_data, Config};
pub use super::common_budget::NodeBudget;
pub use super::common_effects::{effect_error, missing_file, named_credential};

/// The schemas of the types whose executors live elsewhere (their parameters' defaults).
pub mod schemas {
    pub use super::super::file_system::schema::{FORMATS as FILE_FORMATS, SCHEMA as FILE_SYSTEM};
    pub use super::super::image::schema::SCHEMA as IMAGE;
    pub use super::super::python::schema::SCHEMA as PYTHON;
    pub use super::super::shell_command::schema::SCHEMA as SHELL_COMMAND;
    pub use super::super::spreadsheet::schema::SCHEMA as SPREADSHEET;
}

/// `spreadsheet` with a reader of workbooks.
pub mod spreadsheet {
    pub use super::super::spreadsheet::execute::execute_with;
    #[cfg(feature = "streams")]
    pub use super::super::spreadsheet::stream::streaming_with;
    pub use super::super::spreadsheet::table::{record, records, unique_headers};
    pub use super::super::spreadsheet::workbooks::{Sheet, Workbooks};
    pub use super::super::spreadsheet::{read_error, TYPE};
}

/// `http-request` with its bodies from and to files.
pub mod http_request {
    pub use super::super::http_request::{execute_with, sends_body, FileBodies, TYPE};
}
