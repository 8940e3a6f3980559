//! `processes: {memoryLimit?, maxProcesses?, cpuTimeLimit?, maxOpenFiles?, allowUnconfined?}`.

use atomiton_core::error::Result;
use atomiton_core::nodes::NodeRegistry;
use atomiton_core::session::{SessionCapability, SessionConfig};
use atomiton_core::value::Value;
use serde::Deserialize;

/// Limits on what the processes one node starts (a `shell-command`'s program and everything it
/// starts; a `python` call's worker and its children) may use together, and the fail-closed
/// switch for confinement.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ProcessConfig {
    /// Bytes of resident memory, summed over the node's processes.
    pub memory_limit: Option<u64>,
    /// Processes alive at once.
    pub max_processes: Option<u64>,
    /// Milliseconds of CPU time, summed over the node's processes, ended ones included.
    pub cpu_time_limit: Option<u64>,
    /// Files each process may have open.
    pub max_open_files: Option<u64>,
    /// `true`: where the OS cannot confine a restricted run's processes to its grant, they run
    /// unconfined instead of being refused.
    pub allow_unconfined: Option<bool>,
}

impl ProcessConfig {
    /// The config's `processes` section (the defaults where it has none), checked.
    pub fn of(config: &SessionConfig) -> Result<Self> {
        config.processes.as_ref().map_or_else(|| Ok(Self::default()), Self::read)
    }

    fn read(section: &Value) -> Result<Self> {
        let limits: ProcessConfig = super::read(section)?;
        for (name, value) in [
            ("processes.memoryLimit", limits.memory_limit),
            ("processes.maxProcesses", limits.max_processes),
            ("processes.cpuTimeLimit", limits.cpu_time_limit),
            ("processes.maxOpenFiles", limits.max_open_files),
        ] {
            super::at_least_one(name, value)?;
        }
        Ok(limits)
    }
}

/// The config's `processes` section: the limits the native addon enforces on a node's processes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Processes;

impl SessionCapability for Processes {
    fn section(&self) -> Option<&'static str> {
        Some("processes")
    }

    /// Checks the section; the binding reads it again with [`ProcessConfig::of`].
    fn install(&self, section: &Value, _registry: &mut NodeRegistry) -> Result<()> {
        ProcessConfig::read(section).map(drop)
    }
}
