//! The whitelist: global functions, namespace members (`Math.*`, `JSON.*`, ...) and methods
//! on strings, arrays and numbers. Names are resolved to ids at compile time; anything not
//! listed here simply does not exist inside an expression.

mod array;
mod cbrt;
pub(super) use array::View;
mod global;
mod json;
mod json_parse;
mod math;
mod number;
mod object;
mod sort;
mod string;

use super::error::{type_error, RtResult};
use super::interpreter::Interp;
use super::value::Val;

/// A global function (usable both called and as a value, e.g. `arr.map(Number)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Native {
    Number,
    String,
    Boolean,
    ParseInt,
    ParseFloat,
    IsNaN,
    IsFinite,
    MathAbs,
    MathFloor,
    MathCeil,
    MathRound,
    MathTrunc,
    MathMin,
    MathMax,
    MathPow,
    MathSqrt,
    MathCbrt,
    MathSign,
    MathLog,
    MathLog2,
    MathLog10,
    MathExp,
    MathHypot,
    JsonStringify,
    JsonParse,
    ObjectKeys,
    ObjectValues,
    ObjectEntries,
    ObjectFromEntries,
    ObjectAssign,
    ArrayIsArray,
    ArrayOf,
    NumberIsInteger,
    NumberIsSafeInteger,
    NumberIsFinite,
    NumberIsNaN,
}

impl Native {
    /// The name JavaScript would print for the function.
    pub fn name(self) -> &'static str {
        use Native::*;
        match self {
            Number => "Number",
            String => "String",
            Boolean => "Boolean",
            ParseInt => "parseInt",
            ParseFloat => "parseFloat",
            IsNaN => "isNaN",
            IsFinite => "isFinite",
            MathAbs => "abs",
            MathFloor => "floor",
            MathCeil => "ceil",
            MathRound => "round",
            MathTrunc => "trunc",
            MathMin => "min",
            MathMax => "max",
            MathPow => "pow",
            MathSqrt => "sqrt",
            MathCbrt => "cbrt",
            MathSign => "sign",
            MathLog => "log",
            MathLog2 => "log2",
            MathLog10 => "log10",
            MathExp => "exp",
            MathHypot => "hypot",
            JsonStringify => "stringify",
            JsonParse => "parse",
            ObjectKeys => "keys",
            ObjectValues => "values",
            ObjectEntries => "entries",
            ObjectFromEntries => "fromEntries",
            ObjectAssign => "assign",
            ArrayIsArray => "isArray",
            ArrayOf => "of",
            NumberIsInteger => "isInteger",
            NumberIsSafeInteger => "isSafeInteger",
            NumberIsFinite => "isFinite",
            NumberIsNaN => "isNaN",
        }
    }
}

/// Methods callable on strings, arrays or numbers (which receivers accept which is decided
/// at run time by the receiver's type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Method {
    // Arrays (some shared with strings).
    Map,
    Filter,
    Reduce,
    ReduceRight,
    Find,
    FindIndex,
    FindLast,
    FindLastIndex,
    Some,
    Every,
    ForEach,
    Includes,
    IndexOf,
    LastIndexOf,
    Join,
    Slice,
    Concat,
    Flat,
    FlatMap,
    Reverse,
    ToReversed,
    Sort,
    ToSorted,
    At,
    // Strings.
    ToUpperCase,
    ToLowerCase,
    Trim,
    TrimStart,
    TrimEnd,
    StartsWith,
    EndsWith,
    Substring,
    Split,
    Replace,
    ReplaceAll,
    PadStart,
    PadEnd,
    Repeat,
    CharAt,
    CharCodeAt,
    CodePointAt,
    LocaleCompare,
    // Numbers and everything.
    ToFixed,
    ToString,
    // Dates (and `valueOf` of boxed primitives) from the input.
    GetTime,
    ValueOf,
    ToIsoString,
    ToJson,
}

