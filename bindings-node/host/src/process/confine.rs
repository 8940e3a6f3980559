//! Everything settled before a node's process is spawned: its confinement (the run's grant as
//! the OS enforces it), its limits, its private temporary directory, and on Linux the
//! supervisor's plan (see `linux/supervisor.rs`). Fail closed: a run whose grant the OS cannot
//! enforce here is refused, unless the config allows unconfined processes.

use std::path::{Path, PathBuf};

use atomiton_core::host::effects::{EffectError, EffectErrorKind, EffectResult};
use atomiton_core::host::Confinement;
use tokio::process::Command;

use super::limits::ProcessLimits;

/// What one spawn was given, kept until its process ended.
pub(crate) struct Prepared {
    /// The grant is enforced by the OS (Landlock) on the process and its descendants.
    pub(crate) confined: bool,
    /// The program runs under a supervisor (Linux): ending the node ends its whole tree.
    pub(crate) supervised: bool,
    temp_dir: Option<TempDir>,
    #[cfg(target_os = "linux")]
    linux: Option<LinuxSpawn>,
}

#[cfg(target_os = "linux")]
struct LinuxSpawn {
    plan: super::linux::Plan,
    /// Kept open until the spawn, so that the plan's descriptor stays valid.
    _ruleset: Option<std::os::fd::OwnedFd>,
    verdict_read: std::os::fd::OwnedFd,
    verdict_write: Option<std::os::fd::OwnedFd>,
}

/// Why a limit ended a node's processes (only Linux's supervisor ends them for one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) enum LimitHit {
    Memory,
    Processes,
    CpuTime,
}

impl LimitHit {
    /// The node's error for it, naming the setting.
    pub(crate) fn error(self, limits: &ProcessLimits, what: &str) -> EffectError {
        match self {
            LimitHit::Memory => EffectError::new(
                EffectErrorKind::TooLarge,
                format!(
                    "{what} used more than {} bytes of memory with its processes (processes.memoryLimit); they were killed",
                    limits.memory_bytes
                ),
            ),
            LimitHit::Processes => EffectError::new(
                EffectErrorKind::TooLarge,
                format!(
                    "{what} started more than {} processes at once (processes.maxProcesses); they were killed",
                    limits.max_processes
                ),
            ),
            LimitHit::CpuTime => EffectError::new(
                EffectErrorKind::TimedOut,
                format!(
                    "{what} used more than {} ms of CPU time with its processes (processes.cpuTimeLimit); they were killed",
                    limits.cpu_time_ms.unwrap_or_default()
                ),
            ),
        }
    }
}

/// A directory of the process's own, removed with everything in it when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prepares the spawn of `program` (as the spec names it, in `cwd`) under `confinement`.
/// `readable`: directories the program needs besides the system's (an interpreter's prefix).
pub(crate) fn prepare(
    program: &str,
    cwd: Option<&Path>,
    confinement: Option<&Confinement>,
    limits: &ProcessLimits,
    readable: &[PathBuf],
) -> EffectResult<Prepared> {
    let refused = |why: String| {
        EffectError::new(
            EffectErrorKind::NotPermitted,
            format!(
                "this run's grant cannot be enforced on the processes it starts here ({why}); set processes.allowUnconfined in the conductor's config to run them unconfined"
            ),
        )
    };
    let temp_dir = match confinement {
        Some(_) => Some(temp_dir().map_err(|e| {
            EffectError::new(
                EffectErrorKind::Other,
                format!("cannot make the process's temporary directory: {e}"),
            )
        })?),
        None => None,
    };
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let ruleset = match confinement {
            None => None,
            Some(confinement) => {
                let roots = confinement.roots.as_ref().map(|roots| {
                    let mut resolved: Vec<PathBuf> =
                        roots.iter().map(|root| resolve(cwd, root)).collect();
                    resolved.extend(temp_dir.as_ref().map(|dir| dir.0.clone()));
                    resolved
                });
                let mut needed = program_dirs(program, cwd);
                needed.extend(readable.iter().cloned());
                let grant = super::linux::landlock::Grant {
                    roots: roots.as_deref(),
                    readable: &needed,
                    ports: confinement.tcp_ports.as_deref(),
                };
                match super::linux::landlock::ruleset(&grant) {
                    Ok(ruleset) => Some(ruleset),
                    Err(_) if limits.allow_unconfined => None,
                    Err(why) => return Err(refused(why)),
                }
            }
        };
        let (verdict_read, verdict_write) = pipe().map_err(|e| {
            EffectError::new(
                EffectErrorKind::Other,
                format!("cannot start a process supervisor: {e}"),
            )
        })?;
        let plan = super::linux::Plan {
            host: libc::pid_t::try_from(std::process::id()).unwrap_or(0),
            verdict: verdict_write.as_raw_fd(),
            ruleset: ruleset.as_ref().map_or(-1, AsRawFd::as_raw_fd),
            memory_bytes: limits.memory_bytes,
            max_processes: limits.max_processes,
            cpu_time_ms: limits.cpu_time_ms.unwrap_or(u64::MAX),
            max_open_files: limits.max_open_files,
        };
        Ok(Prepared {
            confined: ruleset.is_some(),
            supervised: true,
            temp_dir,
            linux: Some(LinuxSpawn {
                plan,
                _ruleset: ruleset,
                verdict_read,
                verdict_write: Some(verdict_write),
            }),
        })
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (program, cwd, readable);
        if confinement.is_some() && !limits.allow_unconfined {
            return Err(refused(
                "only Linux confines processes (with Landlock); this is another operating system"
                    .to_owned(),
            ));
        }
        Ok(Prepared { confined: false, supervised: false, temp_dir })
    }
}

