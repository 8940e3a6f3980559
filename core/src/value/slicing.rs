//! The state behind sliced codec text (see [`super::slices`]): while an encode runs with
//! slicing on, the large arrays it meets are written apart here.

use std::cell::RefCell;

use super::Value;

/// About how much text one slice holds (bytes): parsed in a millisecond or two.
pub(super) const SLICE_BYTES: usize = 256 * 1024;

pub(super) struct Slicing {
    min_items: usize,
    arrays: Vec<Vec<String>>,
}

thread_local! {
    /// Set while [`collecting_slices`] runs; taken (so `None`) while slices are written.
    pub(super) static SLICING: RefCell<Option<Slicing>> = const { RefCell::new(None) };
}

/// Runs `write` (serialising codec text) with arrays of at least `min_items` items written
/// apart in slices; gives back what it wrote and, for each `slices` tag by its number, the
/// slices' texts.
pub(super) fn collecting_slices<R>(
    min_items: usize,
    write: impl FnOnce() -> R,
) -> (R, Vec<Vec<String>>) {
    let previous = SLICING
        .with(|s| s.replace(Some(Slicing { min_items: min_items.max(1), arrays: Vec::new() })));
    let written = write();
    let slicing = SLICING.with(|s| s.replace(previous));
    (written, slicing.map(|s| s.arrays).unwrap_or_default())
}

/// While [`collecting_slices`] runs: writes `items` apart when there are enough of them, giving
/// the number its tag carries; `None` when they are to be written in place.
pub(super) fn write_apart(items: &[Value]) -> Result<Option<usize>, serde_json::Error> {
    let taken = SLICING.with(|s| {
        let mut slot = s.borrow_mut();
        match &*slot {
            Some(slicing) if items.len() >= slicing.min_items => slot.take(),
            _ => None,
        }
    });
    let Some(mut slicing) = taken else { return Ok(None) };
    let written = write_slices(items);
    let index = slicing.arrays.len();
    let result = written.map(|slices| {
        slicing.arrays.push(slices);
        Some(index)
    });
    SLICING.with(|s| *s.borrow_mut() = Some(slicing));
    result
}

fn write_slices(items: &[Value]) -> Result<Vec<String>, serde_json::Error> {
    let mut slices = Vec::new();
    let mut current = open_slice();
    for item in items {
        if current.len() > 1 {
            current.push(b',');
        }
        serde_json::to_writer(&mut current, item)?;
        if current.len() >= SLICE_BYTES {
            slices.push(close_slice(std::mem::replace(&mut current, open_slice()))?);
        }
    }
    if current.len() > 1 || slices.is_empty() {
        slices.push(close_slice(current)?);
    }
    Ok(slices)
}

fn open_slice() -> Vec<u8> {
    let mut slice = Vec::with_capacity(SLICE_BYTES + SLICE_BYTES / 8);
    slice.push(b'[');
    slice
}

fn close_slice(mut slice: Vec<u8>) -> Result<String, serde_json::Error> {
    slice.push(b']');
    // serde_json writes UTF-8 only.
    String::from_utf8(slice).map_err(<serde_json::Error as serde::ser::Error>::custom)
}
