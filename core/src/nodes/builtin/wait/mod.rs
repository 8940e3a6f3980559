//! `wait`: a step that waits for a time span, a date, a named signal or an approval.
//!
//! In a durable run the node does not hold the run: the scheduler parks the run there (see
//! `scheduler/history/wait.rs`), it ends `waiting` with its checkpoints kept, and a wake resumes it with
//! what woke it (`outcome.rs` turns that into the node's output or failure). In a run that is
//! not durable, a time wait holds its place (`execute.rs`) and a signal or an approval cannot be
//! waited for.

mod execute;
pub(crate) mod outcome;
pub(crate) mod payload;
mod schema;
mod until;

use crate::host::{BoxFuture, SharedHost};
use crate::nodes::descriptor::NodeDescriptor;
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType, ParameterIssue};
use crate::value::Map;

/// The `wait` node type's name.
pub(crate) const WAIT_TYPE: &str = "wait";

/// The `wait` node type.
pub(crate) struct Wait;

impl NodeType for Wait {
    fn type_name(&self) -> &str {
        WAIT_TYPE
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        let mut issues = schema::SCHEMA.check(parameters);
        if issues.is_empty() {
            issues.extend(schema::mode_issues(parameters));
        }
        issues
    }

    // Waiting changes nothing outside the run: a run interrupted while it waits waits again.
    fn effects(&self, _parameters: &Map) -> bool {
        false
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        execute::execute(invocation, host)
    }
}
