//! Errors: the 24 codes (the original 22, and two for access control), the `ExecutionError` type and the recovery table.

mod code;
mod execution_error;
mod panic;
mod recovery;

pub use code::ErrorCode;
pub use execution_error::{ExecutionError, Result};
pub use panic::panic_message;
pub use recovery::{recovery_strategy, ErrorRecoveryStrategy};
