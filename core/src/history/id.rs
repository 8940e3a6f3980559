//! Execution ids reach stores as keys (and as SQL parameters), so they are checked first.

use crate::error::{ExecutionError, Result};

/// Accepts 1–128 characters of `[A-Za-z0-9_-]` and inner dots, starting with a letter or digit
/// (what `createExecutionId` and UUIDs give).
pub fn validate_execution_id(id: &str) -> Result<()> {
    if crate::storage::validate_flow_id(id).is_ok() {
        Ok(())
    } else {
        // Quoted and cut: the id is the caller's, of any length and content.
        let shown: String = id.chars().take(64).collect();
        let cut = if shown.len() < id.len() { "..." } else { "" };
        Err(ExecutionError::validation(format!(
            "Invalid execution id {shown:?}{cut}: use 1-128 letters, digits, '-', '_' or inner '.', starting with a letter or digit"
        )))
    }
}
