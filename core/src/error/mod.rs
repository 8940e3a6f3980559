//! Errors: the codes (the TypeScript engine's 22, then ours: access control, files, and waits), the `ExecutionError` type and the recovery table.

mod code;
mod execution_error;
pub mod messages;
mod panic;
mod recovery;
mod retry_after;

pub use code::ErrorCode;
pub use execution_error::{ExecutionError, Result};
pub use panic::panic_message;
pub use recovery::{node_failure_recovery, recovery_strategy, ErrorRecoveryStrategy};
pub use retry_after::RETRY_AFTER_KEY;
