//! Errors: the codes (the TypeScript engine's 22, then ours: access control, files, and waits), the `ExecutionError` type, the recovery table and the waits between retries.

mod code;
mod execution_error;
pub mod messages;
mod panic;
mod recovery;
mod retry_after;
mod retry_policy;

pub use code::ErrorCode;
pub use execution_error::{ExecutionError, Result};
pub use panic::panic_message;
pub use recovery::{node_failure_recovery, recovery_strategy, ErrorRecoveryStrategy};
pub use retry_after::RETRY_AFTER_KEY;
pub use retry_policy::{RetryPolicy, DEFAULT_MAX_RETRY_DELAY_MS, DEFAULT_RETRY_DELAY_MS};