impl Method {
    pub fn from_name(name: &str) -> Option<Method> {
        use Method::*;
        Option::Some(match name {
            "map" => Map,
            "filter" => Filter,
            "reduce" => Reduce,
            "reduceRight" => ReduceRight,
            "find" => Find,
            "findIndex" => FindIndex,
            "findLast" => FindLast,
            "findLastIndex" => FindLastIndex,
            "some" => Some,
            "every" => Every,
            "forEach" => ForEach,
            "includes" => Includes,
            "indexOf" => IndexOf,
            "lastIndexOf" => LastIndexOf,
            "join" => Join,
            "slice" => Slice,
            "concat" => Concat,
            "flat" => Flat,
            "flatMap" => FlatMap,
            "reverse" => Reverse,
            "toReversed" => ToReversed,
            "sort" => Sort,
            "toSorted" => ToSorted,
            "at" => At,
            "toUpperCase" => ToUpperCase,
            "toLowerCase" => ToLowerCase,
            "toLocaleUpperCase" => ToUpperCase,
            "toLocaleLowerCase" => ToLowerCase,
            "trim" => Trim,
            "trimStart" | "trimLeft" => TrimStart,
            "trimEnd" | "trimRight" => TrimEnd,
            "startsWith" => StartsWith,
            "endsWith" => EndsWith,
            "substring" => Substring,
            "split" => Split,
            "replace" => Replace,
            "replaceAll" => ReplaceAll,
            "padStart" => PadStart,
            "padEnd" => PadEnd,
            "repeat" => Repeat,
            "charAt" => CharAt,
            "charCodeAt" => CharCodeAt,
            "codePointAt" => CodePointAt,
            "localeCompare" => LocaleCompare,
            "toFixed" => ToFixed,
            "toString" => ToString,
            "getTime" => GetTime,
            "valueOf" => ValueOf,
            "toISOString" => ToIsoString,
            "toJSON" => ToJson,
            _ => return None,
        })
    }
}

/// What `Ns.member` resolves to at compile time.
pub(super) enum NsMember {
    Native(Native),
    Const(f64),
}

/// Namespaces that may only be used as `Ns.member`.
pub(super) fn is_namespace(name: &str) -> bool {
    matches!(name, "Math" | "JSON" | "Object" | "Array" | "Number")
}

/// Global identifiers that are functions.
pub(super) fn global_function(name: &str) -> Option<Native> {
    Some(match name {
        "Number" => Native::Number,
        "String" => Native::String,
        "Boolean" => Native::Boolean,
        "parseInt" => Native::ParseInt,
        "parseFloat" => Native::ParseFloat,
        "isNaN" => Native::IsNaN,
        "isFinite" => Native::IsFinite,
        _ => return None,
    })
}

/// Global identifiers that are constants.
pub(super) fn global_constant(name: &str) -> Option<f64> {
    match name {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        _ => None,
    }
}

/// Resolves `ns.name` for a namespace; `Err` carries a reason for refused members.
pub(super) fn namespace_member(ns: &str, name: &str) -> Result<NsMember, String> {
    use std::f64::consts;
    use NsMember::{Const, Native as N};
    let member = match (ns, name) {
        ("Math", "random") => {
            return Err("'Math.random' is not available: expressions must be deterministic".into())
        }
        ("Math", "PI") => Const(consts::PI),
        ("Math", "E") => Const(consts::E),
        ("Math", "LN2") => Const(consts::LN_2),
        ("Math", "LN10") => Const(consts::LN_10),
        ("Math", "LOG2E") => Const(consts::LOG2_E),
        ("Math", "LOG10E") => Const(consts::LOG10_E),
        ("Math", "SQRT2") => Const(consts::SQRT_2),
        ("Math", "SQRT1_2") => Const(consts::FRAC_1_SQRT_2),
        ("Math", "abs") => N(Native::MathAbs),
        ("Math", "floor") => N(Native::MathFloor),
        ("Math", "ceil") => N(Native::MathCeil),
        ("Math", "round") => N(Native::MathRound),
        ("Math", "trunc") => N(Native::MathTrunc),
        ("Math", "min") => N(Native::MathMin),
        ("Math", "max") => N(Native::MathMax),
        ("Math", "pow") => N(Native::MathPow),
        ("Math", "sqrt") => N(Native::MathSqrt),
        ("Math", "cbrt") => N(Native::MathCbrt),
        ("Math", "sign") => N(Native::MathSign),
        ("Math", "log") => N(Native::MathLog),
        ("Math", "log2") => N(Native::MathLog2),
        ("Math", "log10") => N(Native::MathLog10),
        ("Math", "exp") => N(Native::MathExp),
        ("Math", "hypot") => N(Native::MathHypot),
        ("JSON", "stringify") => N(Native::JsonStringify),
        ("JSON", "parse") => N(Native::JsonParse),
        ("Object", "keys") => N(Native::ObjectKeys),
        ("Object", "values") => N(Native::ObjectValues),
        ("Object", "entries") => N(Native::ObjectEntries),
        ("Object", "fromEntries") => N(Native::ObjectFromEntries),
        ("Object", "assign") => N(Native::ObjectAssign),
        ("Array", "isArray") => N(Native::ArrayIsArray),
        ("Array", "of") => N(Native::ArrayOf),
        ("Number", "isInteger") => N(Native::NumberIsInteger),
        ("Number", "isSafeInteger") => N(Native::NumberIsSafeInteger),
        ("Number", "isFinite") => N(Native::NumberIsFinite),
        ("Number", "isNaN") => N(Native::NumberIsNaN),
        ("Number", "parseFloat") => N(Native::ParseFloat),
        ("Number", "parseInt") => N(Native::ParseInt),
        ("Number", "MAX_SAFE_INTEGER") => Const(super::convert::MAX_SAFE_INTEGER),
        ("Number", "MIN_SAFE_INTEGER") => Const(-super::convert::MAX_SAFE_INTEGER),
        ("Number", "EPSILON") => Const(f64::EPSILON),
        ("Number", "MAX_VALUE") => Const(f64::MAX),
        ("Number", "MIN_VALUE") => Const(5e-324),
        ("Number", "POSITIVE_INFINITY") => Const(f64::INFINITY),
        ("Number", "NEGATIVE_INFINITY") => Const(f64::NEG_INFINITY),
        ("Number", "NaN") => Const(f64::NAN),
        _ => return Err(format!("'{ns}.{name}' is not available")),
    };
    Ok(member)
}

