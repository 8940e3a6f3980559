//! Error type shared by the compiler and the interpreter.

use std::fmt;

/// What went wrong, coarsely; callers map these onto their own error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpressionErrorKind {
    /// The source is not in the supported language subset.
    Syntax,
    /// An unknown identifier or a global that the sandbox refuses.
    Reference,
    /// Access to `__proto__`, `constructor` or `prototype`.
    Forbidden,
    /// A JavaScript `TypeError`-like failure at run time (calling a non-function, reading a
    /// property of `undefined`, ...).
    Type,
    /// The step budget or a size limit was exceeded.
    Budget,
    /// The call was stopped from outside (its [`super::Interrupt`] said so): its run was
    /// cancelled or timed out.
    Cancelled,
}

impl ExpressionErrorKind {
    /// The JavaScript-style name used when displaying the error.
    pub fn name(self) -> &'static str {
        match self {
            ExpressionErrorKind::Syntax => "SyntaxError",
            ExpressionErrorKind::Reference => "ReferenceError",
            ExpressionErrorKind::Forbidden => "ForbiddenError",
            ExpressionErrorKind::Type => "TypeError",
            ExpressionErrorKind::Budget => "BudgetError",
            ExpressionErrorKind::Cancelled => "CancelledError",
        }
    }
}

/// An error from compiling or evaluating an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpressionError {
    /// The category of the failure.
    pub kind: ExpressionErrorKind,
    /// A human-readable message; syntax messages end in `at <offset>`.
    pub message: String,
    /// Byte offset into the source, when the failure can be pinned to one.
    pub position: Option<usize>,
}

impl ExpressionError {
    /// Whether the call ran out of its step budget (rather than failing on its own).
    pub fn is_step_budget(&self) -> bool {
        self.kind == ExpressionErrorKind::Budget
            && self.message.starts_with("Expression exceeded its step budget")
    }

    /// Whether the call's result, or the node's output with it, went over the output bound
    /// ([`super::Limits::max_output_bytes`]): a memory limit, not a failure of the expression.
    pub fn is_output_limit(&self) -> bool {
        self.kind == ExpressionErrorKind::Budget && self.message.contains(super::RAISE_OUTPUT_LIMIT)
    }

    /// Builds an error from its parts.
    pub fn new(
        kind: ExpressionErrorKind,
        message: impl Into<String>,
        position: Option<usize>,
    ) -> Self {
        ExpressionError { kind, message: message.into(), position }
    }

    /// A syntax error; the offset is repeated in the message because that is what users read.
    pub(super) fn syntax(message: impl fmt::Display, pos: usize) -> Self {
        ExpressionError::new(ExpressionErrorKind::Syntax, format!("{message} at {pos}"), Some(pos))
    }

    pub(super) fn reference(message: impl Into<String>, pos: usize) -> Self {
        ExpressionError::new(ExpressionErrorKind::Reference, message, Some(pos))
    }

    pub(super) fn forbidden(name: &str, pos: Option<usize>) -> Self {
        ExpressionError::new(
            ExpressionErrorKind::Forbidden,
            format!("Access to '{name}' is forbidden"),
            pos,
        )
    }
}

impl fmt::Display for ExpressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for ExpressionError {}

/// Run-time results box the error so the hot `Ok` path stays two words wide.
pub(super) type RtResult<T> = Result<T, Box<ExpressionError>>;

/// A boxed run-time `TypeError`.
pub(super) fn type_error(message: impl Into<String>, pos: Option<usize>) -> Box<ExpressionError> {
    Box::new(ExpressionError::new(ExpressionErrorKind::Type, message, pos))
}

/// A boxed budget error (steps or sizes).
pub(super) fn budget_error(message: impl Into<String>) -> Box<ExpressionError> {
    Box::new(ExpressionError::new(ExpressionErrorKind::Budget, message, None))
}

/// A boxed forbidden-key error raised by computed member access.
pub(super) fn forbidden_error(name: &str, pos: Option<usize>) -> Box<ExpressionError> {
    Box::new(ExpressionError::forbidden(name, pos))
}

/// For states the code rules out but that must still not panic if a bug makes them reachable.
pub(super) fn internal_error(what: &str) -> Box<ExpressionError> {
    type_error(format!("internal error: {what}"), None)
}
