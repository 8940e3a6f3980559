//! `http-request`: one HTTP request through the host.

mod execute;
mod query;
mod retry_after;
mod schema;

use crate::value::Map;

use crate::catalog::NodeDescriptor;
use crate::host::{BoxFuture, Capabilities, SharedHost};
use crate::nodes::schema::NodeSchema;
use crate::nodes::{Invocation, NodeResult, NodeType};

/// The `http-request` node type.
pub(crate) struct HttpRequest;

impl NodeType for HttpRequest {
    fn type_name(&self) -> &str {
        "http-request"
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&schema::SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&schema::DESCRIPTOR)
    }

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { http: true, ..Capabilities::NONE }
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        execute::execute(invocation, host)
    }
}
