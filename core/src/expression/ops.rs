//! JavaScript operators and the coercions they rely on (`ToNumber`, `ToString`,
//! `ToPrimitive`, equality, relational comparison).

use std::borrow::Cow;
use std::rc::Rc;

use super::ast::{BinaryOp, UnaryOp};
use super::convert::{array_index, number_to_string, string_to_number, to_int32, to_uint32};
use super::error::{budget_error, type_error, RtResult};
use super::interpreter::{lookup_json, truthy, Interp};
use super::utf16;
use super::value::Val;

/// `Math.pow` / `**`, including the cases where IEEE `pow` and JavaScript disagree. fdlibm's
/// `pow`, as V8's: the platform's is correctly rounded where V8's is not (`1000 ** 32` is
/// `9.999999999999999e+95` in JavaScript).
pub(super) fn js_pow(x: f64, y: f64) -> f64 {
    if y.is_nan() || ((x == 1.0 || x == -1.0) && y.is_infinite()) {
        return f64::NAN;
    }
    libm::pow(x, y)
}

/// `typeof v`.
pub(super) fn type_of(v: &Val<'_>) -> &'static str {
    match v {
        Val::Undefined => "undefined",
        Val::Null => "object",
        Val::Bool(_) => "boolean",
        Val::Num(_) => "number",
        Val::Str(_) | Val::OStr(_) => "string",
        Val::JArr(_) | Val::Arr(_) | Val::JObj(_) | Val::Obj(_) => "object",
        Val::Func(_) | Val::Native(_) => "function",
        Val::Ext(ext) => super::ext::type_of(ext),
    }
}

/// `===` (objects compare by identity).
pub(super) fn strict_eq(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Undefined, Val::Undefined) | (Val::Null, Val::Null) => true,
        (Val::Bool(x), Val::Bool(y)) => x == y,
        (Val::Num(x), Val::Num(y)) => x == y,
        (Val::JArr(x), Val::JArr(y)) => std::ptr::eq(*x, *y),
        (Val::JObj(x), Val::JObj(y)) => std::ptr::eq(*x, *y),
        (Val::Arr(x), Val::Arr(y)) => Rc::ptr_eq(x, y),
        (Val::Obj(x), Val::Obj(y)) => Rc::ptr_eq(x, y),
        (Val::Func(x), Val::Func(y)) => Rc::ptr_eq(x, y),
        (Val::Native(x), Val::Native(y)) => x == y,
        (Val::Ext(x), Val::Ext(y)) => super::ext::strict_eq(x, y),
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        },
    }
}