/// Calls a global function.
pub(super) fn call_native<'a>(
    it: &mut Interp,
    f: Native,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Val<'a>> {
    use Native::*;
    match f {
        Number | String | Boolean | ParseInt | ParseFloat | IsNaN | IsFinite => {
            global::call(it, f, args)
        }
        MathAbs | MathFloor | MathCeil | MathRound | MathTrunc | MathMin | MathMax | MathPow
        | MathSqrt | MathCbrt | MathSign | MathLog | MathLog2 | MathLog10 | MathExp | MathHypot => {
            math::call(it, f, args)
        }
        JsonStringify => json::stringify(it, args),
        JsonParse => json::parse(it, args, pos),
        ObjectKeys | ObjectValues | ObjectEntries | ObjectFromEntries | ObjectAssign => {
            object::call(it, f, args, pos)
        }
        ArrayIsArray => Ok(Val::Bool(args.first().is_some_and(Val::is_array))),
        ArrayOf => it.make_arr(args),
        NumberIsInteger | NumberIsSafeInteger | NumberIsFinite | NumberIsNaN => {
            number::call_static(f, args)
        }
    }
}

/// Calls a builtin method on a non-object receiver. `Ok(None)` means the receiver has no
/// such method (the caller turns that into "x.f is not a function" or a short-circuit).
pub(super) fn call_method<'a>(
    it: &mut Interp,
    recv: Val<'a>,
    method: Option<Method>,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Option<Val<'a>>> {
    let Some(m) = method else { return Ok(None) };
    match recv {
        Val::Str(_) | Val::OStr(_) => string::call(it, recv, m, args, pos),
        Val::JArr(_) | Val::Arr(_) => array::call(it, recv, m, args, pos),
        Val::Num(n) => number::call_method(it, n, m, args, pos),
        Val::Bool(b) if m == Method::ToString => Ok(Some(it.make_str(b.to_string())?)),
        Val::Func(_) | Val::Native(_) if m == Method::ToString => {
            Ok(Some(it.coerce_string(&recv)?))
        }
        Val::Ext(_) if m == Method::ToString => Ok(Some(it.coerce_string(&recv)?)),
        Val::Ext(ext) => {
            let name = match m {
                Method::GetTime => "getTime",
                Method::ValueOf => "valueOf",
                Method::ToIsoString => "toISOString",
                Method::ToJson => "toJSON",
                _ => return Ok(None),
            };
            match super::ext::method(ext, name) {
                Some(result) => it.owned_value(result.map_err(|e| with_pos(e, pos))?).map(Some),
                None => Ok(None),
            }
        }
        _ => Ok(None),
    }
}

/// `error` pinned to `pos` when it has no position of its own.
fn with_pos(
    mut error: Box<super::error::ExpressionError>,
    pos: usize,
) -> Box<super::error::ExpressionError> {
    error.position.get_or_insert(pos);
    error
}

/// The first argument, or `undefined`.
pub(super) fn arg<'a>(args: &[Val<'a>], i: usize) -> Val<'a> {
    args.get(i).cloned().unwrap_or(Val::Undefined)
}

/// Error for a callback argument that is not callable.
pub(super) fn not_a_function(v: &Val<'_>, pos: usize) -> Box<super::error::ExpressionError> {
    type_error(format!("{} is not a function", v.describe()), Some(pos))
}
