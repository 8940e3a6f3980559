//! JSON text → values (or any serde type), safe at any nesting depth. A failure is its message,
//! `Invalid JSON: …`, which callers wrap in their own error.

use serde::Deserialize;

use super::ParseLimits;

/// serde_json's own recursion limit.
pub const SHALLOW_JSON_DEPTH: usize = 128;

/// Stack a plain parse to [`SHALLOW_JSON_DEPTH`] may need: serde_json spends several frames
/// per level, and unoptimised builds make them large.
const SHALLOW_PARSE_STACK: usize = 1024 * 1024;

/// Parses text the engine wrote itself (its own serialisation of a value it holds), at any
/// depth: the depth was bounded when the value was first read.
pub(crate) fn parse_json_unbounded<T: for<'de> Deserialize<'de>>(
    text: &str,
) -> std::result::Result<T, serde_json::Error> {
    if let Some(Ok(value)) = parse_shallow_raw(text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(value)
}

/// Parses JSON text nested at most [`SHALLOW_JSON_DEPTH`] levels, the fast way (no nesting
/// pre-scan, no stack switching). `None` when the text is deeper.
pub(crate) fn parse_shallow<T: for<'de> Deserialize<'de>>(text: &str) -> Option<Result<T, String>> {
    parse_shallow_raw(text).map(|parsed| parsed.map_err(invalid))
}

/// A plain parse, or `None` when the text nests deeper than serde_json recurses.
fn parse_shallow_raw<T: for<'de> Deserialize<'de>>(
    text: &str,
) -> Option<std::result::Result<T, serde_json::Error>> {
    // On a thread with less stack left (a small worker), parse on a fresh heap segment.
    stacker::maybe_grow(SHALLOW_PARSE_STACK, 2 * SHALLOW_PARSE_STACK, || {
        let mut de = serde_json::Deserializer::from_str(text);
        match T::deserialize(&mut de).and_then(|value| de.end().map(|()| value)) {
            Ok(value) => Some(Ok(value)),
            Err(e) if e.to_string().starts_with("recursion limit exceeded") => None,
            Err(e) => Some(Err(e)),
        }
    })
}

fn invalid(e: serde_json::Error) -> String {
    format!("Invalid JSON: {e}")
}

/// The parsed value, and whether the text was shallow (at most [`SHALLOW_JSON_DEPTH`] levels:
/// only a value that shallow is safe to drop on any thread's stack).
pub(crate) fn parse_bounded<T: for<'de> Deserialize<'de>>(
    text: &str,
    limits: &ParseLimits,
) -> (Result<T, String>, bool) {
    // serde_stacker's per-value stack check is costly on large flat data, and so is the nesting
    // pre-scan: most text is shallow, so try the plain parse first.
    if limits.max_depth >= SHALLOW_JSON_DEPTH {
        if let Some(parsed) = parse_shallow(text) {
            return (parsed, true);
        }
    } else {
        // A limit below serde_json's own recursion limit keeps every accepted value shallow.
        return (parse_deep(text, limits), true);
    }
    (parse_deep(text, limits), false)
}

/// A parse at any depth up to the limit, on a stack that grows as it needs.
fn parse_deep<T: for<'de> Deserialize<'de>>(text: &str, limits: &ParseLimits) -> Result<T, String> {
    let depth = nesting_depth(text, limits.max_depth);
    if depth > limits.max_depth {
        return Err(format!(
            "Invalid JSON: nesting deeper than the limit of {} levels",
            limits.max_depth
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de)).map_err(invalid)?;
    de.end().map_err(invalid)?;
    Ok(value)
}

/// The deepest bracket nesting in JSON text, in one pass without allocating. Stops counting
/// once past `stop_after`, so hostile text costs no more than the scan.
fn nesting_depth(text: &str, stop_after: usize) -> usize {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &byte in text.as_bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > deepest {
                    deepest = depth;
                    if deepest > stop_after {
                        return deepest;
                    }
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}
