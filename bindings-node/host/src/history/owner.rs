//! Which process a running run belongs to, and whether that process is still alive: how a
//! conductor opening a store tells a crashed run from one another process is still running.

/// This process, as written into the runs it records.
pub fn this_owner() -> String {
    format!("pid:{}", std::process::id())
}

/// Whether the process `owner` names is alive. A malformed owner is not.
pub fn owner_alive(owner: &str) -> bool {
    let Some(pid) = owner.strip_prefix("pid:").and_then(|pid| pid.parse::<u32>().ok()) else {
        return false;
    };
    pid == std::process::id() || process_exists(pid)
}

#[cfg(unix)]
fn process_exists(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // Signal 0 checks only that the process exists; EPERM means it does, owned by someone else.
    // SAFETY: kill with signal 0 sends nothing and touches no memory.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

// Without a cheap portable check, another process's running runs are taken as alive: they are
// never marked crashed by mistake (a run whose process died stays `running` until pruned).
#[cfg(not(unix))]
fn process_exists(_pid: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_garbage_is_not() {
        assert!(owner_alive(&this_owner()));
        assert!(!owner_alive("pid:"));
        assert!(!owner_alive("host:1"));
        assert!(!owner_alive("pid:-5"));
    }

    #[cfg(unix)]
    #[test]
    fn a_reaped_child_is_not_alive() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!owner_alive(&format!("pid:{pid}")));
    }
}
