//! What `bulk-data` changes in the value and its codec: short strings stored inline as a
//! value's text, and arrays of records crossing the boundary as binary tables of columns beside
//! codec text (the `"rows"` tag), read several at once on a host's workers. What the value asks
//! of it is [`BulkData`]; the implementation for builds without it is [`PlainData`]: `String`
//! as a value's text, arrays of records always written as text, and a `"rows"` tag an unknown
//! tag. What the codec needs of a host's workers ([`Parallel`]) is declared for every build.
//!
//! The implementation with the feature is `tables/` (`tables::BulkValues`, with `text.rs`).
//! Which of the two a build runs is decided once, where `value/mod.rs` names `Data`.
//! `PlainData`'s tables have no values, so in the builds that run it (the browser's default
//! module) none of the tables' code is compiled in.

use std::sync::Arc;

use super::serde_impl::{FieldRepr, FieldValue};
use super::Value;

/// One table's job: given the job's index, the records it read (or why it could not).
pub type TableJob = Arc<dyn Fn(usize) -> Result<Vec<Value>, String> + Send + Sync>;

/// Runs jobs at once on workers: what the codec needs of an embedder's workers to read tables
/// of records several at once. The codec knows no host: whoever decodes hands it something that
/// runs jobs in parallel ([`crate::host`] gives every host this).
pub trait Parallel {
    /// How many jobs run at once; 1 where jobs run on the caller's thread only.
    fn parallelism(&self) -> usize;

    /// Runs `job(0)` … `job(jobs - 1)` and returns what they gave in order, up to and including
    /// the first error (later jobs are not run, or their results dropped).
    fn run_jobs(&self, jobs: usize, job: TableJob) -> Result<Vec<Vec<Value>>, String>;
}

/// How values hold their text and write and read arrays of records.
pub trait BulkData {
    /// The text of [`Value::String`] and of object keys.
    type Str;
    /// The `"i"` field of a `"rows"` tag: the indices of its tables among the buffers.
    type Tables: FieldValue;
    /// A `"rows"` tag being read.
    type TablesTag;

    /// A `String` as a value's text.
    fn from_string(text: String) -> Self::Str;

    /// A value's text as a `String`.
    fn into_string(text: Self::Str) -> String;

    /// The indices under which the encode running keeps `items` apart as tables of records, or
    /// `None` when they are written as text.
    fn out_of_band(items: &[Value]) -> Result<Option<Self::Tables>, String>;

    /// The tag `kind` names, when it is one of tables.
    fn tag(kind: &str) -> Option<Self::TablesTag>;

    /// The records of the tag's tables, `indices`, read in order and joined.
    fn read_tables(tag: Self::TablesTag, indices: &[Value]) -> Result<Vec<Value>, String>;

    /// Runs `read` (which parses codec text) with `buffers` available to its tags and `workers`
    /// to read tables of records on, several at once.
    fn decode_with_workers<R>(
        workers: &(impl Parallel + Clone + 'static),
        buffers: Vec<Arc<[u8]>>,
        read: impl FnOnce() -> R,
    ) -> R;
}

/// Builds without `bulk-data`: `String` text, and no tables of records.
// Unused in the builds that link the `bulk-data` implementation instead.
#[allow(dead_code)]
pub enum PlainData {}

/// Never made: see [`PlainData`].
#[allow(dead_code)]
pub enum NoTables {}

impl FieldValue for NoTables {
    fn to_json_value(&self) -> FieldRepr<'_> {
        match *self {}
    }
}

impl BulkData for PlainData {
    type Str = String;
    type Tables = NoTables;
    type TablesTag = NoTables;

    /// A move.
    #[inline]
    fn from_string(text: String) -> String {
        text
    }

    /// A move.
    #[inline]
    fn into_string(text: String) -> String {
        text
    }

    /// Arrays of records are written as text.
    #[inline]
    fn out_of_band(_: &[Value]) -> Result<Option<NoTables>, String> {
        Ok(None)
    }

    /// No tag reads tables.
    #[inline]
    fn tag(_: &str) -> Option<NoTables> {
        None
    }

    fn read_tables(tag: NoTables, _: &[Value]) -> Result<Vec<Value>, String> {
        match tag {}
    }

    /// Without tables of records there is nothing to read on workers, so they are not asked.
    fn decode_with_workers<R>(
        _: &(impl Parallel + Clone + 'static),
        buffers: Vec<Arc<[u8]>>,
        read: impl FnOnce() -> R,
    ) -> R {
        super::codec::decode(buffers, read)
    }
}
