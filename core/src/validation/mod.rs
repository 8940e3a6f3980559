//! Validation before running (COMPATIBILITY.md "Validation"): every problem of a flow, found
//! before any node has side effects.

mod context;
mod field_names;
mod issue;
mod limits;
mod permitted;
mod validator;

pub use context::ValidationContext;
pub use issue::{Validated, ValidationIssue, ValidationReport};
pub use limits::FlowLimits;
pub use permitted::permission_issues;
pub use validator::validate;
pub(crate) use validator::validate_with_layouts;
