//! The checkpoint journal: where a durable run's checkpoints go first, appended to a file on the
//! run's own thread, before the node they guard starts.
//!
//! Why a file of its own rather than the database: a checkpoint must be stored before the next
//! node with effects starts, and a store written by its own thread would make every such node wait
//! for that thread and back (a commit and a wake-up of the JS thread, ~100 µs a node). The file is
//! mapped into memory, so appending is a copy: bytes copied into a shared mapping are in the OS's
//! cache, and survive the process however it ends (a power cut is another matter, as it is for the
//! database with `synchronous = NORMAL`) — without a system call a node (a `write` cost ~1.4 µs).
//! The file grows by doubling; the zeros past the last entry read as its end. The database still holds every record; a journal only matters when its process died:
//! the next conductor that opens the store moves the checkpoints of the runs it finds interrupted
//! into the database (`checkpoints` table) and deletes the file.
//!
//! Only a node's start must be stored before anything else happens (the node is called right
//! after). Everything else — the input, the variables, each node's output — is kept in memory
//! as it comes, its text not even written yet, and goes to the file with the next start (in the
//! same `write`, before it) or when the store's thread has applied its batch of writes, whichever
//! comes first: a pure node costs the run's thread nothing but a push, and a checkpoint lost with
//! the process in between only means its node runs again.
//!
//! One file per store, `<database>.checkpoints/<pid>-<n>.journal`: the pid tells a later
//! conductor whether the writer is gone. Each entry is framed as its length (u32), a checksum of
//! it (FNV-1a 64) and the entry; an entry cut short (the process died in the middle of its write)
//! fails its checksum, and reading stops there — nothing after it was written either.

use std::collections::{HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io;

use memmap2::MmapMut;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a checkpoint is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Input,
    Variables,
    /// A node with effects is about to start.
    Started,
    /// A node ended with this output.
    Done,
}

impl Kind {
    /// The name the database's `checkpoints.kind` uses.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Input => "input",
            Kind::Variables => "variables",
            Kind::Started => "started",
            Kind::Done => "done",
        }
    }

    fn byte(self) -> u8 {
        match self {
            Kind::Input => 0,
            Kind::Variables => 1,
            Kind::Started => 2,
            Kind::Done => 3,
        }
    }

    fn of(byte: u8) -> Option<Kind> {
        [Kind::Input, Kind::Variables, Kind::Started, Kind::Done]
            .into_iter()
            .find(|k| k.byte() == byte)
    }
}

/// One checkpoint as the journal holds it (`node` and `node_type` empty for the input and
/// variables; `value` the codec's text, empty for `undefined` and for a start).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub kind: Kind,
    pub run: String,
    pub node: String,
    pub node_type: String,
    pub idempotent: bool,
    pub value: String,
}

/// Journal files a process names apart (two stores of one process on one directory).
static NEXT: AtomicU64 = AtomicU64::new(0);

/// A store's journal, opened on its first checkpoint.
pub(crate) struct Journal {
    directory: PathBuf,
    open: Mutex<Option<Open>>,
    /// See [`Journal::sync_starts`].
    synced: AtomicBool,
}

/// An entry kept in memory until it is written: its value still a value (turned into text only
/// when it goes to the file, usually on the store's thread).
pub(crate) struct Pending {
    pub entry: Entry,
    pub value: Option<Arc<atomiton_core::value::Value>>,
}

struct Open {
    /// Entries not written yet, in order.
    pending: Vec<Pending>,
    /// When the oldest entry kept for later was kept.
    kept: Instant,
    file: File,
    map: MmapMut,
    path: PathBuf,
    /// Durable runs with checkpoints here that have not ended.
    runs: HashSet<Arc<str>>,
    /// Where each run's entries begin in the file: what a run that stops to go on later (parked
    /// or suspended) moves into the database, read without reading the whole file.
    frames: HashMap<Arc<str>, Vec<usize>>,
    /// Where the next entry goes.
    end: usize,
}

/// How long entries kept for later may wait for a start to take them along before the store's
/// thread writes them itself.
const FLUSH_AFTER: Duration = Duration::from_millis(5);

/// A journal's first size (it grows by doubling).
const FIRST_BYTES: u64 = 256 * 1024;

/// Past this size a journal with no run going on starts again empty.
const RESTART_AFTER_BYTES: usize = 1 << 20;

impl Journal {
    /// A journal in `directory` (created with the first checkpoint).
    pub(crate) fn new(directory: PathBuf) -> Journal {
        Journal { directory, open: Mutex::new(None), synced: AtomicBool::new(false) }
    }

