//! The binary data beside codec text: where an encode puts what it writes apart (`"i"` tags,
//! tables of records), and where a decode finds what those tags name. Serde gives a value's
//! `serialize` and `deserialize` no way to pass them, so they live here, per thread, while an
//! encode or decode runs.

use std::cell::RefCell;
#[cfg(feature = "bulk-data")]
use std::rc::Rc;
use std::sync::Arc;

#[cfg(feature = "bulk-data")]
use super::parallel::Parallel;
use super::{Bytes, Number, Value};

/// The buffers passed beside a text being read, by the index its tags name.
type DecodeBuffers = Vec<Option<Arc<[u8]>>>;

thread_local! {
    /// Where binary data goes while [`writing_apart`] runs (`None`: inline as base64).
    static ENCODE_BUFFERS: RefCell<Option<Vec<Arc<[u8]>>>> = const { RefCell::new(None) };
    /// The buffers passed beside the text while [`reading_with`] runs.
    static DECODE_BUFFERS: RefCell<Option<DecodeBuffers>> = const { RefCell::new(None) };
    /// The workers that read tables of records while [`with_workers`] runs.
    #[cfg(feature = "bulk-data")]
    static WORKERS: RefCell<Option<Rc<dyn Parallel>>> = const { RefCell::new(None) };
}

/// Runs `write` (serialising codec text) with binary data going apart, into `buffers` after what
/// they hold already; gives back what it wrote and the buffers.
pub(super) fn writing_apart<R>(
    buffers: Vec<Arc<[u8]>>,
    write: impl FnOnce() -> R,
) -> (R, Vec<Arc<[u8]>>) {
    let previous = ENCODE_BUFFERS.with(|b| b.replace(Some(buffers)));
    let written = write();
    let buffers = ENCODE_BUFFERS.with(|b| b.replace(previous)).unwrap_or_default();
    (written, buffers)
}

/// Runs `read` (parsing codec text) with `buffers` available to its `"i"` tags.
pub(super) fn reading_with<R>(buffers: Vec<Arc<[u8]>>, read: impl FnOnce() -> R) -> R {
    let previous =
        DECODE_BUFFERS.with(|b| b.replace(Some(buffers.into_iter().map(Some).collect())));
    let result = read();
    DECODE_BUFFERS.with(|b| b.replace(previous));
    result
}

/// Runs `read` (parsing codec text) with `workers` to read tables of records on.
#[cfg(feature = "bulk-data")]
pub(super) fn with_workers<R>(workers: Rc<dyn Parallel>, read: impl FnOnce() -> R) -> R {
    let previous = WORKERS.with(|w| w.replace(Some(workers)));
    let result = read();
    WORKERS.with(|w| w.replace(previous));
    result
}

/// The index under which [`writing_apart`] keeps `bytes` apart, or `None` when it writes inline.
pub(super) fn out_of_band(bytes: &Bytes) -> Option<usize> {
    ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        buffers.push(bytes.data.clone());
        Some(buffers.len() - 1)
    })
}

/// Arrays of numbers at least this long cross as a buffer of doubles (`"f64"` tags) when binary
/// data goes beside the text: reading many numbers from text costs the embedder far more than
/// copying them out of a buffer, and writing them as text costs the engine as much.
pub const F64_ARRAY_MIN: usize = 1024;
/// ... and at most this long (8 MB of doubles): longer ones are written apart in slices, which
/// an embedder can read a few at a time.
pub const F64_ARRAY_MAX: usize = 1 << 20;

/// The index under which [`writing_apart`] keeps `items` apart as little-endian doubles, or `None`
/// when they are written as text (not all numbers, outside the sizes above, or no binary data
/// beside the text).
pub(super) fn numbers_out_of_band(items: &[Value]) -> Option<usize> {
    if !(F64_ARRAY_MIN..=F64_ARRAY_MAX).contains(&items.len())
        || !ENCODE_BUFFERS.with(|b| b.borrow().is_some())
    {
        return None;
    }
    let mut bytes = Vec::with_capacity(items.len() * 8);
    for item in items {
        let Value::Number(n) = item else { return None };
        bytes.extend_from_slice(&n.get().to_le_bytes());
    }
    ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        buffers.push(Arc::from(bytes));
        Some(buffers.len() - 1)
    })
}

