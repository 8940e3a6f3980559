//! What the processes of one node may use together (`processes` in the conductor's config).

/// Limits on one node's processes, and whether a restricted run's processes may go unconfined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessLimits {
    /// Resident memory of the node's processes together, in bytes.
    pub memory_bytes: u64,
    /// Processes alive at once, the program included.
    pub max_processes: u64,
    /// CPU time of the node's processes together, ended ones included; `None`: no bound.
    pub cpu_time_ms: Option<u64>,
    /// Files each process may have open.
    pub max_open_files: u64,
    /// Where the OS cannot confine a restricted run's processes to its grant, run them
    /// unconfined (`true`) or refuse them (`false`, the default: fail closed).
    pub allow_unconfined: bool,
}

impl Default for ProcessLimits {
    /// 2 GiB, 256 processes, no CPU bound (the node's timeout bounds its time), 4096 files:
    /// far above what a script needs, low enough that a leak or a fork bomb ends before it
    /// takes the machine (or the desktop app embedding us) down with it.
    fn default() -> Self {
        ProcessLimits {
            memory_bytes: 2 << 30,
            max_processes: 256,
            cpu_time_ms: None,
            max_open_files: 4096,
            allow_unconfined: false,
        }
    }
}
