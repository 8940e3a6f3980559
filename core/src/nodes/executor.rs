//! Behaviour a capability crate gives to a node type the core declares.
//!
//! The core declares every built-in type — its schema, ports, requirements, catalog entry and
//! parameter checks — so every build validates and lists the same nodes. What some of them do
//! needs a host with files and processes, and code the browser's module has no room for: the
//! executors of `file-system`, `shell-command`, `image` and `python`, and `http-request`'s
//! bodies kept in files, live in the `atomiton-effects` crate, which the builds whose hosts have
//! files and processes link and [`provide`](super::NodeRegistry::provide) to their registry.
//! Without one, a type answers with its own `execute`: for those types, an error saying what the
//! environment lacks (validation refuses such nodes first, on a host that says it lacks it).

use crate::host::{BoxFuture, MaybeSend, MaybeSync, SharedHost};
use crate::value::Map;

use super::stream::Streaming;
use super::{Invocation, NodeResult};

/// What runs the nodes of a declared type in place of the type's own `execute`.
pub trait NodeExecutor: MaybeSend + MaybeSync + 'static {
    /// Runs one attempt.
    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult>;

    /// How the node takes part in a stream of rows for these parameters (see
    /// [`super::stream`]); `None`: it takes its whole input and gives its whole output.
    fn streaming(&self, _parameters: &Map) -> Option<Streaming> {
        None
    }
}
