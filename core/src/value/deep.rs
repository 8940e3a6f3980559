//! Stack safety for recursive operations on user-supplied trees.
//!
//! Flows may nest groups thousands of levels deep (10,000-deep nesting must never overflow
//! the stack). Serde, `Clone`, `PartialEq` and `Debug` are naturally recursive, so every
//! recursive step over `NodeDefinition` runs through [`guard`], which moves onto a fresh
//! heap-allocated stack segment when the current one runs low. The scheduler, validator and graph
//! code never recurse; they use explicit stacks.

use super::Value;

/// Bytes that must remain on the stack before a recursive step runs on the current segment.
const RED_ZONE: usize = 128 * 1024;
/// Size of each newly allocated segment.
const SEGMENT: usize = 2 * 1024 * 1024;

/// Runs `f`, first switching to a new stack segment if fewer than `RED_ZONE` bytes remain.
#[inline]
pub(crate) fn guard<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Drops a JSON value without recursing (a plain drop of a value nested thousands of levels
/// deep would overflow the stack).
pub(crate) fn dispose(value: Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}
