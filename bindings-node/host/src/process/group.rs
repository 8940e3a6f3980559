//! Ending a node's processes: through their supervisor on Linux, by process group elsewhere.

/// Ends the processes a child started, on request or when dropped while armed.
///
/// Supervised (Linux), the child is the supervisor of the program's whole tree: SIGTERM makes it
/// kill every process of the tree (sessions and double forks included) and exit. Unsupervised,
/// the child leads a process group (`process_group(0)`): SIGKILL to the group reaches the
/// processes that did not leave it.
pub(crate) struct GroupKiller {
    /// The child's pid, which is also its group's id; `None` once disarmed or forced, or on
    /// platforms without process groups.
    group: Option<i32>,
    supervised: bool,
}

impl GroupKiller {
    pub(crate) fn new(pid: Option<u32>, supervised: bool) -> Self {
        // Never 0 or 1: `kill(0)` / `kill(-1)` would signal our own group or every process.
        let group = pid.and_then(|pid| i32::try_from(pid).ok()).filter(|pid| *pid > 1);
        GroupKiller { group: if cfg!(unix) { group } else { None }, supervised }
    }

    /// The child ended and was reaped: there is nothing left to signal (its pid may be reused).
    pub(crate) fn disarm(&mut self) {
        self.group = None;
    }

    /// Ends the processes: the supervisor is told to end its tree (it may take a moment: wait
    /// for the child, then [`force`](Self::force) if it did not end); the group is killed.
    pub(crate) fn end(&mut self) {
        match self.group {
            Some(pid) if self.supervised => signal(pid, libc_signal::TERM),
            Some(_) => self.force(),
            None => {}
        }
    }

    /// Between two uses of a long-lived child (a Python worker): the supervisor kills every
    /// process below the program but the program. Unsupervised, nothing can be done.
    pub(crate) fn tidy(&self) {
        if let (Some(pid), true) = (self.group, self.supervised) {
            signal(pid, libc_signal::USR1);
        }
    }

    /// SIGKILL to the whole group (once): the supervisor and the processes still in its group.
    pub(crate) fn force(&mut self) {
        if let Some(group) = self.group.take() {
            signal(-group, libc_signal::KILL);
        }
    }
}

impl Drop for GroupKiller {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(unix)]
mod libc_signal {
    pub(super) const TERM: i32 = libc::SIGTERM;
    pub(super) const USR1: i32 = libc::SIGUSR1;
    pub(super) const KILL: i32 = libc::SIGKILL;
}

#[cfg(not(unix))]
mod libc_signal {
    pub(super) const TERM: i32 = 0;
    pub(super) const USR1: i32 = 0;
    pub(super) const KILL: i32 = 0;
}

#[cfg(unix)]
fn signal(target: i32, signal: i32) {
    // SAFETY: `kill` has no memory-safety preconditions. The target is `pid > 1` or `-pid` of a
    // group it leads (checked in `new`), never everyone. It cannot have been reused: the child
    // is not reaped while the killer is armed (`disarm` comes with the reaping). ESRCH (already
    // gone) is fine.
    unsafe {
        libc::kill(target, signal);
    }
}

#[cfg(not(unix))]
fn signal(_target: i32, _signal: i32) {}