    /// `true`: every [`append`](Self::append) (a node with effects about to start) reaches the
    /// disk before it returns — the bytes written and, when the file grew, its new length — so
    /// an OS crash or a power cut keeps it too (`durability.sync`). Otherwise they are in the
    /// OS's cache once copied, which the process's death does not lose.
    pub(crate) fn sync_starts(&self, synced: bool) {
        self.synced.store(synced, Ordering::Relaxed);
    }

    /// Keeps `entry` to be written with the next [`append`](Self::append) or
    /// [`flush`](Self::flush).
    pub(crate) fn later(&self, pending: Pending) -> io::Result<()> {
        let mut open = self.opened()?;
        let Some(journal) = open.as_mut() else { return Err(io::Error::other("no journal")) };
        journal.runs.insert(Arc::from(pending.entry.run.as_str()));
        if journal.pending.is_empty() {
            journal.kept = Instant::now();
        }
        journal.pending.push(pending);
        Ok(())
    }

    /// Writes every entry kept for later, then `entry`; when this returns `Ok`, they survive the
    /// process.
    pub(crate) fn append(&self, entry: &Entry) -> io::Result<()> {
        let mut open = self.opened()?;
        let Some(journal) = open.as_mut() else { return Err(io::Error::other("no journal")) };
        journal.runs.insert(Arc::from(entry.run.as_str()));
        let mut frames = journal.pending_frames();
        frames.push((Arc::from(entry.run.as_str()), frame(entry)));
        let (from, grew) = (journal.end, journal.map.len());
        journal.write(frames)?;
        if self.synced.load(Ordering::Relaxed) {
            // One msync of the pages written (the floor: one disk flush), and the file's
            // length when it grew (its metadata).
            let page = 4096;
            let start = from / page * page;
            journal.map.flush_range(start, journal.end - start)?;
            if journal.map.len() != grew {
                journal.file.sync_all()?;
            }
        }
        Ok(())
    }

    /// Writes the entries kept for later once they have waited [`FLUSH_AFTER`] for a start to
    /// take them along (a run whose nodes with effects start one after another writes them with
    /// each start: one `write` a node rather than two, from two threads taking turns at the
    /// file). The store's thread calls this while it has nothing else to do: how long until it
    /// should call again (`None`: nothing is kept).
    pub(crate) fn flush_due(&self) -> Option<Duration> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let journal = open.as_mut().filter(|j| !j.pending.is_empty())?;
        let waited = journal.kept.elapsed();
        if waited < FLUSH_AFTER {
            return Some(FLUSH_AFTER - waited);
        }
        let frames = journal.pending_frames();
        // Not written: the entries are lost, and their nodes run again if the process dies.
        let _ = journal.write(frames);
        None
    }

    /// Writes every entry kept for later, now.
    pub(crate) fn flush_now(&self) -> io::Result<()> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        match open.as_mut() {
            Some(journal) if !journal.pending.is_empty() => {
                let frames = journal.pending_frames();
                journal.write(frames)
            }
            _ => Ok(()),
        }
    }

    /// Run `run`'s entries, in the order they were written (the run stopped to go on later: see
    /// `checkpoints::import_run`), read where they are without reading the whole file.
    pub(crate) fn entries_of(&self, run: &str) -> Vec<Entry> {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let Some(journal) = open.as_ref() else { return Vec::new() };
        let Some(starts) = journal.frames.get(run) else { return Vec::new() };
        starts
            .iter()
            .filter_map(|&start| entry_at(&journal.map[..journal.end], &mut { start }))
            .collect()
    }

    fn opened(&self) -> io::Result<std::sync::MutexGuard<'_, Option<Open>>> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if open.is_none() {
            *open = Some(self.create()?);
        }
        Ok(open)
    }

    /// Run `run` ended: its checkpoints are no longer needed. With no run left, a large journal
    /// starts again empty.
    pub(crate) fn ended(&self, run: &str) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(journal) = open.as_mut() {
            journal.runs.remove(run);
            journal.frames.remove(run);
            // What the ended run kept for later is not needed any more.
            journal.pending.retain(|p| p.entry.run != run);
            if journal.runs.is_empty() && journal.end > RESTART_AFTER_BYTES {
                // Zeros, so that what follows the next entries does not read as more entries.
                journal.map[..journal.end].fill(0);
                journal.end = 0;
                journal.frames.clear();
            }
        }
    }

    fn create(&self) -> io::Result<Open> {
        std::fs::create_dir_all(&self.directory)?;
        let name =
            format!("{}-{}.journal", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = self.directory.join(name);
        let file =
            OpenOptions::new().create(true).read(true).write(true).truncate(true).open(&path)?;
        file.set_len(FIRST_BYTES)?;
        if self.synced.load(Ordering::Relaxed) {
            // The new file's name in its directory, and its length, on the disk too.
            file.sync_all()?;
            File::open(&self.directory)?.sync_all()?;
        }
        // SAFETY: the file is this store's own (named by this process and a counter, created
        // here): nothing else writes it or changes its length while it is mapped.
        let map = unsafe { MmapMut::map_mut(&file)? };
        Ok(Open {
            pending: Vec::new(),
            kept: Instant::now(),
            file,
            map,
            path,
            runs: HashSet::new(),
            frames: HashMap::new(),
            end: 0,
        })
    }
}

