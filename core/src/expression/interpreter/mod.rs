//! Tree-walking evaluator over the compiled IR.
//!
//! Frames are plain slices of `Val` (on the Rust stack for small functions, so a call
//! allocates nothing). Recursion is bounded: each function's tree height is at most
//! `max_depth`, and entering a function charges its height against a nesting budget, so
//! self-application tricks like `(f => f(f))(f => f(f))` end in a budget error, not a
//! stack overflow.

mod access;
mod call;
mod eval;

use std::rc::Rc;

use crate::value::Value;

use super::error::{budget_error, internal_error, ExpressionError, ExpressionErrorKind, RtResult};
use super::interrupt::{Interrupt, CHECK_EVERY};
use super::ir::{Const, Node};
use super::limits::Limits;
use super::propmap::PropMap;
use super::value::{ArrObj, ObjObj, Val};

/// Frames up to this many slots live on the Rust stack (two sizes, so tiny functions
/// initialise and drop less).
const SMALL_SLOTS: usize = 3;
const INLINE_SLOTS: usize = 10;

/// String bytes scanned or copied per step charged (see `Interp::charge_bytes`).
const BYTES_PER_STEP: usize = 256;

/// Extra nesting units charged per call, for the builtin frames between calls
/// (e.g. `map` → callback).
const CALL_OVERHEAD: usize = 4;

/// Arguments of a call, in whatever form the caller has them (so the public API can pass
/// `&Value`s without converting them into a vector first).
#[derive(Clone, Copy)]
pub(super) enum Args<'x, 'a> {
    Vals(&'x [Val<'a>]),
    Json(&'x [&'a Value]),
    /// Named fields (reduce's `{acc, item}`), bound per `Expression::call_with_fields`.
    Fields(&'x [(&'a str, &'a Value)]),
}

impl<'a> Args<'_, 'a> {
    /// Positional argument `i` (`undefined` when missing).
    #[inline(always)]
    fn get(&self, i: usize) -> Val<'a> {
        match self {
            Args::Vals(v) => v.get(i).cloned().unwrap_or(Val::Undefined),
            Args::Json(v) => v.get(i).map_or(Val::Undefined, |x| Val::from_json(x)),
            Args::Fields(_) => Val::Undefined,
        }
    }
}

/// Bytes counted for each value of an array, an object property or a captured variable (a
/// run-time value is two words; a property adds its key).
pub(super) const VALUE_BYTES: usize = 16;
/// Bytes counted for each array, object, closure or string created, beyond its contents.
pub(super) const HEADER_BYTES: usize = 32;

/// Per-call evaluation state: counters, and what may stop the call from outside.
pub(super) struct Interp<'c> {
    steps: u64,
    /// The step count at which `tick` next leaves its fast path: the budget, or sooner the next
    /// look at `interrupt`.
    check_at: u64,
    max_steps: u64,
    interrupt: Option<&'c dyn Interrupt>,
    /// Bytes allocated for created values so far (see `Limits::max_memory_bytes`).
    memory: usize,
    max_memory: usize,
    pub max_string_len: usize,
    pub max_array_len: usize,
    pub max_value_depth: u32,
    nest: usize,
    max_nest: usize,
}

#[inline(always)]
fn slot<'a>(frame: &[Val<'a>], i: u32) -> Val<'a> {
    frame.get(i as usize).cloned().unwrap_or(Val::Undefined)
}

#[inline(always)]
fn set_slot<'a>(frame: &mut [Val<'a>], i: u32, v: Val<'a>) -> RtResult<()> {
    match frame.get_mut(i as usize) {
        Some(s) => {
            *s = v;
            Ok(())
        }
        None => Err(internal_error("slot out of range")),
    }
}

