//! `python`: a step that calls a Python function, from inline `code` or a `module` file, in one
//! of the host's long-lived Python worker processes (see `host::effects::PythonRunner`).
//!
//! Known in every build, so that a build without an interpreter (a browser) refuses the node at
//! validation, saying what it lacks; run by the executor `atomiton-effects` provides (see
//! `crate::nodes::NodeExecutor`), or else it fails saying it needs a Python interpreter.

pub(super) mod schema;

use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::descriptor::NodeDescriptor;
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use crate::value::Map;

/// The `python` node type.
pub(crate) struct Python;

impl NodeType for Python {
    fn type_name(&self) -> &str {
        "python"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    // Python code runs with the whole authority of a process: the grant a program needs.
    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { processes: true, python: true, ..Capabilities::NONE }
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        let mut issues = schema::SCHEMA.check(parameters);
        if issues.is_empty() {
            issues.extend(schema::source_issues(parameters));
        }
        issues
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        super::unavailable::not_in_this_build(&invocation, host, "a Python interpreter")
    }
}
