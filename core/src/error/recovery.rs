//! The TypeScript engine's recovery table, kept as it was (including its oddities: `CANCELLED` is
//! retryable, `EXECUTION_FAILED` is not).

use serde::{Deserialize, Serialize};

use super::ErrorCode;

/// Advice attached to an [`ExecutionError`](super::ExecutionError).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorRecoveryStrategy {
    pub retryable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_retries: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alternatives: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Vec<String>>,
}

fn strategy(
    retryable: bool,
    delay: Option<u64>,
    max: Option<u32>,
    suggestions: &[&str],
) -> ErrorRecoveryStrategy {
    ErrorRecoveryStrategy {
        retryable,
        retry_delay_ms: delay,
        max_retries: max,
        alternatives: None,
        suggestions: Some(suggestions.iter().map(|s| (*s).to_owned()).collect()),
    }
}

/// `getErrorRecoveryStrategy(code)` of the TypeScript engine.
pub fn recovery_strategy(code: ErrorCode) -> ErrorRecoveryStrategy {
    use ErrorCode::*;
    match code {
        TIMEOUT => strategy(
            true,
            Some(1000),
            Some(3),
            &[
                "The operation timed out. This might be due to network issues or high load.",
                "Consider increasing the timeout value or retrying the operation.",
            ],
        ),
        RATE_LIMIT_EXCEEDED => strategy(
            true,
            Some(5000),
            Some(5),
            &[
                "Rate limit exceeded. Please wait before retrying.",
                "Consider implementing request throttling or batching.",
            ],
        ),
        VALIDATION_FAILED | INVALID_PARAMETERS | TYPE_MISMATCH => strategy(
            false,
            None,
            None,
            &[
                "The input data is invalid. Please check the parameters.",
                "Review the node configuration and ensure all required fields are provided.",
            ],
        ),
        CIRCULAR_DEPENDENCY => strategy(
            false,
            None,
            None,
            &[
                "A circular dependency was detected in the node graph.",
                "Review the node connections and remove any cycles.",
            ],
        ),
        CANCELLED => {
            strategy(true, None, None, &["The operation was cancelled. You can retry if needed."])
        }
        TRANSPORT_ERROR | IPC_COMMUNICATION_FAILED => strategy(
            true,
            Some(2000),
            Some(3),
            &[
                "Communication error occurred. This might be temporary.",
                "Check your network connection and try again.",
            ],
        ),
        _ => strategy(
            false,
            None,
            None,
            &[
                "An unexpected error occurred.",
                "Please check the error details and contact support if the issue persists.",
            ],
        ),
    }
}
