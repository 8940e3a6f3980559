//! `sort` in a stream of rows: every row is held until the last came, then given sorted — in
//! memory while the rows fit, and otherwise as an external merge sort. Rows are held in the
//! compact value form (`held_rows.rs`). When the rows held pass what the host's spill space
//! lets a sort keep in memory, they are sorted and written out as a run (a file of the same
//! bytes); at the end the runs and the rows still held are merged, a batch at a time, so memory
//! holds one batch of each run rather than every row.
//!
//! A run is sorted and written on another worker while the next one fills (at most one at a
//! time, so memory holds two bounds' worth of rows at most); whoever needs it first — that
//! worker, or the sort itself when the next run is due or the rows end — does it, so a busy pool
//! never leaves the sort waiting for a job that cannot start.
//!
//! The order is exactly the in-memory sort's: a stable sort by the same keys. Each run is sorted
//! stably and the runs are in the order their rows came, so ties between runs go to the earlier
//! run. A host without a spill space (the browser) keeps every row in memory.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex, PoisonError};

use super::super::common::node_error;
use super::held_rows::{HeldRows, SortedRows};
use super::operations::{sort_key, SortKey};
use crate::error::ExecutionError;
use crate::host::{SharedHost, SpillFile, SpillSpace};
use crate::nodes::stream::Batch;
use crate::value::compact::read_compact;
use crate::value::Value;

const TYPE: &str = "transform";
/// Bytes written to or read from a run at a time.
const IO_BYTES: usize = 1 << 20;
/// The most rows given at a time in debug builds, so that tests walk the merge a part at a
/// time whatever their batches.
const DEBUG_MOST_ROWS: usize = 64;

/// A sort of a stream's rows.
pub(super) struct StreamSort {
    key: Option<String>,
    descending: bool,
    /// Rows held (since the last run was written).
    held: HeldRows,
    spill: Option<Arc<dyn SpillSpace>>,
    host: SharedHost,
    /// Runs written out, in the order their rows came.
    runs: Vec<Box<dyn SpillFile>>,
    /// The run being written, after `runs`.
    pending: Option<PendingRun>,
    merge: Option<Merge>,
    /// Every row was given.
    done: bool,
}

impl StreamSort {
    pub(super) fn new(key: Option<String>, descending: bool, host: &SharedHost) -> Self {
        StreamSort {
            key,
            descending,
            held: HeldRows::default(),
            #[cfg(not(target_arch = "wasm32"))]
            spill: host.spill(),
            #[cfg(target_arch = "wasm32")]
            spill: None,
            host: host.clone(),
            runs: Vec::new(),
            pending: None,
            merge: None,
            done: false,
        }
    }

    /// Holds `batch`, writing the rows held out as a run once they pass the spill space's bound.
    pub(super) fn push(&mut self, batch: Batch) -> Result<(), ExecutionError> {
        self.held.extend(batch, self.key.as_deref())?;
        let Some(spill) = self.spill.clone() else { return Ok(()) };
        if self.held.bytes() < spill.memory_bytes() {
            return Ok(());
        }
        // One run in writing at a time: the one before is finished first.
        self.collect_pending()?;
        let work =
            RunWork { rows: std::mem::take(&mut self.held), descending: self.descending, spill };
        self.pending = Some(PendingRun::start(work, &self.host));
        Ok(())
    }

    /// The run being written, finished (here, if no worker has begun it) and put with the others.
    fn collect_pending(&mut self) -> Result<(), ExecutionError> {
        if let Some(pending) = self.pending.take() {
            self.runs.push(pending.finish()?);
        }
        Ok(())
    }

