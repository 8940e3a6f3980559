//! `python: {interpreter?, virtualenv?, workers?}`.

use std::path::PathBuf;

use atomiton_core::error::{ExecutionError, Result};
use atomiton_core::nodes::NodeRegistry;
use atomiton_core::session::{SessionCapability, SessionConfig};
use atomiton_core::value::Value;
use serde::Deserialize;

/// The interpreter `python` nodes run on (a path or a name on the PATH; a virtual environment's
/// own) and how many worker processes run them at most.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PythonConfig {
    pub interpreter: Option<String>,
    pub virtualenv: Option<PathBuf>,
    pub workers: Option<usize>,
}

impl PythonConfig {
    /// The config's `python` section (the defaults where it has none), checked.
    pub fn of(config: &SessionConfig) -> Result<Self> {
        config.python.as_ref().map_or_else(|| Ok(Self::default()), Self::read)
    }

    fn read(section: &Value) -> Result<Self> {
        let python: PythonConfig = super::read(section)?;
        if python.interpreter.is_some() && python.virtualenv.is_some() {
            return Err(ExecutionError::validation(
                "Invalid conductor config: 'python.interpreter' must be absent with python.virtualenv (whose interpreter it would replace), not a path",
            ));
        }
        super::at_least_one("python.workers", python.workers.map(|w| w as u64))?;
        Ok(python)
    }
}

/// The config's `python` section: the native addon's Python workers.
#[derive(Debug, Clone, Copy, Default)]
pub struct Python;

impl SessionCapability for Python {
    fn section(&self) -> Option<&'static str> {
        Some("python")
    }

    /// Checks the section; the binding reads it again with [`PythonConfig::of`] to start the
    /// workers (the engine's registry already has the `python` node type).
    fn install(&self, section: &Value, _registry: &mut NodeRegistry) -> Result<()> {
        PythonConfig::read(section).map(drop)
    }
}
