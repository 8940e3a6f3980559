//! `crate::value::Value` → block-style YAML that reads back to the identical value.
//!
//! Strings that could be mistaken for anything else are written double-quoted with JSON escapes
//! (a JSON string literal is a valid YAML double-quoted scalar); numbers use serde_json's
//! formatting so integers stay integers and floats stay floats.

use crate::value::{Map, Value};
use yaml_rust2::Yaml;

use crate::value::deep::guard;

/// Nesting beyond which the whole document is written as JSON. JSON is valid YAML 1.2, but
/// block style indents each line by its depth (quadratic size) and YAML parsers cap flow-style
/// nesting (yaml-rust2 at 255 levels), so very deep values are only representable this way.
const MAX_YAML_DEPTH: usize = 128;

/// Renders a value as a YAML document (2-space indent, block collections).
pub fn to_yaml_string(value: &Value) -> String {
    let mut out = String::new();
    if depth(value) > MAX_YAML_DEPTH {
        write_flow(&mut out, value);
        out.push('\n');
        return out;
    }
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0, false),
        Value::Array(items) if !items.is_empty() => write_seq(&mut out, items, 0),
        other => {
            write_inline(&mut out, other);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, width: usize) {
    out.extend(std::iter::repeat_n(' ', width));
}

/// Writes `key: value` lines at `width`. With `continue_line`, the first key goes on the current
/// line (after a sequence dash).
fn write_map(out: &mut String, map: &Map, width: usize, continue_line: bool) {
    if map.keys().next().is_some_and(|k| k == crate::value::codec::TAG) {
        // An object whose first key would make it read as a tag: written escaped, as JSON.
        if continue_line {
            out.push_str(&Value::Object(map.clone()).to_string());
        } else {
            indent(out, width);
            out.push_str(&Value::Object(map.clone()).to_string());
        }
        out.push('\n');
        return;
    }
    guard(|| {
        for (i, (key, value)) in map.iter().enumerate() {
            if i > 0 || !continue_line {
                indent(out, width);
            }
            let mut written = String::new();
            write_string(&mut written, key);
            if written.len() > MAX_IMPLICIT_KEY {
                // A long key as an explicit one (`? key` and `: value` on a line of its own).
                out.push_str("? ");
                out.push_str(&written);
                out.push('\n');
                indent(out, width);
            } else {
                out.push_str(&written);
            }
            out.push(':');
            write_after_marker(out, value, width);
        }
    })
}

/// Longest key written as an implicit `key: value` (YAML allows 1,024 characters; readers
/// refuse longer ones). Longer keys are written explicitly.
const MAX_IMPLICIT_KEY: usize = 1000;

fn write_seq(out: &mut String, items: &[Value], width: usize) {
    guard(|| {
        for item in items {
            indent(out, width);
            out.push('-');
            match item {
                Value::Object(map) if !map.is_empty() => {
                    out.push(' ');
                    write_map(out, map, width + 2, true);
                }
                _ => write_after_marker(out, item, width),
            }
        }
    })
}

/// Indentation beyond which collections are written in flow style (`{...}`/`[...]`): block style
/// indents every line by its depth, so a value nested thousands deep would take quadratic space.
const MAX_BLOCK_WIDTH: usize = 64;

/// Writes what follows `key:` or `-`: an inline scalar, or a nested block on the next lines.
fn write_after_marker(out: &mut String, value: &Value, width: usize) {
    if width >= MAX_BLOCK_WIDTH && matches!(value, Value::Object(_) | Value::Array(_)) {
        out.push(' ');
        write_flow(out, value);
        out.push('\n');
        return;
    }
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, width + 2, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, items, width + 2);
        }
        other => {
            out.push(' ');
            write_inline(out, other);
            out.push('\n');
        }
    }
}

/// Flow style: JSON syntax, which YAML 1.2 reads as the same value.
fn write_flow(out: &mut String, value: &Value) {
    guard(|| match value {
        Value::Object(map) if map.keys().next().is_some_and(|k| k == crate::value::codec::TAG) => {
            out.push_str(&value.to_string())
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if key.len() > MAX_IMPLICIT_KEY {
                    out.push_str("? ");
                }
                write_json_string(out, key);
                out.push_str(": ");
                write_flow(out, item);
            }
            out.push('}');
        }
        Value::String(s) => write_json_string(out, s),
        other => write_inline(out, other),
    })
}

fn write_json_string(out: &mut String, s: &str) {
    // serde_json escaping of a &str cannot fail; fall back to an empty literal defensively.
    out.push_str(&serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_owned()));
}

fn write_inline(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if n.is_json() => out.push_str(&n.to_string()),
        Value::String(s) => write_string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
        // What YAML has no syntax for: the codec's tag, as JSON (flow-style YAML), which the
        // reader turns back into the value.
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
    } else {
        write_json_string(out, s);
    }
}

/// Conservative: plain only for simple words that read back as the same string.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphanumeric() || first == '_' || first == '/' || first == '.') {
        return false;
    }
    if s.ends_with(' ') || s.ends_with('.') && s.len() == 1 {
        return false;
    }
    let simple = s.chars().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')' | '+' | '@' | '=')
    });
    simple && matches!(Yaml::from_str(s), Yaml::String(_))
}

/// Deepest nesting of arrays/objects (iterative).
fn depth(value: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, d + 1))),
            Value::Object(map) => stack.extend(map.values().map(|i| (i, d + 1))),
            _ => {}
        }
    }
    deepest
}