/// The number held by a leaf operand (a numeric variable or constant), if it is one.
#[inline(always)]
fn num_leaf(node: &Node, frame: &[Val<'_>]) -> Option<f64> {
    match node {
        Node::Slot(i) => match frame.get(*i as usize) {
            Some(Val::Num(n)) => Some(*n),
            _ => None,
        },
        Node::Const(Const::Num(n)) => Some(*n),
        _ => None,
    }
}

/// JavaScript truthiness.
#[inline]
pub(super) fn truthy(v: &Val<'_>) -> bool {
    match v {
        Val::Undefined | Val::Null => false,
        Val::Bool(b) => *b,
        Val::Num(n) => *n != 0.0 && !n.is_nan(),
        Val::Str(s) => !s.is_empty(),
        Val::OStr(s) => !s.is_empty(),
        _ => true,
    }
}
impl<'c> Interp<'c> {
    pub fn new(limits: &Limits, interrupt: Option<&'c dyn Interrupt>) -> Self {
        let check_at =
            if interrupt.is_some() { limits.max_steps.min(CHECK_EVERY) } else { limits.max_steps };
        Interp {
            steps: 0,
            check_at,
            max_steps: limits.max_steps,
            interrupt,
            memory: 0,
            max_memory: limits.max_memory_bytes,
            max_string_len: limits.max_string_len,
            max_array_len: limits.max_array_len,
            max_value_depth: u32::try_from(limits.max_value_depth).unwrap_or(u32::MAX),
            nest: 0,
            max_nest: limits.max_depth.saturating_mul(4).max(64),
        }
    }

    /// Charges one step.
    #[inline]
    pub fn tick(&mut self) -> RtResult<()> {
        self.steps += 1;
        if self.steps > self.check_at {
            return self.checkpoint();
        }
        Ok(())
    }

    /// Charges `n` steps (bulk work inside builtins).
    #[inline]
    pub fn charge(&mut self, n: usize) -> RtResult<()> {
        self.steps = self.steps.saturating_add(n as u64);
        if self.steps > self.check_at {
            return self.checkpoint();
        }
        Ok(())
    }

    /// The slow path of `tick`: the budget is spent, or it is time to look at the interrupt.
    #[cold]
    #[inline(never)]
    fn checkpoint(&mut self) -> RtResult<()> {
        if self.steps > self.max_steps {
            return Err(budget_error(format!(
                "Expression exceeded its step budget of {} steps (limits.expressionSteps raises it)",
                self.max_steps
            )));
        }
        if self.interrupt.is_some_and(|i| i.interrupted()) {
            return Err(Box::new(ExpressionError::new(
                ExpressionErrorKind::Cancelled,
                "Expression stopped: its run was cancelled or timed out",
                None,
            )));
        }
        self.check_at = self.max_steps.min(self.steps.saturating_add(CHECK_EVERY));
        Ok(())
    }

    /// Counts `bytes` of created values against the memory budget.
    #[inline]
    pub fn allocate(&mut self, bytes: usize) -> RtResult<()> {
        self.memory = self.memory.saturating_add(bytes);
        if self.memory > self.max_memory {
            return Err(self.over_memory());
        }
        Ok(())
    }

    /// Fails, before anything is allocated, when `bytes` more would not fit the memory budget.
    #[inline]
    pub fn check_memory(&self, bytes: usize) -> RtResult<()> {
        if self.memory.saturating_add(bytes) > self.max_memory {
            return Err(self.over_memory());
        }
        Ok(())
    }

    #[cold]
    fn over_memory(&self) -> Box<ExpressionError> {
        budget_error(format!("Expression exceeded its memory budget of {} bytes", self.max_memory))
    }

    /// Checks a string length before it is allocated; long strings also cost steps (see
    /// `charge_bytes`) so repeated copying is bounded by the step budget too.
    pub fn check_str_len(&mut self, len: usize) -> RtResult<()> {
        if len > self.max_string_len {
            return Err(budget_error(format!(
                "String of {len} bytes exceeds the limit of {} bytes",
                self.max_string_len
            )));
        }
        self.check_memory(len)?;
        self.charge_bytes(len)
    }

    /// Charges for work proportional to a string's length: one step per 256 bytes. Every
    /// operation that scans or copies string contents calls this, so no sequence of steps
    /// can hide unbounded work behind long strings (e.g. a million comparisons of two
    /// 16 MiB strings).
    #[inline]
    pub fn charge_bytes(&mut self, len: usize) -> RtResult<()> {
        if len < BYTES_PER_STEP {
            return Ok(());
        }
        self.charge(len / BYTES_PER_STEP)
    }

    /// Charges for comparing two values (string comparisons are O(length)).
    #[inline]
    pub fn charge_compare(&mut self, a: &Val<'_>, b: &Val<'_>) -> RtResult<()> {
        match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => self.charge_bytes(x.len().min(y.len())),
            (Some(x), None) | (None, Some(x)) => self.charge_bytes(x.len()),
            _ => Ok(()),
        }
    }

    /// `check_str_len` for a length computed in floating point (e.g. `repeat(1e12)`).
    pub fn check_str_len_f64(&mut self, len: f64) -> RtResult<()> {
        if len > self.max_string_len as f64 {
            return Err(budget_error(format!(
                "String of {} bytes exceeds the limit of {} bytes",
                super::convert::number_to_string(len),
                self.max_string_len
            )));
        }
        Ok(())
    }

    pub fn check_arr_len(&mut self, len: usize) -> RtResult<()> {
        if len > self.max_array_len {
            return Err(budget_error(format!(
                "Array of {len} elements exceeds the limit of {} elements",
                self.max_array_len
            )));
        }
        self.check_memory(len.saturating_mul(VALUE_BYTES))
    }

    fn check_depth(&self, depth: u32) -> RtResult<()> {
        if depth > self.max_value_depth {
            return Err(budget_error(format!(
                "Value nesting exceeds the limit of {} levels",
                self.max_value_depth
            )));
        }
        Ok(())
    }

    pub fn make_str<'a>(&mut self, s: String) -> RtResult<Val<'a>> {
        self.check_str_len(s.len())?;
        self.allocate(HEADER_BYTES + s.len())?;
        Ok(Val::OStr(Rc::new(s)))
    }

    pub fn make_arr<'a>(&mut self, items: Vec<Val<'a>>) -> RtResult<Val<'a>> {
        self.check_arr_len(items.len())?;
        self.allocate(HEADER_BYTES + items.len() * VALUE_BYTES)?;
        let depth = 1 + items.iter().map(Val::depth).max().unwrap_or(0);
        self.check_depth(depth)?;
        Ok(Val::Arr(Rc::new(ArrObj { items, depth })))
    }

    /// A scalar computed from an input value (a date's time, a length) as a run-time value.
    pub fn owned_value<'a>(&mut self, value: crate::value::Value) -> RtResult<Val<'a>> {
        use crate::value::Value;
        Ok(match value {
            Value::Null => Val::Null,
            Value::Undefined => Val::Undefined,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Num(n.get()),
            Value::String(s) => self.make_str(crate::value::into_string(s))?,
            _ => return Err(super::error::internal_error("a derived value must be a scalar")),
        })
    }

    pub fn make_obj<'a>(&mut self, props: PropMap<'a>) -> RtResult<Val<'a>> {
        self.allocate(HEADER_BYTES + props.len() * 2 * VALUE_BYTES)?;
        let depth = 1 + props.iter().map(|(_, v)| v.depth()).max().unwrap_or(0);
        self.check_depth(depth)?;
        Ok(Val::Obj(Rc::new(ObjObj { props, depth })))
    }
}

/// Looks a key up in an input object; tiny objects are scanned, which is faster than
/// hashing the key.
#[inline]
pub(super) fn lookup_json<'a>(o: &'a crate::value::Map, key: &str) -> Option<&'a Value> {
    if o.len() <= 8 {
        o.iter().find(|(k, _)| short_eq(k, key)).map(|(_, v)| v)
    } else {
        o.get(key)
    }
}

/// String equality for short keys without calling `memcmp`: field names are short, and a
/// libc call per comparison (on some CPUs a vector-unit wake-up too) costs more than the
/// comparison itself.
#[inline(always)]
pub(super) fn short_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 32 {
        return a == b;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}
