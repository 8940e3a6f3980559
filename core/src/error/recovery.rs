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

/// What a node's own failure (`EXECUTION_FAILED` from a built-in's logic: an expression that
/// threw, an input of the wrong kind) tells the user to do: the table's row for the code blames
/// the engine ("contact support"), which the table keeps for the TypeScript engine's sake.
pub fn node_failure_recovery() -> ErrorRecoveryStrategy {
    strategy(
        false,
        None,
        None,
        &[
            "The node's own work failed: its message says why.",
            "Check the node's parameters and the input it received (a run's history keeps both), then run it again.",
        ],
    )
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
        // Ours (the TypeScript engine had none of these codes): advice that says who can fix it.
        FILE_NOT_FOUND => strategy(
            false,
            None,
            None,
            &[
                "A file or directory the flow names does not exist.",
                "Check the path (a relative path resolves against the conductor's workingDirectory), or create it before the run; a write creates missing directories unless createDirectories is false.",
            ],
        ),
        FILE_EXISTS => strategy(
            false,
            None,
            None,
            &[
                "The file exists, and the node was told not to replace it (overwrite: false).",
                "Set overwrite: true to replace it, or write to another path.",
            ],
        ),
        PERMISSION_DENIED => strategy(
            false,
            None,
            None,
            &[
                "The run may not reach this: a path outside its roots, a host not listed, or a capability not granted (or the operating system refused the file).",
                "Grant it in the run's permissions (or the server's grant for this caller), or use a path the run may reach.",
            ],
        ),
        AUTHENTICATION_FAILED => strategy(
            false,
            None,
            None,
            &[
                "The server did not accept the credentials: none, unknown, expired or revoked.",
                "Log in again (auth.login) or send a valid API key.",
            ],
        ),
        WAITING => strategy(
            false,
            None,
            None,
            &[
                "The run is parked at a wait node: nothing failed, and nothing runs until what it waits for comes (the error's context says what: a time, a signal or an approval).",
                "Send the signal (executions.signal) or the decision (executions.approve); a time wait wakes by itself while a conductor has the store open.",
            ],
        ),
        CREDENTIAL_NOT_FOUND => strategy(
            false,
            None,
            None,
            &["Set the credential (credentials.set, or `atomiton credentials set`), or name one credentials.list shows."],
        ),
        CREDENTIALS_LOCKED => strategy(
            false,
            None,
            None,
            &["Give every process sharing the credentials the same key: ATOMITON_CREDENTIALS_KEY, or ATOMITON_CREDENTIALS_KEY_FILE (chmod 600)."],
        ),
        DECISION_REQUIRED => strategy(
            false,
            None,
            None,
            &[
                "The run stopped while a node with effects was running: it may have had them, and running it again could repeat them.",
                "Resume the run saying, for each node its error lists, whether to run it again (rerun) or which output to take for it (skip); mark a node that is safe to repeat idempotent: true and later runs decide by themselves.",
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
