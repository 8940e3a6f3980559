//! What a call may be given beyond its [`Limits`](super::Limits): a way to be stopped from
//! outside (its run was cancelled or timed out), and a share of a bound on the results of many
//! calls together (a node's output).

use std::cell::Cell;

/// Asked, every [`CHECK_EVERY`] steps of a call, whether the call should stop. A run's
/// cancellation token answers it; checking costs one atomic load per interval.
pub trait Interrupt {
    /// Whether whoever started the call no longer wants its result.
    fn interrupted(&self) -> bool;
}

/// How many steps a call runs between two looks at its [`Interrupt`]: a few tens of
/// microseconds of evaluation, so a stop request is honoured within milliseconds.
pub const CHECK_EVERY: u64 = 4096;

/// The results of many calls together (one node's output) within one bound. Each call's result
/// is measured while it is built, against what is left, so a node fails before it holds more
/// than the bound — not after.
#[derive(Debug)]
pub struct OutputBudget {
    limit: usize,
    left: Cell<usize>,
}

impl OutputBudget {
    /// A budget of `limit` bytes (results are measured as their approximate JSON length).
    pub fn new(limit: usize) -> Self {
        OutputBudget { limit, left: Cell::new(limit) }
    }

    /// The whole bound.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// What is left.
    pub fn left(&self) -> usize {
        self.left.get()
    }

    /// Takes `bytes` from what is left, or says (as the message of the error it should become)
    /// that they do not fit.
    pub fn spend(&self, bytes: usize) -> Result<(), String> {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(self.exceeded()),
        }
    }

    /// The message for going over the bound.
    pub fn exceeded(&self) -> String {
        format!(
            "Output exceeds the node's output limit of {} bytes ({RAISE_OUTPUT_LIMIT})",
            self.limit
        )
    }
}

/// How every message of the output bound ends: the option that raises it (`ConductorConfig`'s
/// `limits.maxOutputBytes`, [`super::Limits::max_output_bytes`] here).
pub const RAISE_OUTPUT_LIMIT: &str = "limits.maxOutputBytes raises it";

/// Everything optional a call is given besides its arguments and [`Limits`](super::Limits).
/// The default is a call nobody can stop whose result is bounded by its limits alone.
#[derive(Clone, Copy, Default)]
pub struct CallContext<'c> {
    /// Looked at every [`CHECK_EVERY`] steps; a call that sees it set ends with a
    /// [`Cancelled`](super::ExpressionErrorKind::Cancelled) error.
    pub interrupt: Option<&'c dyn Interrupt>,
    /// The bound this call's result shares with other calls.
    pub output: Option<&'c OutputBudget>,
}
