//! The faster paths for data-heavy flows (`bulk-data`): what the compiler and the numeric tier
//! ask of them ([`DataPaths`]), and the implementation for builds without them
//! ([`PlainPaths`]): no record tier, no `Number(...)` leaves, keys looked for by scanning and text
//! parsed the general way, with the same results.
//!
//! The implementation with them is `bulk/` (`bulk::BulkPaths`). Which of the two a build runs is
//! decided once, where `expression/mod.rs` names `Paths`. `PlainPaths`' record path has no
//! values and its leaves no data, so in the builds that run it (the browser's default module)
//! none of the faster paths' code is compiled in.

use crate::value::Value;

use super::fastpath::{walk, Builder};
use super::ir::{Function, NativeCallNode};
use super::limits::Limits;

/// The faster paths' side of compiling and calling an expression.
pub(super) trait DataPaths {
    /// A shortcut for bodies that build a record from the arguments
    /// (`item => ({ ...item, k: v })`).
    type RecordPath: std::fmt::Debug;
    /// How a tier's builder makes its leaves (which tiers may apply string methods).
    type LeafReads: Default;
    /// How a leaf of the numeric tier reads its number.
    type LeafRead;

    /// The record path for `func`'s body, when it builds a record the shortcut can.
    fn records(func: &Function) -> Option<Self::RecordPath>;

    /// Calls the record path on `args` (the result's bytes bounded by `room`); `None` where the
    /// interpreter must answer.
    fn call_record(
        path: &Self::RecordPath,
        args: &[&Value],
        limits: &Limits,
        room: usize,
    ) -> Option<(Value, usize)>;

    /// A leaf that reads the number at `path` as it is.
    fn plain(reads: &Self::LeafReads, path: &[String]) -> Self::LeafRead;

    /// Whether `leaf` reads its number as it is (not through `Number(...)`).
    fn as_is(leaf: &Self::LeafRead) -> bool;

    /// The number at `path` in the argument `root`, adding to `charged` the memory the
    /// interpreter would count for strings its methods create; `None` where the interpreter must
    /// answer.
    fn read(
        leaf: &Self::LeafRead,
        root: &Value,
        path: &[String],
        max_len: usize,
        charged: &mut usize,
    ) -> Option<f64>;

    /// The leaf for a `Number(...)` call, when the tier can read it.
    fn number_call(builder: &mut Builder, call: &NativeCallNode) -> Option<usize>;

    /// A whole number's text read quickly (`None`: parse it the general way).
    fn whole_number(text: &str) -> Option<f64>;
}

/// Builds without `bulk-data`: every expression takes the general paths.
// Unused in the builds that link the `bulk-data` implementation instead.
#[allow(dead_code)]
pub(super) enum PlainPaths {}

/// Never made: see [`PlainPaths`].
#[allow(dead_code)]
#[derive(Debug)]
pub(super) enum NoRecordPath {}

/// A leaf reads the number at its path as it is.
#[allow(dead_code)]
#[derive(Default)]
pub(super) struct AsIs;

impl DataPaths for PlainPaths {
    type RecordPath = NoRecordPath;
    type LeafReads = AsIs;
    type LeafRead = AsIs;

    #[inline]
    fn records(_: &Function) -> Option<NoRecordPath> {
        None
    }

    fn call_record(
        path: &NoRecordPath,
        _: &[&Value],
        _: &Limits,
        _: usize,
    ) -> Option<(Value, usize)> {
        match *path {}
    }

    #[inline]
    fn plain(_: &AsIs, _: &[String]) -> AsIs {
        AsIs
    }

    #[inline]
    fn as_is(_: &AsIs) -> bool {
        true
    }

    #[inline]
    fn read(_: &AsIs, root: &Value, path: &[String], _: usize, _: &mut usize) -> Option<f64> {
        walk(root, path)
    }

    /// `Number(...)` is left to the interpreter.
    #[inline]
    fn number_call(_: &mut Builder, _: &NativeCallNode) -> Option<usize> {
        None
    }

    /// Text is parsed the general way.
    #[inline]
    fn whole_number(_: &str) -> Option<f64> {
        None
    }
}
