//! Labels derived from keys, as `createFieldsFromSchema` did.

use crate::format::defaults::title_case;

/// `maxIterations` → "Max Iterations", `http_timeout` → "Http Timeout", `retry-delay` →
/// "Retry Delay", `urlPath` → "Url Path".
pub fn field_label(key: &str) -> String {
    let mut spaced = String::with_capacity(key.len() + 4);
    for (i, c) in key.chars().enumerate() {
        if i > 0 && c.is_uppercase() {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    title_case(&spaced)
}

/// Enum option labels: the value formatted like a field label (`forEach` → "For Each").
pub fn option_label(value: &str) -> String {
    field_label(value)
}
