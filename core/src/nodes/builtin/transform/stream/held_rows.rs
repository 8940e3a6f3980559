//! The rows a stream's sort holds, in the compact value form: their bytes one after another,
//! with the key each sorts by, read once as the row comes (while it is in the cache).
//!
//! A row held as a value is its entries' allocation and its strings; the compact form is a
//! fraction of that (the sizes: docs/PERFORMANCE.md, "How a chain uses the cores"), so a sort
//! holds that many times more rows before it spills, the process takes that much less fresh
//! memory from the system, and a run is written by copying each row's key and bytes in sorted
//! order (the form a spilled run has: `run_file.rs`). The bytes are kept in chunks, so holding
//! more never copies what is held (nor holds twice its room while a buffer doubles). Rows are
//! made values again as they are given, a batch at a time, in parts on the host's workers.

use std::ops::Range;
use std::sync::Arc;

use super::super::super::common::node_error;
use super::super::operations::{key_order, sort_key, SortKey};
use crate::error::ExecutionError;
use crate::host::{in_parts, MaybeSend, MaybeSync, SharedHost};
use crate::nodes::stream::Batch;
use crate::value::compact::{read_compact, write_compact};
use crate::value::{prefetch_slice, rows_asked_ahead, Value, PREFETCH_AHEAD};

const TYPE: &str = "transform";
/// Rows made values in one part when a batch is read back in parts (debug builds: a few, so
/// that tests, whose batches are small, read in parts too).
const PART_ROWS: usize = if cfg!(debug_assertions) { 8 } else { 1024 };

/// Bytes a chunk takes rows until; a row begun below it is finished in the same chunk.
const CHUNK_BYTES: usize = 1 << 20;

/// Rows in the order they came.
#[derive(Default)]
pub(super) struct HeldRows {
    chunks: Vec<Vec<u8>>,
    /// Where each row starts: its chunk, and where in it (below `CHUNK_BYTES`). It ends where
    /// the next row in its chunk starts, or at the chunk's end.
    starts: Vec<(u32, u32)>,
    keys: Vec<SortKey>,
    /// Bytes of rows in the chunks, and of the keys' text.
    held: usize,
}

/// What each row costs beside its bytes: where it starts and its key.
const PER_ROW: usize = std::mem::size_of::<(u32, u32)>() + std::mem::size_of::<SortKey>();

impl HeldRows {
    /// Holds the rows of `batch` (each let go of once held), their keys read at `key`.
    pub(super) fn extend(
        &mut self,
        batch: Vec<Value>,
        key: Option<&str>,
    ) -> Result<(), ExecutionError> {
        self.starts.reserve(batch.len());
        self.keys.reserve(batch.len());
        for row in rows_asked_ahead(batch) {
            let chunk = match self.chunks.last_mut() {
                Some(chunk) if chunk.len() < CHUNK_BYTES => chunk,
                _ => {
                    self.chunks.push(Vec::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 8));
                    self.chunks
                        .last_mut()
                        .ok_or_else(|| node_error(TYPE, "A sort lost its rows"))?
                }
            };
            // Below CHUNK_BYTES (a chunk takes rows only until then): it fits.
            let start = chunk.len() as u32;
            write_compact(&row, chunk);
            self.held += chunk.len() - start as usize;
            let index = u32::try_from(self.chunks.len() - 1)
                .map_err(|_| node_error(TYPE, "A sort held more rows than it can count"))?;
            let key = sort_key(&row, key);
            if let SortKey::Text(text) = &key {
                self.held += text.len();
            }
            self.starts.push((index, start));
            self.keys.push(key);
        }
        Ok(())
    }

    /// The memory the rows take, as the spill space's bound counts it.
    pub(super) fn bytes(&self) -> usize {
        self.held + self.starts.len() * PER_ROW
    }

    /// The rows in the stable sort's order.
    pub(super) fn sorted(self, descending: bool) -> SortedRows {
        let order = key_order(&self.keys, descending).into();
        let bytes = Arc::new(RowBytes { chunks: self.chunks, starts: self.starts });
        SortedRows { bytes, order, keys: self.keys, next: 0, current: None }
    }
}

/// Held rows in sorted order, given a row or a batch at a time.
pub(super) struct SortedRows {
    bytes: Arc<RowBytes>,
    /// Positions in the rows as they came, in sorted order.
    order: Arc<[usize]>,
    /// Each row's key, by position (taken as the row is given).
    keys: Vec<SortKey>,
    /// How many of `order` were given.
    next: usize,
    /// The position of the row [`SortedRows::advance`] moved to last.
    current: Option<usize>,
}

/// The rows' bytes, shared with the parts that read a batch back at once.
struct RowBytes {
    chunks: Vec<Vec<u8>>,
    starts: Vec<(u32, u32)>,
}

impl RowBytes {
    /// Row `i`'s bytes (in the order the rows came).
    fn row(&self, i: usize) -> &[u8] {
        let Some(&(chunk, start)) = self.starts.get(i) else { return &[] };
        let Some(bytes) = self.chunks.get(chunk as usize) else { return &[] };
        let end = match self.starts.get(i + 1) {
            Some(&(next, end)) if next == chunk => end as usize,
            _ => bytes.len(),
        };
        bytes.get(start as usize..end).unwrap_or_default()
    }

