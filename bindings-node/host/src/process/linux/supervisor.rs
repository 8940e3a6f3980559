//! The supervisor: what makes "nothing outlives its node" hold on Linux.
//!
//! The host does not start a node's program directly. The child it spawns forks once more,
//! before `exec`: the grandchild becomes the program (confined, limited), and the child stays
//! behind as its supervisor, running the loop below and never executing anything:
//!
//! - it is a *child subreaper*, so a descendant whose parent dies (a double fork, a `setsid`
//!   daemon, `nohup … &`) is re-parented to it rather than to init, and stays in its tree;
//! - when the program exits, when the host asks (SIGTERM: a timeout, a cancellation), or when
//!   the host dies (its parent-death signal, and its parent changing), it kills every process
//!   of its tree, again and again until none is left, then exits as the program did;
//! - every tick it measures the tree (processes, resident memory, CPU time) and kills it when a
//!   limit is passed, telling the host which through a pipe;
//! - on SIGUSR1 it kills everything below the program but the program (a Python worker between
//!   two calls).
//!
//! Process groups and sessions do not matter to it: a process that leaves its group or starts
//! a session is still its descendant. What escapes is only what the kernel moves out of the
//! tree: nothing, short of a process with the privilege to re-parent itself (none exists), or a
//! process started through another service (a systemd unit, `at`, a container runtime).
//!
//! Everything here runs between `fork` and `exit` in a child of a multi-threaded process: only
//! async-signal-safe system calls, no allocation (see `sys.rs`).

use super::sys;
use super::tree::{usage, Tree};

/// How often the tree is measured and the host's life checked.
const TICK_NS: libc::c_long = 20_000_000;

/// Rounds of "find the tree, kill it" before giving up on a tree that keeps growing (each round
/// kills everything found; a process killed cannot fork).
const TEARDOWN_ROUNDS: usize = 1000;

/// What the supervisor is told before the fork: all plain values (nothing to allocate after).
#[derive(Clone, Copy)]
pub(crate) struct Plan {
    /// The host's pid: when the supervisor's parent is no longer this, the host died.
    pub(crate) host: libc::pid_t,
    /// Write end of the verdict pipe (close-on-exec: the program never has it).
    pub(crate) verdict: libc::c_int,
    /// A Landlock ruleset to restrict the program to, or -1.
    pub(crate) ruleset: libc::c_int,
    pub(crate) memory_bytes: u64,
    pub(crate) max_processes: u64,
    /// `u64::MAX`: none.
    pub(crate) cpu_time_ms: u64,
    pub(crate) max_open_files: u64,
}

/// The byte the supervisor writes to the verdict pipe when it ended the tree for a limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Memory = b'M' as isize,
    Processes = b'P' as isize,
    CpuTime = b'C' as isize,
}

impl Verdict {
    pub(crate) fn from_byte(byte: u8) -> Option<Verdict> {
        match byte {
            b'M' => Some(Verdict::Memory),
            b'P' => Some(Verdict::Processes),
            b'C' => Some(Verdict::CpuTime),
            _ => None,
        }
    }
}

/// Runs in the spawned child before `exec` (a `pre_exec` hook): forks the program, which
/// returns `Ok` and goes on to `exec`; the supervisor never returns.
pub(crate) fn split(plan: &Plan) -> std::io::Result<()> {
    // SAFETY (whole function): async-signal-safe system calls on values owned by this process.
    unsafe {
        if libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // The host dies, however: a signal the loop takes to end the tree (SIGKILL would leave it).
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::getppid() != plan.host {
            return Err(std::io::Error::other("the process that started it has ended"));
        }
        let mut watched: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut watched);
        for signal in [libc::SIGCHLD, libc::SIGTERM, libc::SIGHUP, libc::SIGINT, libc::SIGUSR1] {
            libc::sigaddset(&mut watched, signal);
        }
        // Blocked before the fork so that none is lost before the loop waits for them.
        libc::sigprocmask(libc::SIG_BLOCK, &watched, std::ptr::null_mut());
        let supervisor = libc::getpid();
        match libc::fork() {
            -1 => Err(std::io::Error::last_os_error()),
            0 => become_program(plan, supervisor),
            program => supervise(plan, &watched, program as u32),
        }
    }
}

/// The program's side of the fork: its signals back to normal, its limits, its confinement.
unsafe fn become_program(plan: &Plan, supervisor: libc::pid_t) -> std::io::Result<()> {
    let mut none: libc::sigset_t = std::mem::zeroed();
    libc::sigemptyset(&mut none);
    libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
        return Err(std::io::Error::last_os_error());
    }
    if libc::getppid() != supervisor {
        return Err(std::io::Error::other("its supervisor has ended"));
    }
    let files = libc::rlimit { rlim_cur: plan.max_open_files, rlim_max: plan.max_open_files };
    if libc::setrlimit(libc::RLIMIT_NOFILE, &files) != 0 {
        // The hard limit is lower already: keep it (lowering the soft one is enough).
        let mut current: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut current);
        current.rlim_cur = current.rlim_cur.min(plan.max_open_files);
        libc::setrlimit(libc::RLIMIT_NOFILE, &current);
    }
    if plan.ruleset >= 0 {
        super::landlock::restrict_self(plan.ruleset)?;
    }
    Ok(())
}

