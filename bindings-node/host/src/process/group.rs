//! Killing a child's whole process group.

/// Kills the process group a child leads, on request or when dropped while armed.
///
/// The child is spawned with `process_group(0)`, so its group id is its pid and its
/// descendants inherit the group unless they leave it on purpose.
pub(crate) struct GroupKiller {
    /// The group to kill; `None` once disarmed or on platforms without process groups.
    group: Option<i32>,
}

impl GroupKiller {
    pub(crate) fn new(pid: Option<u32>) -> Self {
        // Never 0 or 1: `kill(0)` / `kill(-1)` would signal our own group or every process.
        let group = pid.and_then(|pid| i32::try_from(pid).ok()).filter(|pid| *pid > 1);
        GroupKiller { group: if cfg!(unix) { group } else { None } }
    }

    /// The run ended normally: leave whatever the child left running alone (as Node does).
    pub(crate) fn disarm(&mut self) {
        self.group = None;
    }

    /// Sends SIGKILL to the whole group (once).
    pub(crate) fn kill(&mut self) {
        if let Some(group) = self.group.take() {
            signal_group(group);
        }
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        self.kill();
    }
}

#[cfg(unix)]
fn signal_group(group: i32) {
    // SAFETY: `kill` has no memory-safety preconditions. `group > 1` (checked in `new`) makes the
    // negative argument address exactly that process group. The group cannot have been reused:
    // the leader is not reaped before this runs, and a group id stays taken while any member
    // lives. ESRCH (the group is already gone) is fine.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn signal_group(_group: i32) {}
