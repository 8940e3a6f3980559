//! Global functions: `Number`, `String`, `Boolean`, `parseInt`, `parseFloat`, `isNaN`,
//! `isFinite`.

use super::super::convert::{parse_float, parse_int, to_int32};
use super::super::error::RtResult;
use super::super::interpreter::{truthy, Interp};
use super::super::value::Val;
use super::{arg, Native};

pub(super) fn call<'a>(it: &mut Interp, f: Native, args: Vec<Val<'a>>) -> RtResult<Val<'a>> {
    let a = arg(&args, 0);
    Ok(match f {
        Native::Number if args.is_empty() => Val::Num(0.0),
        Native::Number => Val::Num(it.coerce_number(&a)?),
        Native::String if args.is_empty() => it.make_str(String::new())?,
        Native::String => it.coerce_string(&a)?,
        Native::Boolean => Val::Bool(truthy(&a)),
        Native::ParseInt => {
            let s = it.coerce_str(&a)?.into_owned();
            it.charge_bytes(s.len())?;
            let radix = match args.get(1) {
                None | Some(Val::Undefined) => 0,
                Some(r) => to_int32(it.coerce_number(r)?),
            };
            Val::Num(parse_int(&s, radix))
        }
        Native::ParseFloat => {
            let s = it.coerce_str(&a)?.into_owned();
            it.charge_bytes(s.len())?;
            Val::Num(parse_float(&s))
        }
        Native::IsNaN => Val::Bool(it.coerce_number(&a)?.is_nan()),
        Native::IsFinite => Val::Bool(it.coerce_number(&a)?.is_finite()),
        _ => Val::Undefined,
    })
}
