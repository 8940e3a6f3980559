//! Landlock: the kernel confining a program to the paths and TCP ports of its run's grant.
//!
//! The ruleset is built in the host (opening paths, which allocates) before the spawn; the
//! program only calls `landlock_restrict_self` on it between fork and exec. Landlock needs no
//! privilege: any process may confine itself and what it starts, for good (a confined process
//! cannot undo it, and its descendants inherit it). The system calls are made directly: the
//! interface is three calls and three small structures, stable since Linux 5.13, and each newer
//! ABI only adds access bits (which are asked for only where the running kernel knows them).

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::Path;

const CREATE_RULESET: libc::c_long = 444;
const ADD_RULE: libc::c_long = 445;
const RESTRICT_SELF: libc::c_long = 446;
const CREATE_RULESET_VERSION: u32 = 1;
const RULE_PATH_BENEATH: u32 = 1;
const RULE_NET_PORT: u32 = 2;

const EXECUTE: u64 = 1 << 0;
const WRITE_FILE: u64 = 1 << 1;
const READ_FILE: u64 = 1 << 2;
const READ_DIR: u64 = 1 << 3;
/// Everything ABI 1 handles (execute … make symlink).
const ABI1_ALL: u64 = (1 << 13) - 1;
const REFER: u64 = 1 << 13;
const TRUNCATE: u64 = 1 << 14;
const IOCTL_DEV: u64 = 1 << 15;
/// What applies to a file, not a directory (a rule on a file may grant only these).
const FILE_RIGHTS: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV;
const CONNECT_TCP: u64 = 1 << 1;
const SCOPE_ABSTRACT_UNIX_SOCKET: u64 = 1 << 0;
const SCOPE_SIGNAL: u64 = 1 << 1;

#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

#[repr(C)]
struct NetPort {
    allowed_access: u64,
    port: u64,
}

/// Directories every program may read and execute from: where programs, their libraries and
/// their configuration live (those that do not exist are skipped).
const SYSTEM: [&str; 12] = [
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/nix",
    "/proc", "/sys",
];

/// The Landlock ABI version the running kernel has (0: none: not built in, or turned off).
pub(crate) fn abi() -> u32 {
    // SAFETY: the version query reads no memory (a null attribute with size 0).
    let version = unsafe {
        libc::syscall(
            CREATE_RULESET,
            std::ptr::null::<RulesetAttr>(),
            0usize,
            CREATE_RULESET_VERSION,
        )
    };
    u32::try_from(version).unwrap_or(0)
}

/// What a ruleset grants: full access under `roots`, read and execute under `readable` (plus
/// the system's directories), reading and writing device files; TCP connections to `ports`.
pub(crate) struct Grant<'a> {
    /// `None`: files are not confined.
    pub(crate) roots: Option<&'a [std::path::PathBuf]>,
    pub(crate) readable: &'a [std::path::PathBuf],
    /// `None`: TCP is not confined.
    pub(crate) ports: Option<&'a [u16]>,
}

/// A ruleset for `grant`, or why the kernel cannot give it.
pub(crate) fn ruleset(grant: &Grant<'_>) -> Result<OwnedFd, String> {
    let abi = abi();
    if abi == 0 {
        return Err("this Linux kernel has no Landlock (or it is turned off)".to_owned());
    }
    if grant.ports.is_some() && abi < 4 {
        return Err(format!(
            "this kernel's Landlock (ABI {abi}) cannot confine TCP (ABI 4, Linux 6.7)"
        ));
    }
    let mut all_fs = ABI1_ALL;
    if abi >= 2 {
        all_fs |= REFER;
    }
    if abi >= 3 {
        all_fs |= TRUNCATE;
    }
    if abi >= 5 {
        all_fs |= IOCTL_DEV;
    }
    let attr = RulesetAttr {
        handled_access_fs: if grant.roots.is_some() { all_fs } else { 0 },
        handled_access_net: if grant.ports.is_some() { CONNECT_TCP } else { 0 },
        // A confined program may not signal processes outside its domain (the host, the
        // supervisor) nor reach abstract Unix sockets of others (ABI 6).
        scoped: if abi >= 6 { SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET } else { 0 },
    };
    let size = if abi >= 6 {
        std::mem::size_of::<RulesetAttr>()
    } else if abi >= 4 {
        16
    } else {
        8
    };
    // SAFETY: `attr` is valid for `size` bytes (a prefix of the structure for older ABIs).
    let fd = unsafe { libc::syscall(CREATE_RULESET, &attr as *const RulesetAttr, size, 0u32) };
    if fd < 0 {
        return Err(format!("Landlock refused the ruleset: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: a new descriptor the kernel just gave us (close-on-exec by definition).
    let ruleset = unsafe { OwnedFd::from_raw_fd(fd as i32) };
    if let Some(roots) = grant.roots {
        let read = READ_FILE | READ_DIR | EXECUTE;
        for dir in SYSTEM.iter().map(Path::new).chain(grant.readable.iter().map(|p| p.as_path())) {
            allow_path(&ruleset, dir, read)?;
        }
        allow_path(
            &ruleset,
            Path::new("/dev"),
            READ_FILE | WRITE_FILE | READ_DIR | (all_fs & (TRUNCATE | IOCTL_DEV)),
        )?;
        for root in roots {
            allow_path(&ruleset, root, all_fs)?;
        }
    }
    for &port in grant.ports.unwrap_or_default() {
        let rule = NetPort { allowed_access: CONNECT_TCP, port: u64::from(port) };
        // SAFETY: `rule` is a valid net-port rule for the call's duration.
        let added = unsafe {
            libc::syscall(
                ADD_RULE,
                ruleset.as_raw_fd(),
                RULE_NET_PORT,
                &rule as *const NetPort,
                0u32,
            )
        };
        if added != 0 {
            return Err(format!(
                "Landlock refused port {port}: {}",
                std::io::Error::last_os_error()
            ));
        }
    }
    Ok(ruleset)
}

/// Grants `access` under `path` (a file gets only the rights that apply to files); a path that
/// does not exist grants nothing.
fn allow_path(ruleset: &OwnedFd, path: &Path, access: u64) -> Result<(), String> {
    let Ok(file) = std::fs::File::options().read(true).custom_flags_path().open(path) else {
        return Ok(());
    };
    let is_dir = file.metadata().map(|m| m.is_dir()).unwrap_or(false);
    let rule = PathBeneath {
        allowed_access: if is_dir { access } else { access & FILE_RIGHTS },
        parent_fd: file.as_raw_fd(),
    };
    // SAFETY: `rule` holds an open descriptor for the call's duration.
    let added = unsafe {
        libc::syscall(
            ADD_RULE,
            ruleset.as_raw_fd(),
            RULE_PATH_BENEATH,
            &rule as *const PathBeneath,
            0u32,
        )
    };
    if added != 0 {
        return Err(format!(
            "Landlock refused {}: {}",
            path.display(),
            std::io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Opening a path only to name it (`O_PATH`): no read permission needed, nothing read.
trait PathOnly {
    fn custom_flags_path(&mut self) -> &mut Self;
}

impl PathOnly for std::fs::OpenOptions {
    fn custom_flags_path(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_PATH)
    }
}

/// In the program, between fork and exec: confines it to `ruleset` for good. (No new
/// privileges first: Landlock requires it of an unprivileged process, and a confined program
/// must not gain any through a set-uid file anyway.)
pub(super) fn restrict_self(ruleset: libc::c_int) -> std::io::Result<()> {
    // SAFETY: two system calls on plain values; async-signal-safe.
    unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        if libc::syscall(RESTRICT_SELF, ruleset, 0u32) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}