/// The supervisor's loop; it ends the process.
unsafe fn supervise(plan: &Plan, watched: &libc::sigset_t, program: u32) -> ! {
    close_all_but(plan.verdict);
    let me = libc::getpid() as u32;
    let Some(mut tree) = Tree::new() else {
        // No memory for the walk: the program still ends with us (its parent-death signal).
        sys::signal(program, libc::SIGKILL);
        sys::exit(125)
    };
    let ticks_per_second = match libc::sysconf(libc::_SC_CLK_TCK) {
        n if n > 0 => n as u64,
        _ => 100,
    };
    let page = match libc::sysconf(libc::_SC_PAGESIZE) {
        n if n > 0 => n as u64,
        _ => 4096,
    };
    let mut program_status: Option<libc::c_int> = None;
    let mut verdict: Option<Verdict> = None;
    let tick = libc::timespec { tv_sec: 0, tv_nsec: TICK_NS };
    loop {
        let signal = libc::sigtimedwait(watched, std::ptr::null_mut(), &tick);
        match signal {
            libc::SIGTERM | libc::SIGHUP | libc::SIGINT => break,
            libc::SIGUSR1 => kill_below(&mut tree, me, program),
            _ => {}
        }
        reap(program, &mut program_status);
        if program_status.is_some() || libc::getppid() != plan.host {
            break;
        }
        let now = usage(tree.collect(me));
        let cpu_ms =
            (now.cpu_ticks + ended_children_ticks(ticks_per_second)) * 1000 / ticks_per_second;
        verdict = if now.processes > plan.max_processes {
            Some(Verdict::Processes)
        } else if now.resident_pages.saturating_mul(page) > plan.memory_bytes {
            Some(Verdict::Memory)
        } else if cpu_ms > plan.cpu_time_ms {
            Some(Verdict::CpuTime)
        } else {
            None
        };
        if verdict.is_some() {
            break;
        }
    }
    kill_tree(&mut tree, me, program, &mut program_status);
    if let Some(verdict) = verdict {
        let byte = verdict as u8;
        libc::write(plan.verdict, (&byte as *const u8).cast(), 1);
    }
    mirror(program_status)
}

/// Closes every descriptor but `keep`: the pipes the host reads must close when the program's
/// side does, and the host's other files are none of the supervisor's business.
unsafe fn close_all_but(keep: libc::c_int) {
    let close_range = |first: libc::c_uint, last: libc::c_uint| {
        if first <= last && libc::syscall(libc::SYS_close_range, first, last, 0) != 0 {
            // Kernels before 5.9: one by one, up to the descriptor limit.
            let mut limit: libc::rlimit = std::mem::zeroed();
            libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit);
            let top = (limit.rlim_cur.min(65_536) as libc::c_uint).min(last);
            for fd in first..=top {
                libc::close(fd as libc::c_int);
            }
        }
    };
    let keep = keep.max(0) as libc::c_uint;
    if keep > 0 {
        close_range(0, keep - 1);
    }
    close_range(keep + 1, libc::c_uint::MAX);
}

/// Reaps every child that ended (re-parented orphans included), noting the program's status.
unsafe fn reap(program: u32, program_status: &mut Option<libc::c_int>) {
    loop {
        let mut status = 0;
        let pid = libc::waitpid(-1, &mut status, libc::WNOHANG);
        if pid <= 0 {
            return;
        }
        if pid as u32 == program {
            *program_status = Some(status);
        }
    }
}

/// CPU time of the children the supervisor reaped, and of theirs.
unsafe fn ended_children_ticks(ticks_per_second: u64) -> u64 {
    let mut used: libc::rusage = std::mem::zeroed();
    libc::getrusage(libc::RUSAGE_CHILDREN, &mut used);
    let micros = |t: libc::timeval| t.tv_sec.max(0) as u64 * 1_000_000 + t.tv_usec.max(0) as u64;
    (micros(used.ru_utime) + micros(used.ru_stime)) * ticks_per_second / 1_000_000
}

/// SIGKILL to every process below the program's supervisor except the program.
unsafe fn kill_below(tree: &mut Tree, me: u32, program: u32) {
    for &pid in tree.collect(me) {
        if pid != program {
            sys::signal(pid, libc::SIGKILL);
        }
    }
}

/// Kills the whole tree, until a walk finds nothing alive and every child is reaped.
unsafe fn kill_tree(tree: &mut Tree, me: u32, program: u32, status: &mut Option<libc::c_int>) {
    for _ in 0..TEARDOWN_ROUNDS {
        let found = tree.collect(me);
        for &pid in found {
            sys::signal(pid, libc::SIGKILL);
        }
        let none_left = found.is_empty();
        reap(program, status);
        if none_left {
            return;
        }
        let pause = libc::timespec { tv_sec: 0, tv_nsec: 1_000_000 };
        libc::nanosleep(&pause, std::ptr::null_mut());
    }
}

/// Exits as the program did: its exit code, or the signal that killed it.
unsafe fn mirror(status: Option<libc::c_int>) -> ! {
    let Some(status) = status else { sys::exit(137) };
    if libc::WIFEXITED(status) {
        sys::exit(libc::WEXITSTATUS(status));
    }
    if libc::WIFSIGNALED(status) {
        let signal = libc::WTERMSIG(status);
        libc::signal(signal, libc::SIG_DFL);
        let mut only: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut only);
        libc::sigaddset(&mut only, signal);
        libc::sigprocmask(libc::SIG_UNBLOCK, &only, std::ptr::null_mut());
        libc::kill(libc::getpid(), signal);
        sys::exit(128 + signal);
    }
    sys::exit(1)
}
