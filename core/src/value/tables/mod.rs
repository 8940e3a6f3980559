//! Arrays of records as binary tables of columns beside codec text (`bulk-data`): the `"rows"`
//! tag, written when binary data goes beside the text and read one table after another or
//! several at once on a host's workers; and [`BulkValues`], the feature's side of the value
//! (`bulk_data.rs`), with `text.rs`'s inline short strings. Builds without the feature (the
//! browser's default module) run `PlainData` there instead: such arrays are written as text (a
//! `"rows"` tag is an unknown tag).

mod table;

#[cfg(test)]
mod tests;

use std::borrow::Borrow;
use std::cell::RefCell;
use std::hash::Hash;
use std::rc::Rc;
use std::sync::Arc;

use super::buffers::{reading_with, take_out_of_band, DECODE_BUFFERS, ENCODE_BUFFERS};
use super::bulk_data::{BulkData, Parallel, TableJob};
use super::slicing::SLICING;
use super::{Map, Value};

thread_local! {
    /// The workers that read tables of records while [`with_workers`] runs.
    static WORKERS: RefCell<Option<Rc<dyn Parallel>>> = const { RefCell::new(None) };
}

/// Runs `read` (parsing codec text) with `workers` to read tables of records on.
fn with_workers<R>(workers: Rc<dyn Parallel>, read: impl FnOnce() -> R) -> R {
    let previous = WORKERS.with(|w| w.replace(Some(workers)));
    let result = read();
    WORKERS.with(|w| w.replace(previous));
    result
}

/// The indices under which the encode running keeps `items` apart as tables of records (the
/// `"rows"` tag), or `None` when they are written as text (too few, not records of one shape, or
/// no binary data beside the text).
fn out_of_band(items: &[Value]) -> Result<Option<Vec<Value>>, String> {
    if items.len() < table::ROWS_MIN || !ENCODE_BUFFERS.with(|b| b.borrow().is_some()) {
        return Ok(None);
    }
    // A column with no binary form is codec text, read in one piece: written in place, never
    // in slices; its own binary data still goes beside it.
    let text = |column: &[&Value]| {
        without_slicing(|| serde_json::to_string(column)).map_err(|e| e.to_string())
    };
    let Some(tables) = table::encode_tables(items, &text)? else { return Ok(None) };
    Ok(ENCODE_BUFFERS.with(|b| {
        let mut slot = b.borrow_mut();
        let buffers = slot.as_mut()?;
        let first = buffers.len();
        buffers.extend(tables.into_iter().map(Arc::from));
        Some((first..buffers.len()).map(Value::from).collect())
    }))
}

/// Runs `write` with slicing off: text that must be read in one piece (a table's text column)
/// writes its arrays in place.
fn without_slicing<R>(write: impl FnOnce() -> R) -> R {
    let taken = SLICING.with(|s| s.borrow_mut().take());
    let written = write();
    SLICING.with(|s| *s.borrow_mut() = taken);
    written
}

/// A `"rows"` tag being read.
pub struct TablesTag;

impl TablesTag {
    /// The records of the tag's tables, `indices`: read in order and joined — several at once
    /// on the workers [`with_workers`] names, if any.
    fn read(self, indices: &[Value]) -> Result<Vec<Value>, String> {
        let mut tables = Vec::with_capacity(indices.len());
        for (n, index) in indices.iter().enumerate() {
            let index =
                index.as_u64().ok_or("malformed \"rows\" value in the $atomiton encoding")?;
            // Each table once: a tag naming one buffer many times would multiply its rows.
            if indices[..n].iter().any(|earlier| earlier.as_u64() == Some(index)) {
                return Err(format!("a table of records refers to buffer {index} twice"));
            }
            tables.push(take_out_of_band(index)?);
        }
        let read = |table: &[u8]| {
            let limits = super::ParseLimits::default();
            table::decode_table(table, &|text: &str| super::json::parse_bounded(text, &limits).0)
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
        let part: TableJob = {
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
}

/// `bulk-data`'s side of the value (see `bulk_data.rs`).
pub enum BulkValues {}

impl BulkData for BulkValues {
    type Str = compact_str::CompactString;
    type Tables = Vec<Value>;
    type TablesTag = TablesTag;

    #[inline]
    fn from_string(text: String) -> Self::Str {
        Self::Str::from(text)
    }

    #[inline]
    fn into_string(text: Self::Str) -> String {
        text.into_string()
    }

    fn out_of_band(items: &[Value]) -> Result<Option<Vec<Value>>, String> {
        out_of_band(items)
    }

    #[inline]
    fn tag(kind: &str) -> Option<TablesTag> {
        (kind == "rows").then_some(TablesTag)
    }

    fn read_tables(tag: TablesTag, indices: &[Value]) -> Result<Vec<Value>, String> {
        tag.read(indices)
    }

    fn decode_with_workers<R>(
        workers: &(impl Parallel + Clone + 'static),
        buffers: Vec<Arc<[u8]>>,
        read: impl FnOnce() -> R,
    ) -> R {
        with_workers(Rc::new(workers.clone()), || reading_with(buffers, read))
    }
}

impl<K: Borrow<str> + Hash + Eq, V> Map<K, V> {
    /// Where `key` is among the entries (for the expression tiers' lookups that start where a
    /// key was last; see `expression/bulk`).
    pub(crate) fn index_of(&self, key: &str) -> Option<usize> {
        self.position(key)
    }
}
