//! Pure JavaScript conversions between numbers and strings (no interpreter state needed).

use super::lexer::{is_js_whitespace, is_line_terminator};

/// 2^53: beyond this, integral f64s are no longer all representable integers.
pub(super) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn is_js_space(c: char) -> bool {
    is_js_whitespace(c) || is_line_terminator(c)
}

/// `String.prototype.trim` semantics.
pub(super) fn trim_js(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

pub(super) fn trim_start_js(s: &str) -> &str {
    s.trim_start_matches(is_js_space)
}

pub(super) fn trim_end_js(s: &str) -> &str {
    s.trim_end_matches(is_js_space)
}

/// `Number.prototype.toString()` (radix 10).
pub(super) fn number_to_string(n: f64) -> String {
    crate::format::js_number(n)
}

/// Length of the longest prefix of `s` that is a decimal literal (`12.5e3`, `.5`, `7.`),
/// without sign. Zero if there is none.
fn decimal_prefix_len(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        frac_digits =
            b.get(i + 1..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count());
        if int_digits + frac_digits > 0 {
            i += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return 0;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(b.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        let exp_digits =
            b.get(j..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count());
        if exp_digits > 0 {
            i = j + exp_digits;
        }
    }
    i
}

fn parse_radix_digits(s: &str, radix: u32) -> Option<f64> {
    if s.is_empty() {
        return None;
    }
    let mut v = 0.0f64;
    for c in s.chars() {
        v = v * f64::from(radix) + f64::from(c.to_digit(radix)?);
    }
    Some(v)
}

/// `ToNumber` applied to a string.
pub(super) fn string_to_number(s: &str) -> f64 {
    // The common case, digits alone (a CSV cell), in builds for data (the browser's default
    // module parses every string the general way).
    if let Some(n) = <super::Paths as super::data_paths::DataPaths>::whole_number(s) {
        return n;
    }
    let t = trim_js(s);
    if t.is_empty() {
        return 0.0;
    }
    let b = t.as_bytes();
    if b.len() > 2 && b.first() == Some(&b'0') {
        let radix = match b.get(1) {
            Some(b'x' | b'X') => Some(16),
            Some(b'o' | b'O') => Some(8),
            Some(b'b' | b'B') => Some(2),
            _ => None,
        };
        if let Some(radix) = radix {
            return t.get(2..).and_then(|d| parse_radix_digits(d, radix)).unwrap_or(f64::NAN);
        }
    }
    let (sign, body) = match b.first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    let len = decimal_prefix_len(body);
    if len == 0 || len != body.len() {
        return f64::NAN;
    }
    body.parse::<f64>().map_or(f64::NAN, |v| sign * v)
}

/// Global `parseFloat`.
pub(super) fn parse_float(s: &str) -> f64 {
    let t = trim_start_js(s);
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    if body.starts_with("Infinity") {
        return sign * f64::INFINITY;
    }
    let len = decimal_prefix_len(body);
    body.get(..len).and_then(|p| p.parse::<f64>().ok()).map_or(f64::NAN, |v| sign * v)
}

/// Global `parseInt(s, radix)`; `radix` is already converted with ToInt32 (0 = absent).
pub(super) fn parse_int(s: &str, radix: i32) -> f64 {
    let t = trim_start_js(s);
    let (sign, mut body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    let mut radix = radix;
    let mut strip_prefix = true;
    if radix != 0 {
        if !(2..=36).contains(&radix) {
            return f64::NAN;
        }
        if radix != 16 {
            strip_prefix = false;
        }
    } else {
        radix = 10;
    }
    if strip_prefix && (body.starts_with("0x") || body.starts_with("0X")) {
        body = body.get(2..).unwrap_or("");
        radix = 16;
    }
    let radix = radix as u32;
    let len = body
        .char_indices()
        .find(|(_, c)| c.to_digit(radix).is_none())
        .map_or(body.len(), |(i, _)| i);
    let digits = body.get(..len).unwrap_or("");
    if digits.is_empty() {
        return f64::NAN;
    }
    let v = if radix == 10 {
        // Decimal parsing rounds correctly even past 2^53.
        digits.parse::<f64>().unwrap_or(f64::NAN)
    } else {
        parse_radix_digits(digits, radix).unwrap_or(f64::NAN)
    };
    sign * v
}

/// ECMAScript `ToInt32`.
pub(super) fn to_int32(n: f64) -> i32 {
    to_uint32(n) as i32
}

/// ECMAScript `ToUint32`.
pub(super) fn to_uint32(n: f64) -> u32 {
    if !n.is_finite() {
        return 0;
    }
    let m = n.trunc() % 4_294_967_296.0;
    let m = if m < 0.0 { m + 4_294_967_296.0 } else { m };
    m as u32
}

/// ECMAScript `ToIntegerOrInfinity` (NaN becomes 0).
pub(super) fn to_integer(n: f64) -> f64 {
    if n.is_nan() {
        0.0
    } else {
        n.trunc() + 0.0
    }
}

/// Resolves a relative index argument (`slice(-2)`) against a length, clamped to [0, len].
pub(super) fn relative_index(n: f64, len: usize) -> usize {
    let n = to_integer(n);
    let len_f = len as f64;
    if n < 0.0 {
        (len_f + n).max(0.0) as usize
    } else {
        n.min(len_f) as usize
    }
}

/// A canonical array index (`"0"`, `"17"`, not `"01"` or `"1.0"`).
pub(super) fn array_index(key: &str) -> Option<usize> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 10 || (b.len() > 1 && b.first() == Some(&b'0')) {
        return None;
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    key.parse::<u64>().ok().filter(|&v| v < 4_294_967_295).and_then(|v| usize::try_from(v).ok())
}

#[cfg(test)]
mod tests {
    use super::string_to_number;

    #[test]
    fn digits_alone_convert_as_the_full_parse_does() {
        let mut seed = 7u64;
        for len in 1..=20 {
            for _ in 0..200 {
                let text: String = (0..len)
                    .map(|_| {
                        seed = seed
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        char::from(b'0' + (seed >> 60) as u8 % 10)
                    })
                    .collect();
                let expected: f64 = text.parse().expect("digits parse");
                assert_eq!(string_to_number(&text).to_bits(), expected.to_bits(), "{text}");
            }
        }
        assert_eq!(string_to_number("000").to_bits(), 0.0f64.to_bits());
        assert!(string_to_number("-0").is_sign_negative());
        assert_eq!(string_to_number(" 12 "), 12.0);
        assert!(string_to_number("1 2").is_nan());
    }
}
