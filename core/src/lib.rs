//! # atomiton-core
//!
//! The Atomiton Conductor engine in pure Rust: the flow model, YAML/JSON formats, graph analysis,
//! validation, the scheduler with its progress and trace reporting, and the built-in node types.
//! It knows nothing of JavaScript: everything environmental (clock, sleep, spawn, HTTP, files,
//! processes, JS callbacks) comes through the [`host::Host`] trait that each binding implements.

// The node result cache as the engine asks for it; `atomiton-cache` keeps it.
pub mod cache;
pub mod engine;
pub mod error;
pub mod expression;
pub mod format;
pub mod graph;
// Execution history; without it, a twin with the names the engine reads and nothing to hold.
#[cfg_attr(not(feature = "history"), path = "history_off.rs")]
pub mod history;
pub mod host;
pub mod model;
pub mod nodes;
pub mod options;
mod plan;
pub mod progress;
mod run;
mod scheduler;
pub mod session;
pub mod storage;
pub mod telemetry;
pub mod trace;
pub mod validation;
pub mod value;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(test)]
pub(crate) mod typescript;

pub use engine::{Engine, EngineConfig, ExecutionContext, ExecutionResult, RunContext, RunOptions};
pub use error::{ErrorCode, ExecutionError, Result};
pub use model::{NodeDefinition, NodeEdge, NodeMetadata, NodePort};
/// The engine's wait before a failed attempt is tried again (for a node that retries its calls).
pub use run::RetryPolicy;
pub use value::Value;
