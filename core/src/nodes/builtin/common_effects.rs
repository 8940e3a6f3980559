//! Turning host effect failures into node errors.

use crate::error::{ErrorCode, ExecutionError};
use crate::host::effects::{EffectError, EffectErrorKind};

/// The error code an effect failure maps to: network problems are `TRANSPORT_ERROR` and time-outs
/// `TIMEOUT` (both retried by the engine), cancellation `CANCELLED`, size caps
/// `MEMORY_LIMIT_EXCEEDED`, missing support `IMPLEMENTATION_NOT_FOUND`, what the run's permissions
/// forbid `PERMISSION_DENIED`, the rest a logic failure.
pub(super) fn effect_code(error: &EffectError) -> ErrorCode {
    match error.kind {
        EffectErrorKind::Network => ErrorCode::TRANSPORT_ERROR,
        EffectErrorKind::TimedOut => ErrorCode::TIMEOUT,
        EffectErrorKind::Cancelled => ErrorCode::CANCELLED,
        EffectErrorKind::TooLarge => ErrorCode::MEMORY_LIMIT_EXCEEDED,
        EffectErrorKind::Unsupported => ErrorCode::IMPLEMENTATION_NOT_FOUND,
        EffectErrorKind::NotPermitted => ErrorCode::PERMISSION_DENIED,
        EffectErrorKind::NotFound | EffectErrorKind::PermissionDenied | EffectErrorKind::Other => {
            ErrorCode::EXECUTION_FAILED
        }
    }
}

/// `"[<type>] <message>"` with the code that fits the effect failure.
pub(super) fn effect_error(
    node_type: &str,
    message: impl std::fmt::Display,
    error: &EffectError,
) -> ExecutionError {
    ExecutionError::new(effect_code(error), format!("[{node_type}] {message}"))
}
