//! The few system calls the supervisor makes between `fork` and `exit`, without allocating.
//!
//! The supervisor runs in a child forked from a multi-threaded process: another thread may have
//! held the allocator's lock at the fork, so nothing here may allocate, lock or unwind. Paths are
//! built in fixed buffers on the stack, files are read with plain `open`/`read`.

/// A path like `/proc/<pid>/task/<tid>/children`, built from parts in a fixed buffer.
pub(super) struct Path {
    bytes: [u8; 64],
    len: usize,
}

impl Path {
    pub(super) fn new() -> Self {
        Path { bytes: [0; 64], len: 0 }
    }

    pub(super) fn text(mut self, text: &[u8]) -> Self {
        for &byte in text {
            // 63 at most, the last byte stays the terminating NUL: a longer path is cut, and
            // opening it fails, which the callers treat as a process that is gone.
            if self.len < self.bytes.len() - 1 {
                self.bytes[self.len] = byte;
                self.len += 1;
            }
        }
        self
    }

    pub(super) fn number(self, mut value: u32) -> Self {
        let mut digits = [0u8; 10];
        let mut count = 0;
        loop {
            digits[digits.len() - 1 - count] = b'0' + (value % 10) as u8;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        self.text(&digits[digits.len() - count..])
    }

    fn as_ptr(&self) -> *const libc::c_char {
        self.bytes.as_ptr().cast()
    }

    /// Opens it read-only (a directory too); `None` when that fails.
    pub(super) fn open(&self, flags: libc::c_int) -> Option<Fd> {
        // SAFETY: the buffer is NUL-terminated (zeroed and never filled past its last byte).
        let fd = unsafe { libc::open(self.as_ptr(), flags | libc::O_RDONLY | libc::O_CLOEXEC) };
        (fd >= 0).then_some(Fd(fd))
    }

    /// Reads it into `buffer`: the bytes read (at most the buffer's size), `None` when it cannot
    /// be opened.
    pub(super) fn read<'a>(&self, buffer: &'a mut [u8]) -> Option<&'a [u8]> {
        let fd = self.open(0)?;
        let mut filled = 0;
        while filled < buffer.len() {
            // SAFETY: the pointer and length describe the unfilled part of `buffer`.
            let n = unsafe {
                libc::read(fd.0, buffer[filled..].as_mut_ptr().cast(), buffer.len() - filled)
            };
            if n <= 0 {
                break;
            }
            filled += n as usize;
        }
        Some(&buffer[..filled])
    }
}

/// A file descriptor closed when dropped.
pub(super) struct Fd(pub(super) libc::c_int);

impl Drop for Fd {
    fn drop(&mut self) {
        // SAFETY: the descriptor is this value's own.
        unsafe { libc::close(self.0) };
    }
}

/// Calls `each` with the numeric names in directory `dir` (pids in `/proc`, tids in a task
/// directory).
pub(super) fn numeric_entries(dir: &Path, mut each: impl FnMut(u32)) {
    let Some(fd) = dir.open(libc::O_DIRECTORY) else { return };
    let mut buffer = [0u8; 4096];
    loop {
        // SAFETY: getdents64 fills at most the buffer's length.
        let n =
            unsafe { libc::syscall(libc::SYS_getdents64, fd.0, buffer.as_mut_ptr(), buffer.len()) };
        if n <= 0 {
            return;
        }
        let mut at = 0usize;
        while at + 19 < n as usize {
            // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name (NUL-ended).
            let reclen = u16::from_ne_bytes([buffer[at + 16], buffer[at + 17]]) as usize;
            if reclen == 0 {
                return;
            }
            let name = &buffer[at + 19..(at + reclen).min(n as usize)];
            if let Some(number) = parse_number(name) {
                each(number);
            }
            at += reclen;
        }
    }
}

/// The number at the start of `text` (digits up to a NUL, a space or the end), if it is one.
pub(super) fn parse_number(text: &[u8]) -> Option<u32> {
    let mut value: u32 = 0;
    let mut digits = 0;
    for &byte in text {
        match byte {
            b'0'..=b'9' => {
                value = value.checked_mul(10)?.checked_add(u32::from(byte - b'0'))?;
                digits += 1;
            }
            0 | b' ' | b'\n' => break,
            _ => return None,
        }
    }
    (digits > 0).then_some(value)
}

/// Sends `signal` to `pid` (errors are fine: the process may have ended).
pub(super) fn signal(pid: u32, signal: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        if pid > 1 {
            // SAFETY: no memory is involved; `pid > 1` never addresses a group or everyone.
            unsafe { libc::kill(pid, signal) };
        }
    }
}

/// Ends this process at once with `code`, running nothing of the parent's (no atexit handlers,
/// no destructors, no buffered output of the parent's).
pub(super) fn exit(code: libc::c_int) -> ! {
    // SAFETY: always sound; it does not return.
    unsafe { libc::_exit(code) }
}
