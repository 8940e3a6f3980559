//! The conductor config's sections about processes, for the bindings whose hosts start them:
//! `python` (the interpreter `python` nodes run on, and its workers) and `processes` (what the
//! processes one node starts may use together, and whether a restricted run's processes may go
//! unconfined).
//!
//! A capability of its own: the engine owns the trait ([`SessionCapability`]) and keeps each
//! section as a raw value; [`Python`] and [`Processes`] own them, check them when a session's
//! engine is made, and give the binding their typed settings ([`PythonConfig::of`],
//! [`ProcessConfig::of`]). The native addon passes both; the Node fallback passes
//! [`Processes`] (its processes run through Node, where the section is checked but its limits
//! are not enforced) and no [`Python`] (it runs no Python); the browser modules pass neither, and
//! a config with either section is refused there, saying where it runs.
//!
//! [`SessionCapability`]: atomiton_core::session::SessionCapability

mod process;
mod python;

pub use process::{ProcessConfig, Processes};
pub use python::{Python, PythonConfig};

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::value::Value;
use serde::de::DeserializeOwned;

/// `section` read as `T`; an unknown field or a wrong type is the error the rest of the config
/// gives (`VALIDATION_FAILED`, naming the field meant).
fn read<T: DeserializeOwned>(section: &Value) -> Result<T> {
    // From JSON text with serde_json's own reader, the one the rest of the config is read with:
    // `value::from_value` would compile each section's reader again for its own two readers.
    serde_json::to_string(section)
        .and_then(|text| serde_json::from_str(&text))
        .map_err(|e| atomiton_core::options::serde_error::invalid("conductor config", &e))
}

/// `name` must be at least 1 when it is given.
fn at_least_one(name: &str, value: Option<u64>) -> Result<()> {
    match value {
        Some(0) => Err(ExecutionError::validation(format!(
            "Invalid conductor config: '{name}' must be a whole number of at least 1, not 0"
        ))),
        _ => Ok(()),
    }
}
