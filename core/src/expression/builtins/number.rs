//! `Number.*` predicates and `Number.prototype` methods (`toFixed`, `toString`).

use super::super::convert::{number_to_string, to_integer, MAX_SAFE_INTEGER};
use super::super::error::{type_error, RtResult};
use super::super::interpreter::Interp;
use super::super::value::Val;
use super::{arg, Method, Native};

/// `Number.isInteger` and friends: no coercion, non-numbers are simply `false`.
pub(super) fn call_static<'a>(f: Native, args: Vec<Val<'a>>) -> RtResult<Val<'a>> {
    let n = match args.first() {
        Some(Val::Num(n)) => *n,
        _ => return Ok(Val::Bool(false)),
    };
    Ok(Val::Bool(match f {
        Native::NumberIsInteger => n.is_finite() && n.trunc() == n,
        Native::NumberIsSafeInteger => {
            n.is_finite() && n.trunc() == n && n.abs() <= MAX_SAFE_INTEGER
        }
        Native::NumberIsFinite => n.is_finite(),
        Native::NumberIsNaN => n.is_nan(),
        _ => false,
    }))
}

pub(super) fn call_method<'a>(
    it: &mut Interp,
    n: f64,
    m: Method,
    args: Vec<Val<'a>>,
    pos: usize,
) -> RtResult<Option<Val<'a>>> {
    let s = match m {
        Method::ToFixed => {
            let d = to_integer(it.coerce_number(&arg(&args, 0))?);
            if !(0.0..=100.0).contains(&d) {
                return Err(type_error(
                    "toFixed() digits argument must be between 0 and 100",
                    Some(pos),
                ));
            }
            to_fixed(n, d as usize)
        }
        Method::ToString => {
            let radix = match args.first() {
                None | Some(Val::Undefined) => 10.0,
                Some(r) => to_integer(it.coerce_number(r)?),
            };
            if !(2.0..=36.0).contains(&radix) {
                return Err(type_error(
                    "toString() radix must be between 2 and 36",
                    Some(pos),
                ));
            }
            to_radix_string(n, radix as u32)
        }
        _ => return Ok(None),
    };
    Ok(Some(it.make_str(s)?))
}

/// `Number.prototype.toFixed`: rounds the exact binary value, ties away from zero.
fn to_fixed(x: f64, digits: usize) -> String {
    if !x.is_finite() || x.abs() >= 1e21 {
        return number_to_string(x);
    }
    // Every double has at most 1074 fractional binary digits, hence at most that many
    // decimal ones: this expansion is exact, so rounding it by hand is exact too.
    let exact = format!("{:.1100}", x.abs());
    let (int, frac) = exact.split_once('.').unwrap_or((exact.as_str(), ""));
    let mut digits_vec: Vec<u8> = int.bytes().chain(frac.bytes().take(digits)).collect();
    let round_up = frac.as_bytes().get(digits).is_some_and(|&d| d >= b'5');
    if round_up {
        let mut i = digits_vec.len();
        loop {
            if i == 0 {
                digits_vec.insert(0, b'1');
                break;
            }
            i -= 1;
            match digits_vec.get_mut(i) {
                Some(d) if *d == b'9' => *d = b'0',
                Some(d) => {
                    *d += 1;
                    break;
                }
                None => break,
            }
        }
    }
    let int_len = digits_vec.len().saturating_sub(digits);
    let mut out = String::with_capacity(digits_vec.len() + 2);
    if x < 0.0 {
        out.push('-');
    }
    for (i, d) in digits_vec.iter().enumerate() {
        if i == int_len && digits > 0 {
            out.push('.');
        }
        out.push(char::from(*d));
    }
    out
}

/// `Number.prototype.toString(radix)`. Fractions are written digit by digit until exact
/// or 52 digits (JavaScript engines stop at the shortest round-trip form instead).
fn to_radix_string(x: f64, radix: u32) -> String {
    if radix == 10 || !x.is_finite() {
        return number_to_string(x);
    }
    let neg = x < 0.0;
    let x = x.abs();
    let mut int = x.trunc();
    let mut frac = x - int;
    let mut int_digits = Vec::new();
    let r = f64::from(radix);
    if int == 0.0 {
        int_digits.push('0');
    }
    while int >= 1.0 {
        let d = (int % r) as u32;
        int_digits.push(char::from_digit(d, radix).unwrap_or('0'));
        int = (int / r).trunc();
    }
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.extend(int_digits.iter().rev());
    if frac > 0.0 {
        out.push('.');
        for _ in 0..52 {
            frac *= r;
            let d = frac.trunc();
            out.push(char::from_digit(d as u32, radix).unwrap_or('0'));
            frac -= d;
            if frac == 0.0 {
                break;
            }
        }
    }
    out
}
