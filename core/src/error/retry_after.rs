//! The delay a failure's producer asked for before a retry (an HTTP `Retry-After`), carried in
//! the error's `context` so that it reaches JS unchanged and the scheduler can honour it.

use crate::json;
use crate::value::Value;

use super::ExecutionError;

/// The `context` key holding the requested delay in milliseconds.
pub const RETRY_AFTER_KEY: &str = "retryAfterMs";

impl ExecutionError {
    /// Records that whoever failed asked not to be retried for `ms` milliseconds; the recovery
    /// advice then says the same.
    pub fn with_retry_after(mut self, ms: u64) -> Self {
        if let Some(recovery) = self.recovery.as_mut() {
            recovery.retry_delay_ms = Some(ms);
        }
        self.with_context(RETRY_AFTER_KEY, json!(ms))
    }

    /// The delay recorded by [`with_retry_after`](Self::with_retry_after), if any.
    pub fn retry_after_ms(&self) -> Option<f64> {
        self.context
            .as_ref()?
            .get(RETRY_AFTER_KEY)
            .and_then(Value::as_f64)
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
    }
}