    /// The next `rows` rows in sorted order (fewer at the end); empty once every row was given.
    pub(super) fn end(&mut self, rows: usize) -> Result<Batch, ExecutionError> {
        if self.done {
            return Ok(Vec::new());
        }
        self.collect_pending()?;
        if self.merge.is_none() {
            // The rows still held are the last run, merged from memory (or, without runs, given
            // as they are).
            let last = std::mem::take(&mut self.held).sorted(self.descending);
            let mut sources: Vec<Source> = std::mem::take(&mut self.runs)
                .into_iter()
                .map(|file| Source::File(FileRun::new(file)))
                .collect();
            sources.push(Source::Held(last));
            self.merge = Some(Merge::new(sources, self.key.clone(), self.descending)?);
        }
        let Some(merge) = self.merge.as_mut() else { return Ok(Vec::new()) };
        let most = if cfg!(debug_assertions) { rows.min(DEBUG_MOST_ROWS) } else { rows };
        let batch = merge.next_rows(most.max(1))?;
        if batch.is_empty() {
            self.done = true;
            self.merge = None;
        }
        Ok(batch)
    }
}

/// Rows to sort and write out as a run.
struct RunWork {
    rows: HeldRows,
    descending: bool,
    spill: Arc<dyn SpillSpace>,
}

impl RunWork {
    fn write(self) -> Result<Box<dyn SpillFile>, ExecutionError> {
        let mut rows = self.rows.sorted(self.descending);
        let mut file = self.spill.create().map_err(spill_error)?;
        let mut buffer = Vec::with_capacity(IO_BYTES + IO_BYTES / 4);
        // The run's form is the held rows' own: their bytes, copied in sorted order.
        while let Some(row) = rows.next_bytes() {
            buffer.extend_from_slice(row);
            if buffer.len() >= IO_BYTES {
                file.append(&buffer).map_err(spill_error)?;
                buffer.clear();
            }
        }
        file.append(&buffer).map_err(spill_error)?;
        Ok(file)
    }
}

/// A run handed to a worker: the work, until someone takes it, and where its file comes back.
struct PendingRun {
    work: Arc<Mutex<Option<RunWork>>>,
    written: Receiver<Result<Box<dyn SpillFile>, ExecutionError>>,
}

impl PendingRun {
    fn start(work: RunWork, host: &SharedHost) -> PendingRun {
        let work = Arc::new(Mutex::new(Some(work)));
        let (sender, written) = channel();
        let job = work.clone();
        host.run_blocking(Box::new(move || {
            let taken = job.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(work) = taken {
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work.write()))
                    .unwrap_or_else(|_| Err(node_error(TYPE, "Writing a sorted run panicked")));
                // The sort may be gone (its run cancelled): the file then goes with the message.
                let _ = sender.send(done);
            }
        }));
        PendingRun { work, written }
    }

    /// The run's file: written here when no worker has taken it yet, else waited for (it is
    /// being written).
    fn finish(self) -> Result<Box<dyn SpillFile>, ExecutionError> {
        let taken = self.work.lock().unwrap_or_else(PoisonError::into_inner).take();
        match taken {
            Some(work) => work.write(),
            None => self.written.recv().unwrap_or_else(|_| {
                Err(node_error(TYPE, "A sorted run was lost before it was written"))
            }),
        }
    }
}

fn spill_error(error: crate::host::effects::EffectError) -> ExecutionError {
    node_error(TYPE, format!("Sorting rows beyond memory failed: {}", error.message))
}

/// A run read back: a buffer of its bytes at a time.
struct FileRun {
    file: Box<dyn SpillFile>,
    /// Where the buffer's bytes end in the file.
    offset: u64,
    buffer: Vec<u8>,
    /// Where the next row starts in the buffer.
    at: usize,
    ended: bool,
}

impl FileRun {
    fn new(file: Box<dyn SpillFile>) -> Self {
        FileRun { file, offset: 0, buffer: Vec::new(), at: 0, ended: false }
    }

    fn next(&mut self) -> Result<Option<Value>, ExecutionError> {
        loop {
            if let Some((row, used)) = read_compact(&self.buffer[self.at..]) {
                self.at += used;
                return Ok(Some(row));
            }
            if self.ended {
                return match self.at == self.buffer.len() {
                    true => Ok(None),
                    false => Err(node_error(TYPE, "A sorted run of rows could not be read back")),
                };
            }
            // What is left of the buffer (a row cut at its end) moves to its start; more follows.
            self.buffer.drain(..self.at);
            self.at = 0;
            let have = self.buffer.len();
            // A row larger than what is read at a time grows the buffer to hold it.
            let want = IO_BYTES.max(have * 2);
            self.buffer.resize(have + want, 0);
            let read =
                self.file.read_at(self.offset, &mut self.buffer[have..]).map_err(spill_error)?;
            self.buffer.truncate(have + read);
            self.offset += read as u64;
            self.ended = read == 0;
        }
    }
}