impl Open {
    /// The frames of the entries kept for later, taken out, each with its run.
    fn pending_frames(&mut self) -> Vec<(Arc<str>, Vec<u8>)> {
        let mut frames = Vec::with_capacity(self.pending.len());
        for Pending { mut entry, value } in self.pending.drain(..) {
            if let Some(value) = value {
                entry.value = atomiton_core::history::checkpoint_text(Some(&value));
            }
            frames.push((Arc::from(entry.run.as_str()), frame(&entry)));
        }
        frames
    }

    /// Appends `frames` in one copy, noting where each run's begin.
    fn write(&mut self, frames: Vec<(Arc<str>, Vec<u8>)>) -> io::Result<()> {
        let mut bytes = Vec::with_capacity(frames.iter().map(|(_, f)| f.len()).sum());
        let mut starts = Vec::with_capacity(frames.len());
        for (run, frame) in frames {
            starts.push((run, self.end + bytes.len()));
            bytes.extend_from_slice(&frame);
        }
        self.write_bytes(&bytes)?;
        for (run, at) in starts {
            self.frames.entry(run).or_default().push(at);
        }
        Ok(())
    }

    fn write_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        let end =
            self.end.checked_add(bytes.len()).ok_or_else(|| io::Error::other("journal full"))?;
        if end > self.map.len() {
            let size = (end.max(self.map.len()) as u64).saturating_mul(2);
            self.file.set_len(size)?;
            // SAFETY: as in `Journal::create`; the old mapping is dropped by the assignment.
            self.map = unsafe { MmapMut::map_mut(&self.file)? };
        }
        self.map[self.end..end].copy_from_slice(bytes);
        self.end = end;
        Ok(())
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let open = self.open.lock().unwrap_or_else(|p| p.into_inner()).take();
        // Runs still going on when the store closes are ended (cancelled) by their conductor
        // before this; a journal left behind would only be read and deleted by the next one.
        if let Some(mut journal) = open {
            if !journal.runs.is_empty() {
                let frames = journal.pending_frames();
                let _ = journal.write(frames);
                return;
            }
            drop(journal.map);
            drop(journal.file);
            let _ = std::fs::remove_file(&journal.path);
        }
    }
}

/// An entry's length and checksum, before it.
const FRAME_HEADER: usize = 12;

fn fnv(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn frame(entry: &Entry) -> Vec<u8> {
    let strings = [&entry.run, &entry.node, &entry.node_type, &entry.value];
    let mut payload = Vec::with_capacity(2 + strings.iter().map(|s| 4 + s.len()).sum::<usize>());
    payload.push(entry.kind.byte());
    payload.push(u8::from(entry.idempotent));
    for text in strings {
        payload.extend_from_slice(&u32::try_from(text.len()).unwrap_or(u32::MAX).to_le_bytes());
        payload.extend_from_slice(text.as_bytes());
    }
    let mut frame = Vec::with_capacity(12 + payload.len());
    frame.extend_from_slice(&u32::try_from(payload.len()).unwrap_or(u32::MAX).to_le_bytes());
    frame.extend_from_slice(&fnv(&payload).to_le_bytes());
    frame.extend_from_slice(&payload);
    frame
}

/// The whole entries of the journal at `path`, in the order they were written, up to the first
/// one cut short or damaged (and whether there was one). Zeros where an entry would begin end it.
pub(crate) fn read(path: &Path) -> io::Result<(Vec<Entry>, bool)> {
    let bytes = std::fs::read(path)?;
    let mut entries = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at..].iter().take(FRAME_HEADER).all(|&b| b == 0) {
            break;
        }
        let Some(entry) = entry_at(&bytes, &mut at) else { return Ok((entries, true)) };
        entries.push(entry);
    }
    Ok((entries, false))
}