    /// The rows at `positions`, made values again, each a few rows ahead asked for (they are
    /// read out of the order they were written in).
    fn values(&self, positions: &[usize]) -> Result<Batch, ExecutionError> {
        let mut out = Vec::with_capacity(positions.len());
        for (at, &i) in positions.iter().enumerate() {
            if let Some(&ahead) = positions.get(at + PREFETCH_AHEAD) {
                prefetch_slice(self.row(ahead));
            }
            out.push(value_of(self.row(i))?);
        }
        Ok(out)
    }
}

/// A row's compact bytes made a value again. They were written in this process (held, or in a
/// run that read back whole): they fail to read back only if memory or the file is corrupt.
pub(super) fn value_of(bytes: &[u8]) -> Result<Value, ExecutionError> {
    read_compact(bytes)
        .map(|(row, _)| row)
        .ok_or_else(|| node_error(TYPE, "A sorted row could not be read back"))
}

/// Rows `0..rows` made values by `read` (given a range of them), in parts of [`PART_ROWS`] on
/// the host's workers when they are many and the host has workers: once a sort's rows are in,
/// reading them back is most of a chain's work and writing them out takes less, so the writer's
/// worker would otherwise wait. The caller reads every part no worker has begun.
pub(super) fn values_in_parts(
    host: &SharedHost,
    rows: usize,
    read: impl Fn(Range<usize>) -> Result<Batch, ExecutionError> + MaybeSend + MaybeSync + 'static,
) -> Result<Batch, ExecutionError> {
    if host.parallelism() < 2 || rows < 2 * PART_ROWS {
        return read(0..rows);
    }
    let parts = in_parts(
        host,
        rows.div_ceil(PART_ROWS),
        Arc::new(move |part: usize| {
            let from = part * PART_ROWS;
            read(from..(from + PART_ROWS).min(rows))
        }),
    )?;
    let mut out = Vec::with_capacity(rows);
    for part in parts {
        out.extend(part);
    }
    Ok(out)
}

impl SortedRows {
    /// Moves to the next row in sorted order and gives its key (its bytes are
    /// [`SortedRows::row`] until the next call); `None` after the last.
    pub(super) fn advance(&mut self) -> Option<SortKey> {
        let &i = self.order.get(self.next)?;
        if let Some(&ahead) = self.order.get(self.next + PREFETCH_AHEAD) {
            prefetch_slice(self.bytes.row(ahead));
        }
        self.next += 1;
        self.current = Some(i);
        Some(
            self.keys.get_mut(i).map_or(SortKey::Null, |key| std::mem::replace(key, SortKey::Null)),
        )
    }

    /// The compact bytes of the row [`SortedRows::advance`] moved to.
    pub(super) fn row(&self) -> &[u8] {
        self.current.map_or(&[], |i| self.bytes.row(i))
    }

    /// The next `most` rows (fewer at the end), made values again (see [`values_in_parts`]).
    pub(super) fn next_rows(
        &mut self,
        most: usize,
        host: &SharedHost,
    ) -> Result<Batch, ExecutionError> {
        let start = self.next;
        let end = start.saturating_add(most).min(self.order.len());
        self.next = end;
        let (bytes, order) = (self.bytes.clone(), self.order.clone());
        values_in_parts(host, end - start, move |part| {
            bytes.values(order.get(start + part.start..start + part.end).unwrap_or_default())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::operations::sorted;
    use super::HeldRows;
    use crate::json;
    use crate::value::Value;

    /// Rows held across several chunks (one row larger than a chunk), in batches, give back the
    /// whole sort's rows and order — ties in the order they came — for a numeric key, a text
    /// key, and rows without the key.
    #[test]
    fn held_rows_give_back_the_whole_sorts_rows_in_its_order() {
        let mut rows: Vec<Value> = (0..30_000)
            .map(|i| {
                json!({"n": (i * 7919) % 101, "name": format!("row {i}"), "pad": "x".repeat(i % 90)})
            })
            .collect();
        rows.insert(12_345, json!({"n": 50, "name": "big", "pad": "y".repeat(3 << 20)}));
        rows.push(json!({"name": "no key"}));
        rows.push(json!({"n": "a string", "name": "text"}));
        for (key, descending) in [("n", false), ("n", true), ("name", false)] {
            let mut held = HeldRows::default();
            for batch in rows.chunks(4096) {
                held.extend(batch.to_vec(), Some(key)).expect("held");
            }
            assert!(held.chunks.len() > 2, "several chunks: {}", held.chunks.len());
            let mut sorted_rows = held.sorted(descending);
            let mut back = Vec::new();
            while sorted_rows.advance().is_some() {
                back.push(super::value_of(sorted_rows.row()).expect("reads back"));
            }
            assert!(back == sorted(&rows, Some(key), descending), "{key} {descending}");
        }
    }
}
