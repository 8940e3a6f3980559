//! Validation results, structured and in the legacy `{valid, errors: string[]}` form.

use crate::json;
use crate::value::Value;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, ExecutionError};

/// One problem found in a flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
pub struct ValidationIssue {
    /// The error code (`VALIDATION_FAILED`, ...).
    #[cfg_attr(test, ts(type = "string"))]
    pub code: ErrorCode,
    pub message: String,
    /// Id of the node concerned, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node_id: Option<String>,
    /// Ids from the root down to the node (`[2]` stands for a child without an id).
    pub path: Vec<String>,
    /// Field concerned, e.g. `parameters.operation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl ValidationIssue {
    /// The issue as one line: the bare message for the root node (so the TypeScript engine's strings like
    /// "Node must have an id" come through unchanged), otherwise prefixed with the node path.
    pub fn to_legacy_string(&self) -> String {
        if self.path.len() <= 1 {
            self.message.clone()
        } else {
            format!("{}: {}", self.path.join("/"), self.message)
        }
    }
}

/// All problems found in a flow, in the order they were found (root first, depth first).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ValidationReport {
    pub issues: Vec<ValidationIssue>,
    /// What the run goes ahead with but should not have to: names the engine does not know,
    /// with `strictParameters: false` (errors otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ValidationIssue>,
}

/// What `node.validate` finds: the old engine's `{valid, errors}`, the structured issues, and
/// the warnings when there are some (so a clean flow's answer is the old engine's shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "ValidationResult"))]
pub struct Validated {
    pub valid: bool,
    /// Each issue as one line (the old engine's form).
    pub errors: Vec<String>,
    pub issues: Vec<ValidationIssue>,
    /// Present only when there are some: what a flow gets away with under
    /// `strictParameters: false` (unknown parameters and ports).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(test, ts(as = "Option<Vec<String>>", optional))]
    pub warnings: Vec<String>,
}

impl ValidationReport {
    pub fn is_valid(&self) -> bool {
        self.issues.is_empty()
    }

    /// The report as `node.validate` answers it.
    pub fn validated(self) -> Validated {
        Validated {
            valid: self.is_valid(),
            errors: self.issues.iter().map(ValidationIssue::to_legacy_string).collect(),
            warnings: self.warnings.iter().map(ValidationIssue::to_legacy_string).collect(),
            issues: self.issues,
        }
    }

    /// The error a run reports for this report: the first issue's code and message, every issue
    /// in `context.issues`. `None` when valid.
    pub fn to_error(&self) -> Option<ExecutionError> {
        let first = self.issues.first()?;
        let mut error = ExecutionError::new(first.code, first.message.clone());
        error.node_id = first.node_id.clone();
        let issues: Vec<Value> = self.issues.iter().map(|i| json!(i)).collect();
        Some(error.with_context("issues", Value::Array(issues)))
    }
}
