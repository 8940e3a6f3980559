//! Numbers written the way JavaScript's `String(n)` writes them.

/// JavaScript's `String(n)` (`Number.prototype.toString()`, radix 10): shortest round-trip digits laid out by the
/// ECMAScript rules (exponent form below 1e-6 and from 1e21 up).
pub fn js_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n == 0.0 {
        return "0".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if n.fract() == 0.0 && n.abs() < 1e15 {
        // Exact: |n| < 2^63 and integral.
        return (n as i64).to_string();
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, like JavaScript.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits = even_on_a_tie(n.abs(), digits, exp);
    let k = digits.len() as i64;
    let point = exp + 1;
    let mut out = String::with_capacity(k as usize + 8);
    if n < 0.0 {
        out.push('-');
    }
    if k <= point && point <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if 0 < point && point <= 21 {
        let (int, frac) = digits.split_at((point as usize).min(digits.len()));
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    } else if -6 < point && point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(&digits);
    } else {
        let e = point - 1;
        let (first, rest) = digits.split_at(1.min(digits.len()));
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if e >= 0 { '+' } else { '-' });
        out.push_str(&e.abs().to_string());
    }
    out
}

/// The shortest digits of `x`, with a tie between two equally short and equally close digit
/// strings settled towards the even last digit, as ECMAScript's Number::toString asks
/// (`String(2 ** 49 + 0.25)` is `562949953421312.2`). Rust's shortest form picks either.
fn even_on_a_tie(x: f64, digits: String, exp: i64) -> String {
    let bytes = digits.as_bytes();
    let Some((&last, rest)) = bytes.split_last() else { return digits };
    if (last - b'0') % 2 == 0 || rest.is_empty() {
        return digits;
    }
    for neighbour in [last - 1, last + 1] {
        if neighbour > b'9' {
            continue;
        }
        let candidate = format!("{}{}", String::from_utf8_lossy(rest), char::from(neighbour));
        // Both read back as `x`, and `x` lies exactly halfway between them.
        let reads_back =
            format!("{}.{}e{exp}", &candidate[..1], &candidate[1..]).parse::<f64>().ok() == Some(x);
        if reads_back && is_halfway(x, rest, last.min(neighbour), exp) {
            return candidate;
        }
    }
    digits
}

/// Whether the exact value of `x` is `rest`, then `low`, then a 5 and nothing more, at exponent
/// `exp` (a double has at most 767 significant decimal digits, so 800 show all of them).
fn is_halfway(x: f64, rest: &[u8], low: u8, exp: i64) -> bool {
    let exact = format!("{x:.800e}");
    let Some((mantissa, e)) = exact.split_once('e') else { return false };
    if e.parse::<i64>().ok() != Some(exp) {
        return false;
    }
    let significant: Vec<u8> = mantissa.bytes().filter(|b| *b != b'.').collect();
    let prefix = rest.iter().copied().chain([low, b'5']);
    let len = rest.len() + 2;
    significant.len() >= len
        && significant.iter().copied().take(len).eq(prefix)
        && significant[len..].iter().all(|b| *b == b'0')
}
