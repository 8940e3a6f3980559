//! The contract every node type fulfils, built-in or registered from Rust.

use std::sync::Arc;

use crate::value::Map;

use super::schema::NodeSchema;
use super::{Invocation, NodeResult};
use crate::host::{BoxFuture, Capabilities, MaybeSend, MaybeSync, SharedHost};
use crate::nodes::descriptor::NodeDescriptor;

/// One problem with a node's parameters, found before anything runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterIssue {
    /// Dotted path below `parameters`, e.g. `"operation"` or `"headers.Accept"`.
    pub field: String,
    pub message: String,
    /// A name the type does not know (a warning instead of an error with
    /// `strictParameters: false`), not a bad value.
    pub unknown: bool,
}

impl ParameterIssue {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ParameterIssue { field: field.into(), message: message.into(), unknown: false }
    }

    /// A parameter the type does not know.
    pub fn unknown(field: impl Into<String>, message: impl Into<String>) -> Self {
        ParameterIssue { field: field.into(), message: message.into(), unknown: true }
    }
}

/// Whether a node's result may be cached (see [`crate::cache`]), for one invocation.
#[derive(Clone, Debug, PartialEq)]
pub enum Caching {
    /// Its output depends only on its type, parameters, input and the run's context: cached by
    /// default when caching is on.
    Pure,
    /// It has effects or reads from outside the flow: cached only when the flow or the run opts
    /// it in. The files it reads (paths as the node resolves them) are part of its key by path,
    /// size and modification time.
    OptIn { files: Vec<String> },
}

/// A node type: validation of its parameters, what it needs from the host, and its executable.
pub trait NodeType: MaybeSend + MaybeSync + 'static {
    /// The `type` string flows use, e.g. `"transform"`.
    fn type_name(&self) -> &str;

    /// Weight for progress and critical-path computation.
    fn weight(&self) -> u32 {
        crate::graph::default_weight(self.type_name())
    }

    /// Effects this node needs for these parameters (e.g. `spreadsheet` needs files only when
    /// reading from a path).
    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities::NONE
    }

    /// Whether a node of this type with these parameters may change something outside the run
    /// (send a request, write a file, run a program): a durable run stores its start before
    /// calling it, and one interrupted while it ran asks before running it again. By default,
    /// whatever reaches outside the data does; a type that only reads says otherwise.
    fn effects(&self, parameters: &Map) -> bool {
        self.requirements(parameters) != Capabilities::NONE
    }

    /// Whether a node of this type with these parameters may run twice without harm (an
    /// `http-request` with an `Idempotency-Key`): a durable run interrupted while it ran runs it
    /// again without asking, as it does a node the flow marks `idempotent`.
    fn repeatable(&self, _parameters: &Map) -> bool {
        false
    }

    /// Whether a running node of this type reports what it has made so far (its invocation's
    /// [`report`](super::Invocation::report)), as an `llm` node its answer while it streams.
    fn reports(&self) -> bool {
        false
    }

    /// The saved flows a node of this type with these parameters calls itself (an `llm` node's
    /// tools): the run pins them when it starts, validation names a missing one at its field,
    /// and the invocation's [`flows`](super::Invocation::flows) runs them.
    fn called_flows(&self, _parameters: &Map) -> Vec<super::CalledFlow> {
        Vec::new()
    }

    /// Whether the type routes its input to some of its output ports (`if`, `switch`): its
    /// output is then `{"ports": [names], "value": value}`, which the scheduler takes apart (the
    /// value goes out of the ports named; the edges of the others carry nothing).
    fn routes(&self) -> bool {
        false
    }

    /// The output ports a node of this type with these parameters has, when they depend on them
    /// (a `switch`'s cases); `None`: the catalog's.
    fn output_ports(&self, _parameters: &Map) -> Option<Vec<String>> {
        None
    }

    /// The parameter schema, when the type has one.
    fn schema(&self) -> Option<&NodeSchema> {
        None
    }

    /// How the type presents itself in the catalog.
    fn descriptor(&self) -> Option<&NodeDescriptor> {
        None
    }

    /// Schema checks of the parameters: required fields, enums, ranges, expression syntax.
    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        self.schema().map(|schema| schema.check(parameters)).unwrap_or_default()
    }

    /// Runs one attempt.
    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult>;

    /// Whether this invocation's result may be cached: only when opted in, unless the type says
    /// otherwise (every built-in without effects does).
    fn caching(&self, _invocation: &Invocation) -> Caching {
        Caching::OptIn { files: Vec::new() }
    }

    /// How the node can take part in a stream of rows for these parameters (see
    /// [`super::stream`]); `None`: it takes its whole input and gives its whole output.
    fn streaming(&self, _parameters: &Map) -> Option<super::stream::Streaming> {
        None
    }
}

#[cfg(not(target_arch = "wasm32"))]
type ExecuteFn = dyn Fn(Invocation, SharedHost) -> BoxFuture<'static, NodeResult> + Send + Sync;
#[cfg(target_arch = "wasm32")]
type ExecuteFn = dyn Fn(Invocation, SharedHost) -> BoxFuture<'static, NodeResult>;

/// A node type made from a closure — handy for embedding the engine in Rust and for tests.
pub struct FnNode {
    name: String,
    weight: Option<u32>,
    execute: Box<ExecuteFn>,
}

impl FnNode {
    /// An asynchronous node type.
    pub fn new<F>(name: &str, execute: F) -> Self
    where
        F: Fn(Invocation, SharedHost) -> BoxFuture<'static, NodeResult>
            + MaybeSend
            + MaybeSync
            + 'static,
    {
        FnNode { name: name.to_owned(), weight: None, execute: Box::new(execute) }
    }

    /// A synchronous node type.
    pub fn sync<F>(name: &str, execute: F) -> Self
    where
        F: Fn(&Invocation) -> NodeResult + MaybeSend + MaybeSync + 'static,
    {
        let execute = Arc::new(execute);
        Self::new(name, move |invocation, _host| {
            let result = execute(&invocation);
            Box::pin(async move { result })
        })
    }

    /// Overrides the weight.
    pub fn with_weight(mut self, weight: u32) -> Self {
        self.weight = Some(weight);
        self
    }
}

impl NodeType for FnNode {
    fn type_name(&self) -> &str {
        &self.name
    }

    fn weight(&self) -> u32 {
        self.weight.unwrap_or_else(|| crate::graph::default_weight(&self.name))
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        (self.execute)(invocation, host)
    }
}
