//! The `database` node type: its declaration (`declaration.rs`: parameters, the checks that keep
//! SQL the flow's own text, catalog entry) and what a run of one node does:
//!
//! 1. its parameters are read (`request.rs`), with the declaration's defaults;
//! 2. the credential it names is asked of the host (a run not granted it is refused there, and
//!    at validation before that); its type picks the dialect (`dialect.rs`);
//! 3. its items become statements (`plan.rs`): the flow's SQL with the values bound apart, or an
//!    INSERT the node writes from the table and column names (quoted, checked as names), in as
//!    many statements as the mode says;
//! 4. the host's database client runs them (`DatabaseClient`: the native host's pools and
//!    drivers), and their rows become the output (`output.rs`).
//!
//! A query in mode `single` at the head of a chain of nodes that stream rows is a source of
//! that stream (`stream.rs`): the same work, its rows handed on a batch at a time as the client
//! reads them, never all held.
//!
//! Builds without a database client (the WebAssembly engine, a browser) do not link this crate:
//! their validation says where the type runs.

mod declaration;
mod dialect;
mod output;
mod plan;
mod request;
mod stream;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::effects::{DatabaseClient, DatabaseWork};
use atomiton_core::host::SharedHost;
use atomiton_core::nodes::sdk::named_credential;
use atomiton_core::nodes::{Invocation, NodeRegistry, NodeResult};
use atomiton_core::session::SessionCapability;

pub use declaration::{node_type, DatabaseType, DESCRIPTOR, SCHEMA};
pub use dialect::Dialect;

/// The node type's name.
pub const TYPE: &str = "database";

/// The capability: adds the `database` type to every session's registry.
pub struct Databases;

impl SessionCapability for Databases {
    fn provide(&self, registry: &mut NodeRegistry) {
        registry.register(node_type());
    }
}

async fn execute(invocation: Invocation, host: SharedHost) -> NodeResult {
    let request = request::Request::read(&invocation)?;
    let operation = request.operation;
    let Some(work) = prepare(request, &invocation, &host).await? else {
        return Ok(Some(output::nothing_ran(operation)));
    };
    let results = client(&host)?.run(work).await?;
    Ok(Some(output::of(operation, results)))
}

/// The work a node's parameters and input ask for (`None`: its items made no statement).
async fn prepare(
    request: request::Request,
    invocation: &Invocation,
    host: &SharedHost,
) -> Result<Option<DatabaseWork>, ExecutionError> {
    let credential = named_credential(host, TYPE, &request.credential).await?;
    let dialect = Dialect::of(&credential.kind).ok_or_else(|| {
        ExecutionError::new(
            ErrorCode::INVALID_PARAMETERS,
            format!(
                "[{TYPE}] The credential '{}' is of type '{}': a database node takes postgres, mysql (MariaDB) or sqlite",
                request.credential, credential.kind
            ),
        )
    })?;
    let (statements, transaction) = plan::statements(&request, dialect, invocation)?;
    client(host)?;
    if statements.is_empty() {
        return Ok(None);
    }
    Ok(Some(DatabaseWork {
        name: request.credential,
        credential,
        statements,
        transaction,
        limits: request.limits,
        signal: invocation.signal.clone(),
    }))
}

/// The host's database client.
fn client(host: &SharedHost) -> Result<&dyn DatabaseClient, ExecutionError> {
    host.databases().ok_or_else(|| {
        ExecutionError::new(
            ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{TYPE}] This environment has no database client"),
        )
    })
}
