//! Which process a running run belongs to, and whether that process is still alive: how a
//! conductor opening a store tells a crashed run from one another process is still running.

/// This process, as written into the runs it records.
pub fn this_owner() -> String {
    format!("pid:{}", std::process::id())
}

/// This process, as written into the runs it records in a store processes on many machines
/// share (queue mode's): pids repeat across machines (every container's first process is 1), so
/// the owner also names the host and a random part; a worker that lost a run to another tells
/// the two apart by it (see `RedisHistory`). Never taken for alive by [`owner_alive`].
pub fn fleet_owner() -> String {
    use std::hash::{BuildHasher, Hasher};
    // A random 64 bits without a dependency: the standard hasher's per-process random keys.
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    let host =
        std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".into());
    format!("{}@{host}:{:016x}", this_owner(), hasher.finish())
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
        assert!(!owner_alive(&fleet_owner()), "another machine's process may have the same pid");
        assert_ne!(fleet_owner(), fleet_owner());
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