enum Source {
    File(FileRun),
    Held(SortedRows),
}

impl Source {
    fn next(&mut self) -> Result<Option<Value>, ExecutionError> {
        match self {
            Source::File(run) => run.next(),
            Source::Held(rows) => {
                rows.next_row().map_err(|()| node_error(TYPE, "A held row could not be read back"))
            }
        }
    }
}

/// A run's next row, ordered as the sort orders it, ties by run.
struct Head {
    key: SortKey,
    descending: bool,
    run: usize,
    row: Value,
}

impl Ord for Head {
    fn cmp(&self, other: &Self) -> Ordering {
        let ordering = self.key.cmp(&other.key);
        let ordering = if self.descending { ordering.reverse() } else { ordering };
        // The heap gives its greatest first: reversed, so the least comes out.
        ordering.then(self.run.cmp(&other.run)).reverse()
    }
}

impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Head {}

struct Merge {
    sources: Vec<Source>,
    heads: BinaryHeap<Head>,
    key: Option<String>,
    descending: bool,
}

impl Merge {
    fn new(
        mut sources: Vec<Source>,
        key: Option<String>,
        descending: bool,
    ) -> Result<Self, ExecutionError> {
        let mut heads = BinaryHeap::with_capacity(sources.len());
        // One source (nothing spilled) is given as it is: no keys, no heap.
        let merging = if sources.len() > 1 { sources.as_mut_slice() } else { &mut [] };
        for (run, source) in merging.iter_mut().enumerate() {
            if let Some(row) = source.next()? {
                heads.push(Head { key: sort_key(&row, key.as_deref()), descending, run, row });
            }
        }
        Ok(Merge { sources, heads, key, descending })
    }

    fn next_rows(&mut self, most: usize) -> Result<Batch, ExecutionError> {
        if let [only] = self.sources.as_mut_slice() {
            let mut out = Vec::with_capacity(most);
            while out.len() < most {
                let Some(row) = only.next()? else { break };
                out.push(row);
            }
            return Ok(out);
        }
        let mut out = Vec::with_capacity(most.min(self.heads.len() * 1024));
        while out.len() < most {
            let Some(Head { run, row, .. }) = self.heads.pop() else { break };
            out.push(row);
            if let Some(next) = self.sources[run].next()? {
                let key = sort_key(&next, self.key.as_deref());
                self.heads.push(Head { key, descending: self.descending, run, row: next });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::StreamSort;
    use crate::host::SharedHost;
    use crate::json;

    /// Once every row came, the sort gives them as many at a time as it is asked for (the
    /// stream asks for a batch, so the end writes one while the next is made), in order.
    #[test]
    fn held_rows_are_given_as_many_at_a_time_as_asked() {
        let host: SharedHost = Arc::new(crate::testing::VirtualHost::new());
        let mut sort = StreamSort::new(Some("n".into()), false, &host);
        for start in (0..100).step_by(30) {
            let rows = (start..(start + 30).min(100)).map(|i| json!({"n": (i * 37) % 100}));
            sort.push(rows.collect()).expect("held");
        }
        let mut sizes = Vec::new();
        let mut given = Vec::new();
        loop {
            let part = sort.end(7).expect("given");
            if part.is_empty() {
                break;
            }
            sizes.push(part.len());
            given.extend(part);
        }
        assert_eq!(sizes, [vec![7; 14], vec![2]].concat());
        let expected: Vec<_> = (0..100).map(|n| json!({"n": n})).collect();
        assert!(given == expected);
        assert!(sort.end(7).expect("ended").is_empty());
    }
}