/// SameValueZero (`includes`): like `===` but NaN equals NaN.
pub(super) fn same_value_zero(a: &Val<'_>, b: &Val<'_>) -> bool {
    match (a, b) {
        (Val::Num(x), Val::Num(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => strict_eq(a, b),
    }
}

fn is_object(v: &Val<'_>) -> bool {
    match v {
        Val::JArr(_) | Val::Arr(_) | Val::JObj(_) | Val::Obj(_) | Val::Func(_) | Val::Native(_) => {
            true
        }
        Val::Ext(ext) => super::ext::is_object(ext),
        _ => false,
    }
}

impl Interp<'_> {
    /// `ToNumber`.
    #[inline]
    pub fn coerce_number(&mut self, v: &Val<'_>) -> RtResult<f64> {
        Ok(match v {
            Val::Num(n) => *n,
            Val::Undefined => f64::NAN,
            Val::Null => 0.0,
            Val::Bool(b) => f64::from(u8::from(*b)),
            Val::Str(_) | Val::OStr(_) => {
                let s = v.as_str().unwrap_or("");
                self.charge_bytes(s.len())?;
                string_to_number(s)
            }
            Val::Func(_) | Val::Native(_) | Val::JObj(_) | Val::Obj(_) => f64::NAN,
            Val::JArr(_) | Val::Arr(_) => {
                let s = self.coerce_str(v)?;
                string_to_number(&s)
            }
            Val::Ext(ext) => super::ext::to_number(ext)?,
        })
    }

    /// `ToString`, borrowing when the value already is a string.
    pub fn coerce_str<'v>(&mut self, v: &'v Val<'_>) -> RtResult<Cow<'v, str>> {
        self.coerce_str_at(v, 0)
    }

    fn coerce_str_at<'v>(&mut self, v: &'v Val<'_>, depth: u32) -> RtResult<Cow<'v, str>> {
        Ok(match v {
            Val::Str(s) => Cow::Borrowed(s.as_str()),
            Val::OStr(s) => Cow::Borrowed(s.as_str()),
            Val::Undefined => Cow::Borrowed("undefined"),
            Val::Null => Cow::Borrowed("null"),
            Val::Bool(true) => Cow::Borrowed("true"),
            Val::Bool(false) => Cow::Borrowed("false"),
            Val::Num(n) => Cow::Owned(number_to_string(*n)),
            Val::JArr(_) | Val::Arr(_) => Cow::Owned(self.join_at(v, ",", depth)?),
            Val::JObj(_) | Val::Obj(_) => Cow::Borrowed("[object Object]"),
            Val::Func(c) => Cow::Borrowed(c.func.source.as_str()),
            Val::Native(n) => Cow::Owned(format!("function {}() {{ [native code] }}", n.name())),
            Val::Ext(ext) => {
                let s = super::ext::to_string(ext)?;
                self.charge_bytes(s.len())?;
                Cow::Owned(s)
            }
        })
    }

    /// `ToString` as a value.
    pub fn coerce_string<'a>(&mut self, v: &Val<'a>) -> RtResult<Val<'a>> {
        match v {
            Val::Str(_) | Val::OStr(_) => Ok(v.clone()),
            _ => {
                let s = self.coerce_str(v)?.into_owned();
                self.make_str(s)
            }
        }
    }

    /// `Array.prototype.join`; nested arrays join recursively, as in JavaScript.
    pub fn join(&mut self, v: &Val<'_>, sep: &str) -> RtResult<String> {
        self.join_at(v, sep, 0)
    }

    fn join_at(&mut self, v: &Val<'_>, sep: &str, depth: u32) -> RtResult<String> {
        if depth > self.max_value_depth {
            return Err(budget_error(format!(
                "Value nesting exceeds the limit of {} levels",
                self.max_value_depth
            )));
        }
        let mut out = String::new();
        let mut piece = |it: &mut Interp, i: usize, elem: &Val<'_>| -> RtResult<()> {
            it.tick()?;
            if i > 0 {
                out.push_str(sep);
            }
            if !elem.is_nullish() && !elem.is_hole() {
                let s = it.coerce_str_at(elem, depth + 1)?;
                it.check_str_len(out.len().saturating_add(s.len()))?;
                out.push_str(&s);
            }
            Ok(())
        };
        match v {
            Val::JArr(a) => {
                for (i, x) in a.iter().enumerate() {
                    piece(self, i, &Val::from_json(x))?;
                }
            }
            Val::Arr(a) => {
                for (i, x) in a.items.iter().enumerate() {
                    piece(self, i, x)?;
                }
            }
            _ => {}
        }
        Ok(out)
    }

    /// `ToPrimitive`: objects become their string form; primitives are unchanged.
    fn coerce_primitive<'a>(&mut self, v: Val<'a>) -> RtResult<Val<'a>> {
        if is_object(&v) {
            let s = self.coerce_str(&v)?.into_owned();
            self.make_str(s)
        } else {
            Ok(v)
        }
    }

    pub fn unary<'a>(&mut self, op: UnaryOp, v: Val<'a>) -> RtResult<Val<'a>> {
        Ok(match op {
            UnaryOp::Neg => Val::Num(-self.coerce_number(&v)?),
            UnaryOp::Plus => Val::Num(self.coerce_number(&v)?),
            UnaryOp::Not => Val::Bool(!truthy(&v)),
            UnaryOp::BitNot => Val::Num(f64::from(!to_int32(self.coerce_number(&v)?))),
            UnaryOp::TypeOf => self.make_str(type_of(&v).to_string())?,
        })
    }

    pub fn binary<'a>(&mut self, op: BinaryOp, a: Val<'a>, b: Val<'a>) -> RtResult<Val<'a>> {
        use BinaryOp::*;
        if let (Val::Num(x), Val::Num(y)) = (&a, &b) {
            if let Some(v) = numeric(op, *x, *y) {
                return Ok(v);
            }
        }
        if !matches!(op, Add) {
            self.charge_compare(&a, &b)?;
        }
        Ok(match op {
            Add => return self.add(a, b),
            StrictEq => Val::Bool(strict_eq(&a, &b)),
            StrictNe => Val::Bool(!strict_eq(&a, &b)),
            LooseEq => Val::Bool(self.loose_eq(&a, &b)?),
            LooseNe => Val::Bool(!self.loose_eq(&a, &b)?),
            Lt | Le | Gt | Ge => Val::Bool(self.relational(op, a, b)?),
            In => Val::Bool(self.has_property(&b, &a)?),
            _ => {
                let x = self.coerce_number(&a)?;
                let y = self.coerce_number(&b)?;
                numeric(op, x, y).unwrap_or(Val::Undefined)
            }
        })
    }

    fn add<'a>(&mut self, a: Val<'a>, b: Val<'a>) -> RtResult<Val<'a>> {
        let a = self.coerce_primitive(a)?;
        let b = self.coerce_primitive(b)?;
        if a.as_str().is_none() && b.as_str().is_none() {
            let x = self.coerce_number(&a)?;
            let y = self.coerce_number(&b)?;
            return Ok(Val::Num(x + y));
        }
        let x = self.coerce_str(&a)?;
        let y = self.coerce_str(&b)?;
        self.check_str_len(x.len().saturating_add(y.len()))?;
        let mut s = String::with_capacity(x.len() + y.len());
        s.push_str(&x);
        s.push_str(&y);
        self.make_str(s)
    }

    /// `==` with JavaScript's coercions.
    pub fn loose_eq(&mut self, a: &Val<'_>, b: &Val<'_>) -> RtResult<bool> {
        if a.is_nullish() || b.is_nullish() {
            return Ok(a.is_nullish() && b.is_nullish());
        }
        match (a, b) {
            (Val::Bool(x), _) => self.loose_eq(&Val::Num(f64::from(u8::from(*x))), b),
            (_, Val::Bool(y)) => self.loose_eq(a, &Val::Num(f64::from(u8::from(*y)))),
            _ if is_object(a) && is_object(b) => Ok(strict_eq(a, b)),
            _ if is_object(a) => {
                let p = self.coerce_primitive(a.clone())?;
                self.loose_eq(&p, b)
            }
            _ if is_object(b) => {
                let p = self.coerce_primitive(b.clone())?;
                self.loose_eq(a, &p)
            }
            (Val::Num(x), _) if b.as_str().is_some() => {
                Ok(*x == string_to_number(b.as_str().unwrap_or("")))
            }
            (_, Val::Num(y)) if a.as_str().is_some() => {
                Ok(string_to_number(a.as_str().unwrap_or("")) == *y)
            }
            _ => Ok(strict_eq(a, b)),
        }
    }

    /// `<`, `<=`, `>`, `>=`: strings compare by UTF-16 code units, everything else as
    /// numbers (NaN makes every comparison false).
    fn relational<'a>(&mut self, op: BinaryOp, a: Val<'a>, b: Val<'a>) -> RtResult<bool> {
        let a = self.coerce_primitive(a)?;
        let b = self.coerce_primitive(b)?;
        if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
            let ord = utf16::cmp(x, y);
            return Ok(match op {
                BinaryOp::Lt => ord.is_lt(),
                BinaryOp::Le => ord.is_le(),
                BinaryOp::Gt => ord.is_gt(),
                _ => ord.is_ge(),
            });
        }
        let x = self.coerce_number(&a)?;
        let y = self.coerce_number(&b)?;
        Ok(match op {
            BinaryOp::Lt => x < y,
            BinaryOp::Le => x <= y,
            BinaryOp::Gt => x > y,
            _ => x >= y,
        })
    }

    /// `key in obj`.
    pub(super) fn has_property(&mut self, obj: &Val<'_>, key: &Val<'_>) -> RtResult<bool> {
        let k = self.coerce_str(key)?;
        self.charge_bytes(k.len())?;
        Ok(match obj {
            Val::JObj(o) => lookup_json(o, &k).is_some(),
            Val::Obj(o) => o.props.contains_key(&k),
            // A hole is not a property.
            Val::JArr(a) => {
                k == "length"
                    || array_index(&k)
                        .and_then(|i| a.get(i))
                        .is_some_and(|x| !Val::element(x).is_hole())
            }
            Val::Arr(a) => {
                k == "length"
                    || array_index(&k).and_then(|i| a.items.get(i)).is_some_and(|x| !x.is_hole())
            }
            Val::Func(_) | Val::Native(_) => false,
            other => {
                return Err(type_error(
                    format!("Cannot use 'in' operator to search for '{k}' in {}", other.describe()),
                    None,
                ))
            }
        })
    }
}

