//! What one run is made of, below both the engine that prepares it and the scheduler that
//! carries it out: the engine's settings, the run's options, its shared context, the handles
//! an embedder attaches (control, live view), its ids and its result.

mod command;
mod config;
pub(crate) mod context;
// Pause, resume and step.
mod control;
mod handles;
mod ids;
mod options;
mod result;
// A run's live state, read on demand.
mod view;

pub use crate::error::RetryPolicy;
pub use crate::nodes::RunContext;
pub use command::RunCommand;
pub use config::{EngineConfig, DEFAULT_MAX_RETRIES};
pub use control::{RunControl, SharedControl};
pub use handles::RunHandles;
pub use ids::{new_execution_id, uuid_v4};
pub use options::RunOptions;
pub use result::{ExecutionContext, ExecutionResult};
pub use view::{RunView, SharedView};