fn entry_at(bytes: &[u8], at: &mut usize) -> Option<Entry> {
    let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
        let slice = bytes.get(*at..at.checked_add(n)?)?;
        *at += n;
        Some(slice)
    };
    let len = u32::from_le_bytes(take(at, 4)?.try_into().ok()?) as usize;
    let sum = u64::from_le_bytes(take(at, 8)?.try_into().ok()?);
    let payload = take(at, len)?;
    if fnv(payload) != sum {
        return None;
    }
    let (&kind, rest) = payload.split_first()?;
    let (&idempotent, mut rest) = rest.split_first()?;
    let mut text = || -> Option<String> {
        let len = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = std::str::from_utf8(rest.get(4..4 + len)?).ok()?.to_owned();
        rest = rest.get(4 + len..)?;
        Some(value)
    };
    let (run, node, node_type, value) = (text()?, text()?, text()?, text()?);
    Some(Entry { kind: Kind::of(kind)?, run, node, node_type, idempotent: idempotent == 1, value })
}

/// The journals in `directory` whose writing process is gone (`alive` says of a pid).
pub(crate) fn orphans(directory: &Path, alive: impl Fn(u32) -> bool) -> Vec<PathBuf> {
    let Ok(listing) = std::fs::read_dir(directory) else { return Vec::new() };
    listing
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let pid = name.strip_suffix(".journal").and_then(|n| n.split('-').next());
            pid.and_then(|pid| pid.parse::<u32>().ok()).is_some_and(|pid| !alive(pid))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, node: &str, value: &str) -> Entry {
        Entry {
            kind,
            run: "exec_1".into(),
            node: node.into(),
            node_type: "transform".into(),
            idempotent: kind == Kind::Started,
            value: value.into(),
        }
    }

    #[test]
    fn entries_read_back_in_order_and_a_cut_one_ends_the_journal() {
        let directory =
            std::env::temp_dir().join(format!("atomiton-journal-{}", std::process::id()));
        let journal = Journal::new(directory.clone());
        let written = [
            entry(Kind::Input, "", "{\"a\":1}"),
            entry(Kind::Started, "n", ""),
            entry(Kind::Done, "n", "[1,2,3]"),
        ];
        for e in &written {
            journal.append(e).expect("append");
        }
        let path = journal.open.lock().unwrap().as_ref().expect("open").path.clone();
        assert_eq!(read(&path).expect("read"), (written.to_vec(), false));
        let used = frame_ends(&written, 2);
        let bytes = std::fs::read(&path).expect("bytes");
        assert!(bytes[used..].iter().all(|&b| b == 0), "the file past its entries is zeros");
        for cut in 1..used {
            // Cut short (a file), or cut with zeros after (a copy into the mapping cut short).
            let zeros = vec![0; used - cut + 64];
            std::fs::write(&path, &bytes[..cut]).expect("cut");
            let (entries, torn) = read(&path).expect("read");
            assert!(entries.len() < 3 && written.starts_with(&entries), "cut at {cut}");
            let whole = [0, 1, 2].iter().any(|&n| frame_ends(&written, n) == cut);
            assert_eq!(torn, !whole, "cut at {cut}");
            // Zeros after: only what was written reads back (an entry whose cut-off end was
            // zeros anyway is whole).
            std::fs::write(&path, [&bytes[..cut], &zeros[..]].concat()).expect("cut");
            let (entries, _) = read(&path).expect("read");
            assert!(written.starts_with(&entries), "cut at {cut}, zeros after");
        }
        journal.ended("exec_1");
        drop(journal);
        assert!(!path.exists(), "a journal with no run going on goes with its store");
        let _ = std::fs::remove_dir_all(directory);
    }

    /// Where the frame of entry `n` ends.
    fn frame_ends(entries: &[Entry], n: usize) -> usize {
        entries[..=n].iter().map(|e| frame(e).len()).sum()
    }

    #[test]
    fn journals_of_live_processes_are_not_orphans() {
        let directory =
            std::env::temp_dir().join(format!("atomiton-orphans-{}", std::process::id()));
        std::fs::create_dir_all(&directory).expect("mkdir");
        for name in ["7-0.journal", "8-1.journal", "notes.txt", "x-1.journal"] {
            std::fs::write(directory.join(name), b"").expect("write");
        }
        let found = orphans(&directory, |pid| pid == 8);
        assert_eq!(found, vec![directory.join("7-0.journal")]);
        let _ = std::fs::remove_dir_all(directory);
    }
}
