//! The processes below the supervisor, found in `/proc` without allocating.
//!
//! Each process's `task/<tid>/children` lists the children its threads started, so the walk
//! reads only the supervisor's own tree however many processes the machine runs. Kernels built
//! without that file (`CONFIG_PROC_CHILDREN`) get a scan of every process's parent instead.

use super::sys::{numeric_entries, parse_number, Path};

/// Processes one walk keeps at most; more are found by the next walk, once these are gone.
const CAPACITY: usize = 1 << 16;

/// What the processes of a tree use now.
#[derive(Clone, Copy, Default)]
pub(super) struct Usage {
    pub(super) processes: u64,
    pub(super) resident_pages: u64,
    /// User and system time, in clock ticks.
    pub(super) cpu_ticks: u64,
}

/// The descendants of one process, in a buffer mapped once (the supervisor may not allocate).
pub(super) struct Tree {
    pids: &'static mut [u32],
    /// `(pid, parent)` of every process, for kernels without `children` files.
    parents: &'static mut [[u32; 2]],
    len: usize,
}

impl Tree {
    /// `None` when the buffer cannot be mapped.
    pub(super) fn new() -> Option<Tree> {
        let bytes = CAPACITY * (4 + 8);
        // SAFETY: a fresh anonymous private mapping, owned by this value for the life of the
        // process (the supervisor never unmaps it; it ends with the process).
        let memory = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                bytes,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if memory == libc::MAP_FAILED {
            return None;
        }
        // SAFETY: the mapping is `bytes` long, zeroed, aligned to a page, and the two slices do
        // not overlap.
        unsafe {
            let pids = std::slice::from_raw_parts_mut(memory.cast::<u32>(), CAPACITY);
            let parents = std::slice::from_raw_parts_mut(
                memory.cast::<u8>().add(CAPACITY * 4).cast::<[u32; 2]>(),
                CAPACITY,
            );
            Some(Tree { pids, parents, len: 0 })
        }
    }

    /// Finds every descendant of `root` alive now (not `root`), parents before children.
    pub(super) fn collect(&mut self, root: u32) -> &[u32] {
        self.len = 0;
        if children_file(root, root).open(0).is_some() {
            self.walk_children(root);
        } else {
            self.walk_parents(root);
        }
        &self.pids[..self.len]
    }

    fn push(&mut self, pid: u32) {
        if self.len < self.pids.len() {
            self.pids[self.len] = pid;
            self.len += 1;
        }
    }

    fn walk_children(&mut self, root: u32) {
        let mut next = 0;
        let mut parent = root;
        loop {
            let task = Path::new().text(b"/proc/").number(parent).text(b"/task");
            let mut threads = [0u32; 64];
            let mut count = 0;
            numeric_entries(&task, |tid| {
                if count < threads.len() {
                    threads[count] = tid;
                    count += 1;
                }
            });
            for &tid in &threads[..count] {
                let mut buffer = [0u8; 16 * 1024];
                if let Some(listed) = children_file(parent, tid).read(&mut buffer) {
                    for word in listed.split(|b| *b == b' ') {
                        if let Some(child) = parse_number(word) {
                            self.push(child);
                        }
                    }
                }
            }
            if next >= self.len {
                return;
            }
            parent = self.pids[next];
            next += 1;
        }
    }

    fn walk_parents(&mut self, root: u32) {
        let mut known = 0;
        {
            let parents = &mut *self.parents;
            numeric_entries(&Path::new().text(b"/proc"), |pid| {
                if known < parents.len() {
                    if let Some(stat) = Stat::read(pid) {
                        parents[known] = [pid, stat.parent];
                        known += 1;
                    }
                }
            });
        }
        let mut next = 0;
        let mut parent = root;
        loop {
            for index in 0..known {
                let [pid, its_parent] = self.parents[index];
                if its_parent == parent && pid != root {
                    self.push(pid);
                }
            }
            if next >= self.len {
                return;
            }
            parent = self.pids[next];
            next += 1;
        }
    }
}

fn children_file(pid: u32, tid: u32) -> Path {
    Path::new().text(b"/proc/").number(pid).text(b"/task/").number(tid).text(b"/children")
}

/// The fields of `/proc/<pid>/stat` the supervisor uses.
pub(super) struct Stat {
    pub(super) parent: u32,
    pub(super) cpu_ticks: u64,
    pub(super) resident_pages: u64,
}

impl Stat {
    pub(super) fn read(pid: u32) -> Option<Stat> {
        let mut buffer = [0u8; 1024];
        let text = Path::new().text(b"/proc/").number(pid).text(b"/stat").read(&mut buffer)?;
        // The command name (field 2) is in parentheses and may hold spaces or parentheses: the
        // fields after it start after the last ')'.
        let close = text.iter().rposition(|b| *b == b')')?;
        let mut fields = text[close + 1..].split(|b| *b == b' ').filter(|f| !f.is_empty());
        // Field 3 is the state; then parent (4), ..., utime (14), stime (15), ..., rss (24).
        let mut field = |skip: usize| fields.nth(skip).and_then(parse_u64);
        let _state = field(0);
        let parent = u32::try_from(field(0)?).ok()?;
        let user = field(9)?;
        let system = field(0)?;
        let resident_pages = field(8)?;
        Some(Stat { parent, cpu_ticks: user + system, resident_pages })
    }
}

fn parse_u64(text: &[u8]) -> Option<u64> {
    let mut value: u64 = 0;
    for &byte in text {
        if !byte.is_ascii_digit() {
            return if byte == b'\n' { Some(value) } else { None };
        }
        value = value.checked_mul(10)?.checked_add(u64::from(byte - b'0'))?;
    }
    Some(value)
}

/// What `pids` use together now (a process that ended meanwhile counts for nothing).
pub(super) fn usage(pids: &[u32]) -> Usage {
    let mut usage = Usage::default();
    for &pid in pids {
        if let Some(stat) = Stat::read(pid) {
            usage.processes += 1;
            usage.resident_pages += stat.resident_pages;
            usage.cpu_ticks += stat.cpu_ticks;
        }
    }
    usage
}
