//! `sort` in a stream of rows: every row is held until the last came, then given sorted — in
//! memory while the rows fit, and otherwise as an external merge sort. Rows are held in the
//! compact value form (`held_rows.rs`). When the rows held pass what the host's spill space
//! lets a sort keep in memory, they are sorted and written out as a run (a file of the same
//! bytes, each after its key: `run_file.rs`); at the end the runs and the rows still held are
//! merged by those keys, a batch at a time, so memory holds a buffer of each run rather than
//! every row. Rows given are made values a batch at a time, in parts on the host's workers.
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

use super::super::super::common::node_error;
use super::super::operations::SortKey;
use super::held_rows::{value_of, values_in_parts, HeldRows, SortedRows};
use super::run_file::{write_run, FileRun};
use crate::error::ExecutionError;
use crate::host::{SharedHost, SpillFile, SpillSpace};
use crate::nodes::stream::Batch;

const TYPE: &str = "transform";
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
            self.merge = Some(Merge::new(sources, self.descending)?);
        }
        let Some(merge) = self.merge.as_mut() else { return Ok(Vec::new()) };
        let most = if cfg!(debug_assertions) { rows.min(DEBUG_MOST_ROWS) } else { rows };
        let batch = merge.next_rows(most.max(1), &self.host)?;
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
        write_run(self.rows.sorted(self.descending), &*self.spill)
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

/// A run the merge reads: written out, or the rows still held.
enum Source {
    File(FileRun),
    Held(SortedRows),
}

impl Source {
    /// Moves to the next row and gives its key; `None` after the last.
    fn advance(&mut self) -> Result<Option<SortKey>, ExecutionError> {
        match self {
            Source::File(run) => run.advance(),
            Source::Held(rows) => Ok(rows.advance()),
        }
    }

    /// The compact bytes of the row it moved to.
    fn row(&self) -> &[u8] {
        match self {
            Source::File(run) => run.row(),
            Source::Held(rows) => rows.row(),
        }
    }
}

/// A run's next row, ordered as the sort orders it, ties by run.
struct Head {
    key: SortKey,
    descending: bool,
    run: usize,
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

/// The runs merged by their rows' keys, read as the runs hold them: the rows given are copied
/// out as bytes in order, then made values a batch at a time (in parts on the host's workers).
struct Merge {
    sources: Vec<Source>,
    heads: BinaryHeap<Head>,
    descending: bool,
}

impl Merge {
    fn new(mut sources: Vec<Source>, descending: bool) -> Result<Self, ExecutionError> {
        let mut heads = BinaryHeap::with_capacity(sources.len());
        // The rows held, alone (nothing spilled), are given in their order: no keys, no heap.
        if !matches!(sources.as_slice(), [Source::Held(_)]) {
            for (run, source) in sources.iter_mut().enumerate() {
                if let Some(key) = source.advance()? {
                    heads.push(Head { key, descending, run });
                }
            }
        }
        Ok(Merge { sources, heads, descending })
    }

    /// The next `most` rows in order, made values on `host`'s workers.
    fn next_rows(&mut self, most: usize, host: &SharedHost) -> Result<Batch, ExecutionError> {
        if let [Source::Held(rows)] = self.sources.as_mut_slice() {
            return rows.next_rows(most, host);
        }
        let mut bytes = Vec::new();
        // Where each row given ends in `bytes`.
        let mut ends = Vec::with_capacity(most.min(1 << 16));
        while ends.len() < most {
            let Some(Head { run, .. }) = self.heads.pop() else { break };
            let Some(source) = self.sources.get_mut(run) else { break };
            bytes.extend_from_slice(source.row());
            ends.push(bytes.len());
            if let Some(key) = source.advance()? {
                self.heads.push(Head { key, descending: self.descending, run });
            }
        }
        let rows = ends.len();
        values_in_parts(host, rows, move |part| {
            let mut out = Vec::with_capacity(part.len());
            for i in part {
                let start = i.checked_sub(1).and_then(|before| ends.get(before)).copied();
                let row = ends.get(i).and_then(|&end| bytes.get(start.unwrap_or(0)..end));
                out.push(value_of(row.unwrap_or_default())?);
            }
            Ok(out)
        })
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

    /// On a host with workers, with runs spilled or every row held, the rows given (made values
    /// in parts) are the whole sort's, ties in the order they came, for number and text keys.
    #[test]
    fn rows_read_back_in_parts_on_workers_give_the_whole_sorts_order() {
        let host: SharedHost = Arc::new(crate::testing::ThreadHost::new(3));
        let rows: Vec<_> = (0..3_000)
            .map(|i| json!({"n": (i * 7919) % 97, "name": format!("row {}", i % 250), "i": i}))
            .collect();
        for (key, descending) in [("n", true), ("name", false)] {
            let expected = super::super::super::operations::sorted(&rows, Some(key), descending);
            for bound in [usize::MAX, 20_000] {
                let mut sort = StreamSort::new(Some(key.into()), descending, &host);
                let spill = crate::testing::MemorySpill::new(bound);
                sort.spill = Some(Arc::new(spill));
                for batch in rows.chunks(500) {
                    sort.push(batch.to_vec()).expect("held");
                }
                let spilled = sort.runs.len() + usize::from(sort.pending.is_some());
                assert_eq!(spilled > 0, bound != usize::MAX, "{key} {bound}: {spilled} runs");
                let mut given = Vec::new();
                loop {
                    let part = sort.end(1_000).expect("given");
                    if part.is_empty() {
                        break;
                    }
                    given.extend(part);
                }
                assert!(given == expected, "{key} {descending} {bound}");
            }
        }
    }
}
