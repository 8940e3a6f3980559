//! The 22 error codes of the TypeScript engine (same names), then our own: access control,
//! files, and waits. The string value of each code equals its name, exactly as the TypeScript
//! `enum ErrorCode` does.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $(#[cfg($cfg:meta)])? $name:ident ),+ $(,)?) => {
        /// Every error code the engine can report. Serialises as its name (`"TIMEOUT"`).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $(#[cfg($cfg)])? $name ),+
        }

        impl ErrorCode {
            /// All codes: the TypeScript engine's 22 in its order, then ours.
            pub const ALL: &'static [ErrorCode] = &[$($(#[cfg($cfg)])? ErrorCode::$name),+];

            /// The wire string of the code (equal to its name).
            pub fn as_str(self) -> &'static str {
                match self { $($(#[cfg($cfg)])? ErrorCode::$name => stringify!($name)),+ }
            }

            /// Each code's doc comment, for the generated TypeScript enum.
            #[cfg(test)]
            pub(crate) fn doc(self) -> &'static str {
                match self { $($(#[cfg($cfg)])? ErrorCode::$name => concat!($($doc, "\n"),*)),+ }
            }

            /// Parses a wire string; unknown strings give `None`.
            pub fn parse(value: &str) -> Option<ErrorCode> {
                match value { $($(#[cfg($cfg)])? stringify!($name) => Some(ErrorCode::$name),)+ _ => None }
            }
        }
    };
}

error_codes! {
    // Validation
    /// The flow as a whole is not acceptable (limits, malformed structure).
    VALIDATION_FAILED,
    /// A node's parameters break its type's schema.
    INVALID_PARAMETERS,
    /// A node definition lacks an id or a type.
    INVALID_NODE,
    /// A required field is absent.
    MISSING_REQUIRED_FIELD,
    /// A value has the wrong type.
    TYPE_MISMATCH,
    // Execution
    /// A node's logic failed.
    EXECUTION_FAILED,
    /// A referenced node does not exist (e.g. an edge endpoint).
    NODE_NOT_FOUND,
    /// No executable is registered for a node type.
    NODE_TYPE_NOT_FOUND,
    /// The node type exists but this environment cannot run it (e.g. `file-system` in a browser).
    IMPLEMENTATION_NOT_FOUND,
    /// The graph contains a cycle.
    CIRCULAR_DEPENDENCY,
    /// No executor factory was configured.
    NO_EXECUTOR_FACTORY,
    // Runtime
    /// A node attempt or the whole run exceeded its time limit.
    TIMEOUT,
    /// The run was cancelled.
    CANCELLED,
    /// A size limit (response size, string size, ...) was exceeded.
    MEMORY_LIMIT_EXCEEDED,
    /// A remote service rate-limited the request.
    RATE_LIMIT_EXCEEDED,
    // Transport
    /// A network or transport failure.
    TRANSPORT_ERROR,
    /// No transport is available.
    NO_TRANSPORT,
    /// IPC between processes failed.
    IPC_COMMUNICATION_FAILED,
    /// A value could not be serialised.
    SERIALIZATION_FAILED,
    /// Input could not be parsed.
    DESERIALIZATION_FAILED,
    // System
    /// A bug in the engine (e.g. a caught panic).
    INTERNAL_ERROR,
    /// Anything else.
    UNKNOWN_ERROR,
    // Access (not in the TypeScript engine, which had no server)
    /// The run or the caller is not allowed to do this (a node needing a capability the run was
    /// not granted, a path outside its roots, a host not listed, a command not granted).
    PERMISSION_DENIED,
    /// A protocol server call without valid credentials (none, unknown, expired or revoked
    /// token; a failed login).
    AUTHENTICATION_FAILED,
    // Files (not in the TypeScript engine, which reported them as EXECUTION_FAILED)
    /// A file, directory or program the flow names does not exist.
    FILE_NOT_FOUND,
    /// A file the node would create exists, and the node was told not to replace it
    /// (`overwrite: false`).
    FILE_EXISTS,
    // Waits and durable runs (only builds with execution history give them; every build knows
    // them, so that a result from one that does reads the same everywhere)
    /// The run waits at a `wait` node (for a signal, an approval or a time): it is parked in its
    /// history store, and goes on when it is woken. The error's `context` says what it waits for.
    WAITING,
    /// A durable run stopped while nodes with effects were running (they may have had them), and
    /// resumes only once the caller decides, for each, to run it again (`rerun`) or to give its
    /// output (`skip`). The error's `context.nodes` lists them (`[{nodeId, nodeType}]`).
    DECISION_REQUIRED,
    // Credentials (`conductor.credentials`)
    /// A node names a credential no one has set (`credentials.set` or `atomiton credentials set`).
    CREDENTIAL_NOT_FOUND,
    /// The credentials cannot be read or written: no key was given (`ATOMITON_CREDENTIALS_KEY`
    /// or a key file), the key file may be read by others, or the key is not the one they were
    /// written with.
    CREDENTIALS_LOCKED,
}

impl ErrorCode {
    /// Whether the scheduler retries a node attempt that failed with this code (COMPATIBILITY.md
    /// "Retries"): time-outs, rate limits and transport/network failures only. A node whose own
    /// logic failed is never re-run.
    pub fn is_retryable_by_engine(self) -> bool {
        matches!(
            self,
            ErrorCode::TIMEOUT
                | ErrorCode::RATE_LIMIT_EXCEEDED
                | ErrorCode::TRANSPORT_ERROR
                | ErrorCode::IPC_COMMUNICATION_FAILED
        )
    }
}

/// Who can fix a failure, as the published docs' `type` names it: the flow or its input
/// (`validation`), something named that is not there (`not-found`) or already is
/// (`conflict`), what the run or caller may not do (`permission`), the network, a time or size
/// limit, a cancellation, a node's own work (`execution`), the engine itself (`internal`), a
/// run parked at a `wait` node (`waiting`), or a run that resumes only once its caller decides
/// what to do with a node that had effects in flight (`decision`).
impl ErrorCode {
    pub fn kind(self) -> &'static str {
        use ErrorCode::*;
        match self {
            VALIDATION_FAILED
            | INVALID_PARAMETERS
            | INVALID_NODE
            | MISSING_REQUIRED_FIELD
            | TYPE_MISMATCH
            | NODE_NOT_FOUND
            | NODE_TYPE_NOT_FOUND
            | IMPLEMENTATION_NOT_FOUND
            | CIRCULAR_DEPENDENCY
            | SERIALIZATION_FAILED
            | DESERIALIZATION_FAILED
            | NO_EXECUTOR_FACTORY => "validation",
            FILE_NOT_FOUND | CREDENTIAL_NOT_FOUND => "not-found",
            FILE_EXISTS => "conflict",
            PERMISSION_DENIED | AUTHENTICATION_FAILED | CREDENTIALS_LOCKED => "permission",
            TRANSPORT_ERROR | NO_TRANSPORT | IPC_COMMUNICATION_FAILED | RATE_LIMIT_EXCEEDED => {
                "network"
            }
            TIMEOUT => "timeout",
            MEMORY_LIMIT_EXCEEDED => "limit",
            CANCELLED => "cancelled",
            EXECUTION_FAILED => "execution",
            INTERNAL_ERROR | UNKNOWN_ERROR => "internal",
            WAITING => "waiting",
            DECISION_REQUIRED => "decision",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
