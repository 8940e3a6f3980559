//! Flow ids become file names, so they are checked before use.

use crate::error::{ExecutionError, Result};

/// Accepts `[A-Za-z0-9_-]` plus inner dots, 1–128 characters, starting with a letter or digit:
/// no separators, no `..`, no hidden files, nothing the file system interprets.
pub fn validate_flow_id(id: &str) -> Result<()> {
    validate_name("flow id", id)
}

/// [`validate_flow_id`]'s rule for any name that becomes a storage key (a credential's), with
/// `what` naming it in the error.
pub fn validate_name(what: &str, id: &str) -> Result<()> {
    let valid = !id.is_empty()
        && id.len() <= 128
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !id.contains("..")
        && !id.ends_with('.');
    if valid {
        Ok(())
    } else {
        Err(ExecutionError::validation(format!(
            "Invalid {what} {id:?}: use 1-128 letters, digits, '-', '_' or inner '.', starting with a letter or digit"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::validate_flow_id;

    #[test]
    fn hostile_ids_are_refused() {
        for good in ["a", "550e8400-e29b-41d4-a716-446655440001", "my_flow.v2", "A1"] {
            assert!(validate_flow_id(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "../etc/passwd",
            "a/b",
            "a\\b",
            ".hidden",
            "x..y",
            "ends.",
            "nul\0",
            "spa ce",
            "%2e%2e",
            "é",
            &"x".repeat(129),
        ] {
            assert!(validate_flow_id(bad).is_err(), "{bad:?}");
        }
    }
}
