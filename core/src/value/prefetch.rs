//! Asking the processor for a row before the loop reaches it.
//!
//! A stream's rows are made on one worker (the CSV source) and read on another (the stages, the
//! sink) a batch later, when they have left that core's caches; rows a sort held are read in
//! an order that is not the one they were made in. A loop that takes a field or two of each row
//! then waits on memory for every row in turn. Asking for a row's entries a few rows ahead
//! overlaps those waits with the work on the rows before it. (Only on x86-64, where the hint is
//! stable Rust; elsewhere, and in wasm, the calls compile to nothing.)

use super::Value;

/// Rows ahead of the one being worked on whose entries are asked for.
pub const PREFETCH_AHEAD: usize = 6;

/// Bytes of an object's entries asked for at most (a record of a handful of keys).
const MAX_BYTES: usize = 256;

const LINE: usize = 64;

impl Value {
    /// Asks the processor to start loading this object's entries into its cache; nothing for
    /// other values, or on processors without a prefetch this code knows.
    #[inline(always)]
    pub fn prefetch(&self) {
        if let Value::Object(map) = self {
            let (start, bytes) = map.entries_span();
            prefetch_bytes(start, bytes.min(MAX_BYTES));
        }
    }
}

/// Asks for the entries of the row a few after `rows[at]`, when there is one: called by a loop
/// over `rows` as it reaches `at`.
#[inline(always)]
pub fn prefetch_ahead(rows: &[Value], at: usize) {
    if let Some(row) = rows.get(at.saturating_add(PREFETCH_AHEAD)) {
        row.prefetch();
    }
}

/// Asks for the first bytes of `bytes` (a row in the compact form, read out of order).
#[inline(always)]
pub fn prefetch_slice(bytes: &[u8]) {
    prefetch_bytes(bytes.as_ptr(), bytes.len().min(MAX_BYTES));
}

/// The rows of `batch`, each moved out as the loop reaches it (to be let go of as soon as it is
/// done, while it is in the cache), the entries of a row a few ahead asked for meanwhile.
pub fn rows_asked_ahead(mut batch: Vec<Value>) -> impl ExactSizeIterator<Item = Value> {
    (0..batch.len()).map(move |i| {
        prefetch_ahead(&batch, i);
        std::mem::take(&mut batch[i])
    })
}

#[inline(always)]
fn prefetch_bytes(start: *const u8, bytes: usize) {
    #[cfg(target_arch = "x86_64")]
    for line in 0..bytes.div_ceil(LINE) {
        // SAFETY: a prefetch is only a hint to the cache: it reads nothing the program sees and
        // never faults, whatever the address (wrapping_add makes no claim on it either).
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                start.wrapping_add(line * LINE).cast(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, bytes, LINE);
}

#[cfg(test)]
mod tests {
    use super::prefetch_ahead;
    use crate::json;
    use crate::value::{Map, Value};

    /// The hint is given for any row a loop can hold — records, an empty object (whose entries
    /// are a dangling pointer), values that are not objects — and past the end of the batch,
    /// and leaves every row as it was.
    #[test]
    fn asking_ahead_for_any_row_changes_nothing() {
        let rows = vec![
            json!({"name": "Ada", "salary": 90000}),
            Value::Object(Map::new()),
            json!("text"),
            Value::Null,
            json!([1, 2, 3]),
            json!({"wide": "x".repeat(1000), "more": {"nested": true}}),
        ];
        let before = rows.clone();
        for at in 0..rows.len() + 8 {
            prefetch_ahead(&rows, at);
            prefetch_ahead(&rows[..0], at);
        }
        for row in &rows {
            row.prefetch();
        }
        assert_eq!(rows, before);
    }
}
