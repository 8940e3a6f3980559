//! How long to wait before a failed attempt is tried again: one rule for a node's retries (the
//! scheduler's) and a whole flow's (`execute(request)` with `options.retries`, whose loop lives
//! in the TypeScript layer and asks the engine for each wait through the module function
//! `retryDelay`), and a call a node tries again itself (an `llm` node's request, through its
//! invocation's policy), so they can never drift apart.

use crate::error::ExecutionError;

/// The first wait by default (a conductor's `retryDelay`).
pub const DEFAULT_RETRY_DELAY_MS: f64 = 1000.0;
/// The longest single wait by default (a conductor's `maxRetryDelay`).
pub const DEFAULT_MAX_RETRY_DELAY_MS: f64 = 30_000.0;

/// Exponential backoff: `first_delay_ms` doubled per attempt, capped at `max_delay_ms`, with
/// "equal jitter" (half the delay fixed, half random) so retries of many nodes or many runs
/// spread out without ever retrying immediately.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// The first wait in ms (`retryDelay`).
    pub first_delay_ms: f64,
    /// The longest single wait in ms; a failure asking for longer is not retried.
    pub max_delay_ms: f64,
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` after attempt `attempt` (from 1) failed with
    /// `error`; `random` is uniform in `[0, 1)`. Never less than the failure asked for (an HTTP
    /// `Retry-After`, `context.retryAfterMs`); `None` when it asked for longer than
    /// [`max_delay_ms`](Self::max_delay_ms): a retry sooner would ignore it, and a run should
    /// not sit waiting that long.
    pub fn delay(&self, attempt: u32, retry_after_ms: Option<f64>, random: f64) -> Option<f64> {
        let backoff = self.backoff(attempt, random);
        match retry_after_ms {
            Some(requested) if requested > self.max_delay_ms => None,
            Some(requested) => Some(backoff.max(requested)),
            None => Some(backoff),
        }
    }

    /// [`delay`](Self::delay) for the failure `error`.
    pub fn delay_after(&self, attempt: u32, error: &ExecutionError, random: f64) -> Option<f64> {
        self.delay(attempt, error.retry_after_ms(), random)
    }

    fn backoff(&self, attempt: u32, random: f64) -> f64 {
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(30).min(30);
        let capped = (self.first_delay_ms * 2f64.powi(exponent)).min(self.max_delay_ms).max(0.0);
        capped * (0.5 + 0.5 * random.clamp(0.0, 1.0))
    }
}

impl Default for RetryPolicy {
    /// A second first, at most 30 s: `ConductorConfig.retryDelay`'s default and the longest wait.
    fn default() -> Self {
        RetryPolicy {
            first_delay_ms: DEFAULT_RETRY_DELAY_MS,
            max_delay_ms: DEFAULT_MAX_RETRY_DELAY_MS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RetryPolicy;

    const POLICY: RetryPolicy = RetryPolicy { first_delay_ms: 1000.0, max_delay_ms: 30_000.0 };

    #[test]
    fn doubles_per_attempt_between_half_and_all_of_the_step() {
        for (attempt, step) in [(1, 1000.0), (2, 2000.0), (3, 4000.0), (5, 16_000.0)] {
            assert_eq!(POLICY.delay(attempt, None, 0.0), Some(step / 2.0));
            let high = POLICY.delay(attempt, None, 0.999).unwrap_or(0.0);
            assert!(high > step * 0.99 && high < step, "attempt {attempt}: {high}");
        }
    }

    #[test]
    fn is_capped_at_the_longest_wait() {
        assert_eq!(POLICY.delay(40, None, 0.0), Some(15_000.0));
        assert_eq!(POLICY.delay(u32::MAX, None, 1.0), Some(30_000.0));
    }

    #[test]
    fn honours_retry_after_up_to_the_longest_wait() {
        assert_eq!(POLICY.delay(1, Some(7000.0), 0.0), Some(7000.0));
        assert_eq!(POLICY.delay(1, Some(10.0), 0.0), Some(500.0));
        assert_eq!(POLICY.delay(1, Some(30_001.0), 0.0), None);
    }

    #[test]
    fn a_negative_first_delay_or_odd_random_stays_in_range() {
        let policy = RetryPolicy { first_delay_ms: -5.0, max_delay_ms: 30_000.0 };
        assert_eq!(policy.delay(1, None, 0.5), Some(0.0));
        assert_eq!(POLICY.delay(1, None, 7.0), Some(1000.0));
    }
}
