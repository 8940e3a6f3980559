//! Turning host effect failures into node errors.

use crate::error::{ErrorCode, ExecutionError};
use crate::host::effects::{EffectError, EffectErrorKind};

/// The error code an effect failure maps to, by who can fix it: network problems are
/// `TRANSPORT_ERROR` and time-outs `TIMEOUT` (both retried by the engine), cancellation
/// `CANCELLED`, size caps `MEMORY_LIMIT_EXCEEDED`, missing support `IMPLEMENTATION_NOT_FOUND`,
/// what the run's permissions or the operating system forbid `PERMISSION_DENIED`, a path that
/// is not there `FILE_NOT_FOUND` or is already `FILE_EXISTS`; the rest a failure of the node.
pub(super) fn effect_code(error: &EffectError) -> ErrorCode {
    match error.kind {
        EffectErrorKind::Network => ErrorCode::TRANSPORT_ERROR,
        EffectErrorKind::TimedOut => ErrorCode::TIMEOUT,
        EffectErrorKind::Cancelled => ErrorCode::CANCELLED,
        EffectErrorKind::TooLarge => ErrorCode::MEMORY_LIMIT_EXCEEDED,
        EffectErrorKind::Unsupported => ErrorCode::IMPLEMENTATION_NOT_FOUND,
        EffectErrorKind::NotPermitted | EffectErrorKind::PermissionDenied => {
            ErrorCode::PERMISSION_DENIED
        }
        EffectErrorKind::NotFound => ErrorCode::FILE_NOT_FOUND,
        EffectErrorKind::AlreadyExists => ErrorCode::FILE_EXISTS,
        EffectErrorKind::Other => ErrorCode::EXECUTION_FAILED,
    }
}

/// `"[<type>] <message>"` with the code that fits the effect failure.
pub fn effect_error(
    node_type: &str,
    message: impl std::fmt::Display,
    error: &EffectError,
) -> ExecutionError {
    let code = effect_code(error);
    let mut failure = ExecutionError::new(code, format!("[{node_type}] {message}"));
    if code == ErrorCode::EXECUTION_FAILED {
        failure.recovery = Some(Box::new(crate::error::node_failure_recovery()));
    }
    failure
}

/// `"[<type>] <message>"` for a path that does not exist: `FILE_NOT_FOUND`.
pub fn missing_file(node_type: &str, message: impl std::fmt::Display) -> ExecutionError {
    ExecutionError::new(ErrorCode::FILE_NOT_FOUND, format!("[{node_type}] {message}"))
}

/// The credential `name`, asked of the host for a node of type `node_type`: refused when the
/// conductor keeps none (`IMPLEMENTATION_NOT_FOUND`) or none has that name
/// (`CREDENTIAL_NOT_FOUND`); a run not granted it is refused by the host (`PERMISSION_DENIED`).
pub async fn named_credential(
    host: &crate::host::SharedHost,
    node_type: &str,
    name: &str,
) -> Result<crate::host::effects::Credential, ExecutionError> {
    let Some(credentials) = host.credentials() else {
        return Err(ExecutionError::new(
            ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{node_type}] This conductor keeps no credentials"),
        ));
    };
    credentials.credential(name).await?.ok_or_else(|| {
        ExecutionError::new(
            ErrorCode::CREDENTIAL_NOT_FOUND,
            format!(
                "[{node_type}] No credential is named '{name}' (conductor.credentials.set, or `atomiton credentials set`)"
            ),
        )
    })
}
