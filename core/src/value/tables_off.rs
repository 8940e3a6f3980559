//! Arrays of records in builds without `bulk-data` (the browser's default module): always
//! written as text, and a `"rows"` tag is an unknown tag. Types with no values, so none of the
//! table code is in the module (see `tables/mod.rs`).

use super::serde_impl::{FieldRepr, FieldValue};
use super::Value;

/// Never exists without `bulk-data`.
pub(super) enum Tables {}

impl FieldValue for Tables {
    fn to_json_value(&self) -> FieldRepr<'_> {
        match *self {}
    }
}

/// Arrays of records are written as text.
#[inline]
pub(super) fn out_of_band(_: &[Value]) -> Result<Option<Tables>, String> {
    Ok(None)
}

/// Never exists without `bulk-data`.
pub(super) enum TablesTag {}

/// No tag reads tables.
#[inline]
pub(super) fn tag(_: &str) -> Option<TablesTag> {
    None
}

impl TablesTag {
    pub fn read(self, _: &[Value]) -> Result<Vec<Value>, String> {
        match self {}
    }
}

/// Reads codec text with `buffers` as [`super::codec::decode`] does: without tables of records
/// there is nothing to read on workers, so `_workers` (any host) is not asked.
pub fn decode_with_workers<R, W>(
    _workers: &W,
    buffers: Vec<std::sync::Arc<[u8]>>,
    read: impl FnOnce() -> R,
) -> R {
    super::codec::decode(buffers, read)
}
