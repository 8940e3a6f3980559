//! What one run is made of, below both the engine that prepares it and the scheduler that
//! carries it out: the engine's settings, the run's options, its shared context, the handles
//! an embedder attaches (control, live view), its ids and its result.

mod config;
pub(crate) mod context;
mod control;
mod handles;
mod ids;
mod options;
mod result;
mod view;

pub use crate::nodes::RunContext;
pub use config::EngineConfig;
pub use control::{RunCommand, RunControl};
pub use handles::RunHandles;
pub use ids::uuid_v4;
pub use options::RunOptions;
pub use result::{ExecutionContext, ExecutionResult};
pub use view::RunView;
