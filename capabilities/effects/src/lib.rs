//! The executors of the node types that need a host with files and processes, for the bindings
//! whose hosts have them (the native addon and the WebAssembly Node fallback):
//!
//! - `file-system` (its eight operations, and `write` at the end of a stream of rows),
//! - `shell-command` (a program without a shell),
//! - `image` (pixels decoded, composed and encoded off the scheduler),
//! - `python` (a function called in the host's Python workers),
//! - `http-request` with bodies from and to files (`bodyFile`, `responseFile`),
//! - `spreadsheet` reading XLSX/XLS/XLSB/ODS workbooks (with `calamine`; CSV is the core's).
//!
//! The core declares these types — schema, ports, requirements, catalog entry — so every build
//! validates and lists them alike; [`Effects`] provides their executors to a session's registry
//! ([`SessionCapability::provide`]). A build without this crate (the browser's modules) refuses
//! such nodes at validation, its host lacking files and processes, and none of this code is in
//! its module.
//!
//! [`SessionCapability::provide`]: atomiton_core::session::SessionCapability::provide

mod file_system;
mod http_files;
mod image;
mod python;
mod shell_command;
mod workbook;

use std::sync::Arc;

use atomiton_core::host::{BoxFuture, SharedHost};
use atomiton_core::nodes::stream::Streaming;
use atomiton_core::nodes::{Invocation, NodeExecutor, NodeRegistry, NodeResult};
use atomiton_core::session::SessionCapability;
use atomiton_core::value::Map;

/// The capability: provides the executors above to every session's registry.
pub struct Effects;

impl SessionCapability for Effects {
    fn provide(&self, registry: &mut NodeRegistry) {
        provide(registry);
    }
}

/// Provides the executors above to `registry` (for types it does not declare, nothing).
pub fn provide(registry: &mut NodeRegistry) {
    let executors: [(&str, Arc<dyn NodeExecutor>); 6] = [
        ("file-system", Arc::new(FileSystem)),
        ("shell-command", Arc::new(Run(shell_command::execute))),
        ("image", Arc::new(Run(image::execute))),
        ("python", Arc::new(Run(python::execute))),
        ("http-request", Arc::new(Run(http_request))),
        ("spreadsheet", Arc::new(Spreadsheet)),
    ];
    for (type_name, executor) in executors {
        registry.provide(type_name, executor);
    }
}

/// The built-in node types with these executors: what a Rust program embedding the engine with
/// a host that has files and processes runs flows with.
pub fn registry() -> NodeRegistry {
    let mut registry = atomiton_core::nodes::builtin_registry();
    provide(&mut registry);
    registry
}

type Execute = fn(Invocation, SharedHost) -> BoxFuture<'static, NodeResult>;

/// An executor that is one function.
struct Run(Execute);

impl NodeExecutor for Run {
    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        (self.0)(invocation, host)
    }
}

/// `file-system`, which also ends streams of rows (`write`).
struct FileSystem;

impl NodeExecutor for FileSystem {
    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        file_system::execute(invocation, host)
    }

    fn streaming(&self, parameters: &Map) -> Option<Streaming> {
        file_system::stream::streaming(parameters)
    }
}

/// `http-request` with its bodies from and to files.
fn http_request(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    atomiton_core::nodes::sdk::http_request::execute_with::<http_files::FileBodies>(
        invocation, host,
    )
}

/// `spreadsheet` with workbooks, which also heads streams of rows.
struct Spreadsheet;

impl NodeExecutor for Spreadsheet {
    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        atomiton_core::nodes::sdk::spreadsheet::execute_with::<workbook::Calamine>(invocation, host)
    }

    fn streaming(&self, parameters: &Map) -> Option<Streaming> {
        atomiton_core::nodes::sdk::spreadsheet::streaming_with::<workbook::Calamine>(parameters)
    }
}
