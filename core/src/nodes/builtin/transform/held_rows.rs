//! The rows a stream's sort holds, in the compact value form: their bytes one after another,
//! with the key each sorts by, read once as the row comes (while it is in the cache).
//!
//! A row held as a value is its entries' allocation and its strings (about 250 bytes for a
//! record of four short fields); in the compact form it is about a third of that, so a sort
//! holds three times the rows before it spills, the process takes that much less fresh memory
//! from the system, and a run is written by copying each row's bytes in sorted order (the form
//! a spilled run has). The bytes are kept in chunks, so that holding more never copies what is
//! held (nor holds twice its room while a buffer doubles). Rows are made values again as they
//! are given, a batch at a time.

use super::super::common::node_error;
use super::operations::{key_order, sort_key, SortKey};
use crate::error::ExecutionError;
use crate::value::compact::{read_compact, write_compact};
use crate::value::{prefetch_slice, rows_asked_ahead, Value, PREFETCH_AHEAD};

const TYPE: &str = "transform";

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
        let order = key_order(&self.keys, descending);
        SortedRows { chunks: self.chunks, starts: self.starts, order, next: 0 }
    }
}

/// Held rows in sorted order, given a row at a time.
pub(super) struct SortedRows {
    chunks: Vec<Vec<u8>>,
    starts: Vec<(u32, u32)>,
    /// Positions in `starts`, in sorted order.
    order: Vec<usize>,
    /// How many of `order` were given.
    next: usize,
}

impl SortedRows {
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

    /// The next row's bytes, a few rows ahead asked for meanwhile (the rows are read out of the
    /// order they were written in).
    pub(super) fn next_bytes(&mut self) -> Option<&[u8]> {
        let &i = self.order.get(self.next)?;
        if let Some(&ahead) = self.order.get(self.next + PREFETCH_AHEAD) {
            prefetch_slice(self.row(ahead));
        }
        self.next += 1;
        Some(self.row(i))
    }

    /// The next row, made a value again; `Err(())` if its bytes do not read back (they were
    /// written by [`HeldRows::extend`] in this process: never, unless memory is corrupt).
    pub(super) fn next_row(&mut self) -> Result<Option<Value>, ()> {
        match self.next_bytes() {
            None => Ok(None),
            Some(bytes) => read_compact(bytes).map(|(row, _)| Some(row)).ok_or(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::operations::sorted;
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
            while let Some(row) = sorted_rows.next_row().expect("reads back") {
                back.push(row);
            }
            assert!(back == sorted(&rows, Some(key), descending), "{key} {descending}");
        }
    }
}
