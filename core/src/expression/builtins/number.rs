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
                return Err(type_error("toString() radix must be between 2 and 36", Some(pos)));
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

/// `Number.prototype.toString(radix)`, as V8 writes it (`DoubleToRadixCString`): fraction
/// digits until the value is pinned down to within half the gap to the next double (rounding
/// the last one to even), integer digits exact below 2^53 and zero-filled above.
fn to_radix_string(x: f64, radix: u32) -> String {
    if radix == 10 || !x.is_finite() || x == 0.0 {
        return number_to_string(x);
    }
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let r = f64::from(radix);
    let value = x.abs();
    let mut integer = value.floor();
    let mut fraction = value - integer;
    // Half the gap to the next double: digits beyond it say nothing about the value.
    let mut delta = (0.5 * (next_up(value) - value)).max(next_up(0.0));
    let mut fraction_digits: Vec<u8> = Vec::new();
    if fraction >= delta {
        loop {
            fraction *= r;
            delta *= r;
            let digit = fraction as usize;
            fraction_digits.push(digit as u8);
            fraction -= digit as f64;
            // Round to even: carry into the written digits when the rest is more than half.
            if (fraction > 0.5 || (fraction == 0.5 && digit & 1 == 1)) && fraction + delta > 1.0 {
                loop {
                    match fraction_digits.pop() {
                        None => {
                            integer += 1.0;
                            break;
                        }
                        Some(d) if u32::from(d) + 1 < radix => {
                            fraction_digits.push(d + 1);
                            break;
                        }
                        Some(_) => {}
                    }
                }
                break;
            }
            if fraction < delta {
                break;
            }
        }
    }
    // Integer digits; what a double cannot represent (below its last bit) is zeros.
    let mut integer_digits: Vec<u8> = Vec::new();
    while integer / r >= 9_007_199_254_740_992.0 {
        integer /= r;
        integer_digits.push(b'0');
    }
    loop {
        let remainder = integer % r;
        integer_digits.push(DIGITS[remainder as usize]);
        integer = (integer - remainder) / r;
        if integer <= 0.0 {
            break;
        }
    }
    let mut out = String::with_capacity(integer_digits.len() + fraction_digits.len() + 2);
    if x < 0.0 {
        out.push('-');
    }
    out.extend(integer_digits.iter().rev().map(|&b| char::from(b)));
    if !fraction_digits.is_empty() {
        out.push('.');
        out.extend(fraction_digits.iter().map(|&d| char::from(DIGITS[usize::from(d)])));
    }
    out
}

/// The next double above a finite, non-negative `x`.
fn next_up(x: f64) -> f64 {
    f64::from_bits(x.to_bits() + 1)
}
