//! The faster paths for data-heavy flows (`bulk-data`): the record tier (`item => ({ ...item,
//! k: v })` built without the interpreter), `Number(...)` leaves over text and string methods in
//! the numeric tier, keys looked for where they were last (rows of a table have theirs in the
//! same places) and whole numbers read from digits alone. Results are the interpreter's either
//! way. Builds without the feature (the browser's default module) run `data_paths.rs`'s
//! `PlainPaths` instead: none of these, at no cost.

mod records;
mod text;

#[cfg(test)]
mod tests;

use std::sync::atomic::AtomicU32;
use std::sync::atomic::Ordering::Relaxed;

use crate::value::{Map, Value};

use super::builtins::Native;
use super::convert::string_to_number;
use super::data_paths::DataPaths;
use super::fastpath::{walk, Builder};
use super::interpreter::short_eq;
use super::ir::Function;
use super::ir::{Item, NativeCallNode, Node};
use super::limits::Limits;

use records::RecordPath;
use text::{apply_all, TextOp, SHORT};

/// How a tier's builder makes its leaves.
#[derive(Default)]
pub(super) struct LeafReads {
    /// Leaves may apply string methods (the tier counts the memory they stand for).
    pub text: bool,
}

/// How a leaf of the numeric tier reads its number.
pub(super) struct LeafRead {
    /// Where each key of the path was found last (see [`lookup_hinted`]).
    hints: Vec<AtomicU32>,
    /// Read through `Number(...)`: a string, a boolean or `null` converts.
    coerce: bool,
    /// String methods applied before the conversion (`Number(row.start.slice(0, 4))`; only
    /// tiers that count the memory they stand for allow them).
    text: Vec<TextOp>,
}

fn hints(path: &[String]) -> Vec<AtomicU32> {
    path.iter().map(|_| AtomicU32::default()).collect()
}

impl LeafRead {
    /// The number at `path` in the argument `root`, adding to `charged` the memory the
    /// interpreter would count for strings its methods create; `None` where the interpreter must
    /// answer.
    #[inline]
    pub fn read(
        &self,
        root: &Value,
        path: &[String],
        max_len: usize,
        charged: &mut usize,
    ) -> Option<f64> {
        if !self.coerce {
            return self.walk(root, path);
        }
        self.coerced(root, path, max_len, charged)
    }

    /// [`walk`] with each key looked for where it was last.
    #[inline]
    fn walk(&self, root: &Value, path: &[String]) -> Option<f64> {
        let mut v = root;
        let last = path.len().saturating_sub(1);
        for (i, (key, hint)) in path.iter().zip(&self.hints).enumerate() {
            match v {
                Value::Object(o) => v = lookup_hinted(o, key, hint)?,
                _ if i == last && key == "length" => return walk(v, &path[i..]),
                _ => return None,
            }
        }
        v.as_f64()
    }

    /// `Number(...)` of the value at the path (through its string methods).
    fn coerced(
        &self,
        root: &Value,
        path: &[String],
        max_len: usize,
        charged: &mut usize,
    ) -> Option<f64> {
        let mut v = root;
        for (key, hint) in path.iter().zip(&self.hints) {
            v = lookup_hinted(v.as_object()?, key, hint)?;
        }
        let text = |s: &str, charged: &mut usize| {
            let (text, bytes) = apply_all(s, &self.text, max_len)?;
            *charged += bytes;
            (text.len() < SHORT).then(|| string_to_number(&text))
        };
        match v {
            Value::String(s) => text(s, charged),
            _ if !self.text.is_empty() => None,
            Value::Number(n) => Some(n.get()),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Null => Some(0.0),
            Value::Undefined => Some(f64::NAN),
            _ => None,
        }
    }
}

/// Looks a key up in an input object, first where `hint` says the key was last time: one
/// comparison rather than a scan, and the hint moves when the key is elsewhere. Shared by the
/// threads a tier runs on; a stale hint only costs the scan.
#[inline]
pub(super) fn lookup_hinted<'a>(o: &'a Map, key: &str, hint: &AtomicU32) -> Option<&'a Value> {
    let at = hint.load(Relaxed) as usize;
    if let Some((k, v)) = o.get_index(at) {
        if short_eq(k, key) {
            return Some(v);
        }
    }
    let found = o.index_of(key)?;
    hint.store(u32::try_from(found).unwrap_or(0), Relaxed);
    o.get_index(found).map(|(_, v)| v)
}

/// The faster paths, as the expression compiler and the numeric tier ask for them.
pub(super) enum BulkPaths {}

impl DataPaths for BulkPaths {
    type RecordPath = RecordPath;
    type LeafReads = LeafReads;
    type LeafRead = LeafRead;

    fn records(func: &Function) -> Option<RecordPath> {
        records::analyze(func)
    }

    #[inline]
    fn call_record(
        path: &RecordPath,
        args: &[&Value],
        limits: &Limits,
        room: usize,
    ) -> Option<(Value, usize)> {
        path.call(args, limits, room)
    }

    fn plain(_: &LeafReads, path: &[String]) -> LeafRead {
        LeafRead { hints: hints(path), coerce: false, text: Vec::new() }
    }

    fn as_is(leaf: &LeafRead) -> bool {
        !leaf.coerce
    }

    #[inline]
    fn read(
        leaf: &LeafRead,
        root: &Value,
        path: &[String],
        max_len: usize,
        charged: &mut usize,
    ) -> Option<f64> {
        leaf.read(root, path, max_len, charged)
    }

    /// The leaf for `Number(x)`: `x` a path, or string methods over one when the builder allows
    /// them.
    fn number_call(builder: &mut Builder, call: &NativeCallNode) -> Option<usize> {
        let (Native::Number, [Item::Expr(arg)]) = (&call.native, call.args.as_slice()) else {
            return None;
        };
        // The call and its argument: generously more than the interpreter counts.
        builder.nodes += 3;
        let mut ops = Vec::new();
        let mut cur = arg;
        while let Node::Method(method) = cur {
            if !builder.reads.text || method.optional_member || method.optional_call {
                return None;
            }
            ops.push(TextOp::of(method.method, &method.args)?);
            builder.nodes += 2 + method.args.len() as u64;
            cur = &method.obj;
        }
        ops.reverse();
        builder.leaf_of(cur, |_, path| LeafRead { hints: hints(path), coerce: true, text: ops })
    }

    /// `ToNumber` of digits alone (a CSV cell), the common case: exact up to 15 digits (below
    /// 2^53); `None` for any other text.
    #[inline]
    fn whole_number(s: &str) -> Option<f64> {
        let digits = s.as_bytes();
        if !digits.is_empty() && digits.len() <= 15 && digits.iter().all(u8::is_ascii_digit) {
            return Some(digits.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0')) as f64);
        }
        None
    }
}