impl Prepared {
    /// Applies it to `command`: the private temporary directory, and on Linux the supervisor.
    pub(crate) fn apply(&self, command: &mut Command) {
        if let Some(dir) = &self.temp_dir {
            for name in ["TMPDIR", "TMP", "TEMP"] {
                command.env(name, &dir.0);
            }
        }
        #[cfg(target_os = "linux")]
        if let Some(linux) = &self.linux {
            let plan = linux.plan;
            // The supervisor ends the tree when told (SIGTERM): a SIGKILL from tokio on drop
            // would kill it alone and leave the tree behind.
            command.kill_on_drop(false);
            // SAFETY: `split` runs in the forked child and makes only async-signal-safe system
            // calls on the plan's plain values (see linux/supervisor.rs).
            unsafe {
                command.pre_exec(move || super::linux::split(&plan));
            }
        }
    }

    /// After the spawn: the host's copy of the verdict pipe's write end is closed, so that the
    /// pipe ends when the supervisor does.
    pub(crate) fn spawned(&mut self) {
        #[cfg(target_os = "linux")]
        if let Some(linux) = &mut self.linux {
            linux.verdict_write = None;
        }
    }

    /// Once the process ended: the limit its supervisor ended it for, if one.
    pub(crate) fn limit_hit(&self) -> Option<LimitHit> {
        #[cfg(target_os = "linux")]
        if let Some(linux) = &self.linux {
            use std::io::Read;
            let mut pipe = std::fs::File::from(linux.verdict_read.try_clone().ok()?);
            let mut byte = [0u8; 1];
            return match pipe.read(&mut byte) {
                Ok(1) => super::linux::Verdict::from_byte(byte[0]).map(|verdict| match verdict {
                    super::linux::Verdict::Memory => LimitHit::Memory,
                    super::linux::Verdict::Processes => LimitHit::Processes,
                    super::linux::Verdict::CpuTime => LimitHit::CpuTime,
                }),
                _ => None,
            };
        }
        None
    }
}

/// A root as the grant names it, against the process's working directory when relative.
#[cfg(target_os = "linux")]
fn resolve(cwd: Option<&Path>, root: &str) -> PathBuf {
    let path = match cwd {
        Some(cwd) => cwd.join(root),
        None => PathBuf::from(root),
    };
    std::fs::canonicalize(&path).unwrap_or(path)
}

/// The directories `program` is in, found as `exec` finds it, and their parents (an install
/// prefix: `…/bin/python3` needs `…/lib`), before and after resolving symlinks.
#[cfg(target_os = "linux")]
fn program_dirs(program: &str, cwd: Option<&Path>) -> Vec<PathBuf> {
    let found = if program.contains('/') {
        Some(match cwd {
            Some(cwd) => cwd.join(program),
            None => PathBuf::from(program),
        })
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
        })
    };
    let mut dirs = Vec::new();
    for path in found
        .iter()
        .flat_map(|p| [p.clone(), std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())])
    {
        if let Some(dir) = path.parent() {
            dirs.push(dir.to_path_buf());
            // `/`: a program at the root grants nothing more.
            if let Some(prefix) = dir.parent().filter(|prefix| prefix.parent().is_some()) {
                dirs.push(prefix.to_path_buf());
            }
        }
    }
    dirs
}

fn temp_dir() -> std::io::Result<TempDir> {
    let dir = std::env::temp_dir().join(format!("atomiton-process-{:016x}", fastrand::u64(..)));
    // Only its owner may look in (the mode is Unix's; elsewhere the user's temp dir is private).
    #[cfg(unix)]
    let builder = {
        let mut builder = std::fs::DirBuilder::new();
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
    };
    #[cfg(not(unix))]
    let builder = std::fs::DirBuilder::new();
    builder.create(&dir)?;
    Ok(TempDir(dir))
}

#[cfg(target_os = "linux")]
fn pipe() -> std::io::Result<(std::os::fd::OwnedFd, std::os::fd::OwnedFd)> {
    use std::os::fd::FromRawFd;
    let mut fds = [0; 2];
    // SAFETY: `fds` has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC | libc::O_NONBLOCK) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: two new descriptors, each owned once.
    Ok(unsafe {
        (std::os::fd::OwnedFd::from_raw_fd(fds[0]), std::os::fd::OwnedFd::from_raw_fd(fds[1]))
    })
}
