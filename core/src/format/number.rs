//! Numbers written the way JavaScript's `String(n)` writes them where it matters to messages.

/// `100` rather than `100.0`; fractions as they are.
pub fn js_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
