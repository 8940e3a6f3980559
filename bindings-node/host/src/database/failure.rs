//! A failed piece of database work, and whether its connection may serve the next one: a
//! statement the database refused leaves it usable; one cancelled, cut short or broken does not.

use atomiton_core::error::ExecutionError;

/// Whether a connection may be reused after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    Keep,
    Close,
}

/// The error, and what becomes of the connection.
pub struct Failure {
    pub error: ExecutionError,
    pub reused: Reuse,
}

impl Failure {
    /// The database refused: the connection is fine.
    pub fn keep(error: ExecutionError) -> Failure {
        Failure { error, reused: Reuse::Keep }
    }

    /// The connection is not to be reused.
    pub fn close(error: ExecutionError) -> Failure {
        Failure { error, reused: Reuse::Close }
    }
}
