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
pub mod host;
pub mod model;
pub mod nodes;
pub mod options;
mod plan;
pub mod progress;
// Execution history as the rest of the engine names it (the `history` capability's side here).
pub mod recording;
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

cfg_if::cfg_if! {
    if #[cfg(feature = "history")] {
        pub mod history;
        /// How this build records runs: in a session's execution history.
        pub type History = history::ExecutionHistory;
    } else {
        /// How this build records runs: not at all (see [`recording`]).
        pub type History = recording::NoHistory;
    }
}

// The names the engine reads execution history's types by, whatever the build.
/// `history` in a session's config.
pub(crate) type HistorySetting = <History as recording::Recording>::Setting;
/// How a session's runs are recorded and kept (what its `history` setting gives).
pub(crate) type HistoryConfig = <History as recording::Recording>::Config;
/// `durability` in a session's config: every recorded run durable.
pub(crate) type DurabilityConfig = <History as recording::Recording>::Durability;
/// A run's `retry` option.
pub(crate) type RetryRequest = <History as recording::Recording>::Retry;
/// A run's `resume` option.
pub(crate) type ResumeRequest = <History as recording::Recording>::Resume;
/// A run's `replay` option.
pub(crate) type ReplayRequest = <History as recording::Recording>::Replay;
/// A run's recorder as its handles hold it.
pub(crate) type SharedRecorder = <History as recording::Recording>::Recorder;
/// The outputs a run takes over instead of running those nodes (a retry's, a resume's).
pub(crate) type Reuse = <History as recording::Recording>::Reuse;

#[cfg(test)]
pub(crate) mod typescript;

pub use engine::{Engine, EngineConfig, ExecutionContext, ExecutionResult, RunContext, RunOptions};
pub use error::{ErrorCode, ExecutionError, Result};
pub use model::{NodeDefinition, NodeEdge, NodeMetadata, NodePort};
/// The engine's wait before a failed attempt is tried again (for a node that retries its calls).
pub use run::RetryPolicy;
pub use value::Value;
