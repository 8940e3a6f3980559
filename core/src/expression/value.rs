//! Run-time values.
//!
//! `Val<'a>` borrows from the caller's input (`&'a Value`) and from the compiled program
//! wherever it can, so reading `item.price` or mapping `item => item` never deep-clones
//! the input. Owned data is reference-counted and immutable (the language has no
//! mutation), which makes copies O(1). Only the final result is turned back into an owned
//! `crate::value::Value`.

use std::rc::Rc;

use crate::value::{Ext, Map, Number, Value};

use super::builtins::Native;
use super::ir::Function;
use super::propmap::PropMap;

/// A JavaScript value during evaluation. Two words wide, so it moves cheaply.
#[derive(Debug)]
pub(super) enum Val<'a> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    /// A string borrowed from the input or the program.
    Str(&'a crate::value::Str),
    /// A string created during evaluation.
    OStr(Rc<String>),
    /// An array borrowed from the input.
    JArr(&'a Vec<Value>),
    /// An object borrowed from the input.
    JObj(&'a Map),
    Arr(Rc<ArrObj<'a>>),
    Obj(Rc<ObjObj<'a>>),
    Func(Rc<Closure<'a>>),
    Native(Native),
    /// A value from the input that JSON has no form for (a date, binary data, a BigInt, a
    /// `Map`...): passed through unchanged, read where the language can (a date's time, binary
    /// data's length), opaque otherwise.
    Ext(&'a Ext),
}

impl Clone for Val<'_> {
    /// Written out so it inlines: cloning is a copy or a reference-count bump.
    #[inline(always)]
    fn clone(&self) -> Self {
        match self {
            Val::Undefined => Val::Undefined,
            Val::Null => Val::Null,
            Val::Bool(b) => Val::Bool(*b),
            Val::Num(n) => Val::Num(*n),
            Val::Str(s) => Val::Str(s),
            Val::OStr(s) => Val::OStr(Rc::clone(s)),
            Val::JArr(a) => Val::JArr(a),
            Val::JObj(o) => Val::JObj(o),
            Val::Arr(a) => Val::Arr(Rc::clone(a)),
            Val::Obj(o) => Val::Obj(Rc::clone(o)),
            Val::Func(f) => Val::Func(Rc::clone(f)),
            Val::Native(n) => Val::Native(*n),
            Val::Ext(e) => Val::Ext(e),
        }
    }
}

/// An array created during evaluation. `depth` is its nesting height (1 for a flat array),
/// kept so nesting can be capped in O(1) per creation.
#[derive(Debug)]
pub(super) struct ArrObj<'a> {
    pub items: Vec<Val<'a>>,
    pub depth: u32,
}

/// An object created during evaluation.
#[derive(Debug)]
pub(super) struct ObjObj<'a> {
    pub props: PropMap<'a>,
    pub depth: u32,
}

/// An arrow function value: the compiled function plus the captured variables' values
/// (captured by value: bindings are immutable, so this matches JavaScript's semantics).
#[derive(Debug)]
pub(super) struct Closure<'a> {
    pub func: &'a Function,
    pub captures: Vec<Val<'a>>,
    pub depth: u32,
}

/// What an array hole (`[1, , 3]`) is while it sits in an array created during evaluation.
/// Reading the slot gives `undefined` ([`Val::read`]); iteration skips it where V8 does.
static HOLE: Ext = Ext::Hole;

impl<'a> Val<'a> {
    /// An array hole, as an element of a created array.
    #[inline]
    pub fn hole() -> Val<'a> {
        Val::Ext(&HOLE)
    }

    /// Whether this element is a hole.
    #[inline]
    pub fn is_hole(&self) -> bool {
        matches!(self, Val::Ext(Ext::Hole))
    }

    /// The element as a read gives it: a hole reads as `undefined`.
    #[inline]
    pub fn read(self) -> Val<'a> {
        if self.is_hole() {
            Val::Undefined
        } else {
            self
        }
    }

    /// An input array's element as it sits in an array: holes stay holes (for copies that
    /// keep them: `slice`, `concat`, `reverse`).
    #[inline]
    pub fn element(v: &'a Value) -> Val<'a> {
        match v {
            Value::Ext(ext) if matches!(**ext, Ext::Hole) => Val::hole(),
            v => Val::from_json(v),
        }
    }

    /// Borrows a JSON value; scalars are unpacked so arithmetic never touches `Value`.
    #[inline]
    pub fn from_json(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::Str(s),
            Value::Array(a) => Val::JArr(a),
            Value::Object(o) => Val::JObj(o),
            Value::Undefined => Val::Undefined,
            Value::Ext(ext) => match &**ext {
                // Reading a hole gives `undefined`.
                Ext::Hole => Val::Undefined,
                ext => Val::Ext(ext),
            },
        }
    }

    #[inline]
    pub fn is_nullish(&self) -> bool {
        matches!(self, Val::Undefined | Val::Null)
    }

    /// The string contents, if this is a string.
    #[inline]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s.as_str()),
            Val::OStr(s) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn is_callable(&self) -> bool {
        matches!(self, Val::Func(_) | Val::Native(_))
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Val::JArr(_) | Val::Arr(_))
    }

    /// Nesting height used for the value-depth cap. Borrowed input counts as 1: its real
    /// depth is the caller's business and is checked where it is walked.
    #[inline]
    pub fn depth(&self) -> u32 {
        match self {
            Val::Arr(a) => a.depth,
            Val::Obj(o) => o.depth,
            Val::Func(f) => f.depth,
            Val::JArr(_) | Val::JObj(_) => 1,
            _ => 0,
        }
    }

    /// A short description for error messages.
    pub fn describe(&self) -> String {
        match self {
            Val::Undefined => "undefined".into(),
            Val::Null => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => super::convert::number_to_string(*n),
            Val::Str(_) | Val::OStr(_) => "a string".into(),
            Val::JArr(_) | Val::Arr(_) => "an array".into(),
            Val::JObj(_) | Val::Obj(_) => "an object".into(),
            Val::Func(_) | Val::Native(_) => "a function".into(),
            Val::Ext(ext) => super::ext::describe(ext).into(),
        }
    }
}

/// A number result as a value: exactly the double computed (`-0`, `NaN` and the infinities
/// included, as JavaScript would hand them on).
#[inline]
pub(super) fn number_to_json(n: f64) -> Value {
    Value::Number(Number::new(n))
}