/// The indices under which [`writing_apart`] keeps `items` apart as tables of records (the `"rows"`
/// tag), or `None` when they are written as text (too few, not records of one shape, or no
/// binary data beside the text).
#[cfg(feature = "bulk-data")]
pub(super) fn rows_out_of_band(items: &[Value]) -> Result<Option<Vec<u64>>, String> {
    if items.len() < super::table::ROWS_MIN || !ENCODE_BUFFERS.with(|b| b.borrow().is_some()) {
        return Ok(None);
    }
    // A column with no binary form is codec text, read in one piece: written in place, never
    // in slices; its own binary data still goes beside it.
    let text = |column: &[&Value]| {
        super::slicing::without_slicing(|| serde_json::to_string(column)).map_err(|e| e.to_string())
    };
    let Some(tables) = super::table::encode_tables(items, &text)? else { return Ok(None) };
    Ok(ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        let first = buffers.len();
        buffers.extend(tables.into_iter().map(Arc::from));
        Some((first..buffers.len()).map(|i| i as u64).collect())
    }))
}

/// The records of a `"rows"` tag: its tables, read in order and joined — several at once on
/// the workers [`with_workers`] names, if any.
#[cfg(feature = "bulk-data")]
pub(super) fn rows_from_tables(indices: &[Value]) -> Result<Vec<Value>, String> {
    let mut tables = Vec::with_capacity(indices.len());
    for (n, index) in indices.iter().enumerate() {
        let index = index.as_u64().ok_or("malformed \"rows\" value in the $atomiton encoding")?;
        // Each table once: a tag naming one buffer many times would multiply its rows.
        if indices[..n].iter().any(|earlier| earlier.as_u64() == Some(index)) {
            return Err(format!("a table of records refers to buffer {index} twice"));
        }
        tables.push(take_out_of_band(index)?);
    }
    let read = |table: &[u8]| {
        let limits = super::ParseLimits::default();
        super::table::decode_table(table, &|text: &str| super::json::parse_bounded(text, &limits).0)
    };
    let workers = WORKERS
        .with(|w| w.borrow().clone())
        .filter(|workers| tables.len() > 1 && workers.parallelism() > 1);
    let Some(workers) = workers else {
        let mut rows = Vec::new();
        for table in &tables {
            rows.extend(read(table)?);
        }
        return Ok(rows);
    };
    // A table's text columns may refer to the same buffers: each part reads with them too.
    let buffers: Vec<Arc<[u8]>> = DECODE_BUFFERS.with(|b| {
        let slot = b.borrow();
        slot.as_ref()
            .map(|list| {
                list.iter()
                    .map(|buffer| buffer.clone().unwrap_or_else(|| Arc::from(&[][..])))
                    .collect()
            })
            .unwrap_or_default()
    });
    let tables = Arc::new(tables);
    let part = {
        let tables = tables.clone();
        Arc::new(move |i: usize| reading_with(buffers.clone(), || read(&tables[i])))
    };
    let parts = workers.run_jobs(tables.len(), part)?;
    let mut rows = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    for part in parts {
        rows.extend(part);
    }
    Ok(rows)
}

/// The numbers of an `"f64"` tag's little-endian doubles; `None` when the length is not a
/// whole number of doubles.
pub(super) fn numbers_from_bytes(bytes: &[u8]) -> Option<Vec<Value>> {
    if bytes.len() % 8 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|chunk| {
                let mut double = [0u8; 8];
                double.copy_from_slice(chunk);
                Value::Number(Number::new(f64::from_le_bytes(double)))
            })
            .collect(),
    )
}

/// The buffer an `"i"` tag names.
pub(super) fn take_out_of_band(index: u64) -> Result<Arc<[u8]>, String> {
    DECODE_BUFFERS.with(|b| {
        let slot = b.borrow();
        let buffers = slot.as_ref().ok_or("binary data refers to a buffer, but none was passed")?;
        usize::try_from(index)
            .ok()
            .and_then(|i| buffers.get(i))
            .and_then(Option::clone)
            .ok_or_else(|| format!("binary data refers to buffer {index}, which was not passed"))
    })
}
