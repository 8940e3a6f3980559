//! The binary data beside codec text: where an encode puts what it writes apart (`"i"` tags,
//! tables of records), and where a decode finds what those tags name. Serde gives a value's
//! `serialize` and `deserialize` no way to pass them, so they live here, per thread, while an
//! encode or decode runs.

use std::cell::RefCell;
use std::sync::Arc;

use super::{Bytes, Number, Value};

/// The buffers passed beside a text being read, by the index its tags name.
type DecodeBuffers = Vec<Option<Arc<[u8]>>>;

thread_local! {
    /// Where binary data goes while [`writing_apart`] runs (`None`: inline as base64).
    pub(super) static ENCODE_BUFFERS: RefCell<Option<Vec<Arc<[u8]>>>> = const { RefCell::new(None) };
    /// The buffers passed beside the text while [`reading_with`] runs.
    pub(super) static DECODE_BUFFERS: RefCell<Option<DecodeBuffers>> = const { RefCell::new(None) };
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
