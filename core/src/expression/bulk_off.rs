//! The faster paths for data-heavy flows in builds without `bulk-data` (the browser's default
//! module): no record tier, no `Number(...)` leaves, keys looked for by scanning and text parsed
//! the general way. Types with no values or no data, so none of it costs the module code; the
//! results are the same (see `bulk/mod.rs`).

use crate::value::Value;

use super::fastpath::{walk, Builder};
use super::ir::{Function, NativeCallNode};
use super::limits::Limits;

/// Never exists without `bulk-data`.
#[derive(Debug)]
pub(super) enum RecordPath {}

impl RecordPath {
    pub fn call(&self, _: &[&Value], _: &Limits, _: usize) -> Option<(Value, usize)> {
        match *self {}
    }
}

/// No record tier.
#[inline]
pub(super) fn records(_: &Function) -> Option<RecordPath> {
    None
}

/// How a tier's builder makes its leaves: always as plain paths.
#[derive(Default)]
pub(super) struct LeafReads;

impl LeafReads {
    #[inline]
    pub fn plain(&self, _: &[String]) -> LeafRead {
        LeafRead
    }
}

/// A leaf reads the number at its path as it is.
pub(super) struct LeafRead;

impl LeafRead {
    #[inline]
    pub fn as_is(&self) -> bool {
        true
    }

    #[inline]
    pub fn read(&self, root: &Value, path: &[String], _: usize, _: &mut usize) -> Option<f64> {
        walk(root, path)
    }
}

impl Builder {
    /// `Number(...)` is left to the interpreter.
    #[inline]
    pub(super) fn number_call(&mut self, _: &NativeCallNode) -> Option<usize> {
        None
    }
}

/// Text is parsed the general way.
#[inline]
pub(super) fn whole_number(_: &str) -> Option<f64> {
    None
}