/// Operators on two numbers; `None` for operators that are not purely numeric.
#[inline(always)]
pub(super) fn numeric<'a>(op: BinaryOp, x: f64, y: f64) -> Option<Val<'a>> {
    use BinaryOp::*;
    Some(match op {
        Add => Val::Num(x + y),
        Sub => Val::Num(x - y),
        Mul => Val::Num(x * y),
        Div => Val::Num(x / y),
        Rem => Val::Num(x % y),
        Pow => Val::Num(js_pow(x, y)),
        StrictEq | LooseEq => Val::Bool(x == y),
        StrictNe | LooseNe => Val::Bool(x != y),
        Lt => Val::Bool(x < y),
        Le => Val::Bool(x <= y),
        Gt => Val::Bool(x > y),
        Ge => Val::Bool(x >= y),
        BitAnd => Val::Num(f64::from(to_int32(x) & to_int32(y))),
        BitOr => Val::Num(f64::from(to_int32(x) | to_int32(y))),
        BitXor => Val::Num(f64::from(to_int32(x) ^ to_int32(y))),
        Shl => Val::Num(f64::from(to_int32(x).wrapping_shl(to_uint32(y) & 31))),
        Shr => Val::Num(f64::from(to_int32(x).wrapping_shr(to_uint32(y) & 31))),
        UShr => Val::Num(f64::from(to_uint32(x).wrapping_shr(to_uint32(y) & 31))),
        In => return None,
    })
}
