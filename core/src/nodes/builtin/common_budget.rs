//! The bounds one execution of a built-in node works within: its output, and its signal.

use crate::error::{ErrorCode, ExecutionError};
use crate::expression::{CallContext, Interrupt, Limits, OutputBudget};
use crate::host::CancelToken;

/// A node's expression calls stop when its run is cancelled or its attempt times out.
impl Interrupt for CancelToken {
    fn interrupted(&self) -> bool {
        self.is_cancelled()
    }
}

/// What one run of a node shares across its work: its cancellation signal (expression calls
/// look at it every few thousand steps, loops between items), and one bound on everything it
/// outputs (`Limits::max_output_bytes`): expression results, rendered text, records it builds.
pub struct NodeBudget<'n> {
    pub limits: Limits,
    signal: &'n CancelToken,
    output: OutputBudget,
}

impl<'n> NodeBudget<'n> {
    pub fn new(limits: Limits, signal: &'n CancelToken) -> Self {
        NodeBudget { limits, signal, output: OutputBudget::new(limits.max_output_bytes) }
    }

    /// For calls whose results become the node's output.
    pub fn output(&self) -> CallContext<'_> {
        CallContext { interrupt: Some(self.signal), output: Some(&self.output) }
    }

    /// For calls whose results are only looked at (filters, conditions), or replace each
    /// other (reduce's accumulator).
    pub fn checks(&self) -> CallContext<'_> {
        CallContext { interrupt: Some(self.signal), output: None }
    }

    /// Takes `bytes` of output the node builds itself from what it is given, or fails with
    /// `MEMORY_LIMIT_EXCEEDED`: `"[<type>] Output exceeds the node's output limit of N bytes
    /// (limits.maxOutputBytes raises it)"`.
    pub fn spend(&self, node_type: &str, bytes: usize) -> Result<(), ExecutionError> {
        self.output.spend(bytes).map_err(|message| output_limit_error(node_type, message))
    }

    /// Bytes of output the node may still produce.
    pub fn output_left(&self) -> usize {
        self.output.left()
    }

    /// The error for output beyond the bound.
    pub fn over(&self, node_type: &str) -> ExecutionError {
        output_limit_error(node_type, self.output.exceeded())
    }

    /// Whether the node's run was cancelled or its attempt timed out: loops over many items
    /// look between items, as each call looks only every few thousand steps.
    pub fn stopped(&self) -> Result<(), ExecutionError> {
        if self.signal.is_cancelled() {
            return Err(cancelled());
        }
        Ok(())
    }
}

/// `"[<type>] <message>"` for output over the node's bound: a memory limit, named by its code.
pub(super) fn output_limit_error(node_type: &str, message: String) -> ExecutionError {
    ExecutionError::new(ErrorCode::MEMORY_LIMIT_EXCEEDED, format!("[{node_type}] {message}"))
}

/// The node's run was cancelled or timed out while an expression ran. Whoever stopped it
/// reports that; this error only ends the node's work.
pub(super) fn cancelled() -> ExecutionError {
    ExecutionError::new(ErrorCode::CANCELLED, crate::error::messages::EXECUTION_CANCELLED)
}
