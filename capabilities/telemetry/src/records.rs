//! The span records as the JSON text a traced run's result carries (`spans`), and the spans a
//! request's trace headers need open: written by hand, compact, because every traced run writes
//! and the TypeScript layer parses them.

use atomiton_core::telemetry::{OpenSpan, SpanError, SpanOf, SpanRetry, TracedNode};

/// One node of a traced run, as the result's `spans` lists it: what the scheduler knew of it at
/// the end, with what its leaves reported.
#[derive(Debug)]
pub(crate) struct NodeSpan<'a> {
    pub node: &'a TracedNode,
    /// Attempts made (1 unless the node was retried).
    pub attempts: u32,
    pub error: Option<SpanError>,
    pub retries: Vec<SpanRetry>,
    /// The HTTP status of an `http-request` node's last response.
    pub http_status: Option<u16>,
    /// The tokens an `llm` node used: input, output.
    pub tokens: Option<(u64, u64)>,
}

/// The records as one JSON text (see `ExecutionResult::spans`), compact because every traced
/// run writes and parses it: `[origin, [record, ...]]` with each record
/// `[index, parent, id, name, type, start, end, state, path?, group?, attempts?, error?, retries?,
/// httpStatus?, tokens?]` (`parent` -1 for the flow itself, `start`/`end` in ms after `origin`,
/// `end` null while open; the optional tail as far as it is needed: `path` null when it is the
/// id, `group` 0/1, `attempts` a number, `error` `[code, message]` or null, `retries` `[[attempt,
/// at, code, message], ...]` with `at` after `origin`, `httpStatus` the last response's status or
/// null, `tokens` an `llm` node's `[input, output]`).
pub(crate) fn records_text(spans: &[NodeSpan]) -> String {
    let origin = spans.iter().map(|s| s.node.start).fold(f64::INFINITY, f64::min);
    let origin = if origin.is_finite() { origin } else { 0.0 };
    let mut out = Vec::with_capacity(16 + spans.len() * 72);
    out.push(b'[');
    number(&mut out, origin);
    out.extend_from_slice(b",[");
    for (i, span) in spans.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'[');
        number(&mut out, span.node.index as f64);
        out.push(b',');
        number(&mut out, span.node.parent.map_or(-1.0, |p| p as f64));
        for text in [&*span.node.id, &*span.node.name, &*span.node.node_type] {
            out.push(b',');
            string(&mut out, text);
        }
        out.push(b',');
        number(&mut out, span.node.start - origin);
        out.push(b',');
        match span.node.end {
            Some(end) => number(&mut out, end - origin),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b',');
        string(&mut out, span.node.state);
        // The optional tail, as far as the last field this record needs.
        let needed = if span.tokens.is_some() {
            7
        } else if span.http_status.is_some() {
            6
        } else if !span.retries.is_empty() {
            5
        } else if span.error.is_some() {
            4
        } else if span.attempts != 1 {
            3
        } else if span.node.group {
            2
        } else {
            usize::from(span.node.path.is_some())
        };
        if needed >= 1 {
            out.push(b',');
            match &span.node.path {
                Some(path) => string(&mut out, path),
                None => out.extend_from_slice(b"null"),
            }
        }
        if needed >= 2 {
            out.extend_from_slice(if span.node.group { b",1" } else { b",0" });
        }
        if needed >= 3 {
            out.push(b',');
            number(&mut out, f64::from(span.attempts));
        }
        if needed >= 4 {
            out.push(b',');
            match &span.error {
                Some(error) => {
                    out.push(b'[');
                    string(&mut out, error.code.as_str());
                    out.push(b',');
                    string(&mut out, &error.message);
                    out.push(b']');
                }
                None => out.extend_from_slice(b"null"),
            }
        }
        if needed >= 5 {
            out.extend_from_slice(b",[");
            for (j, retry) in span.retries.iter().enumerate() {
                out.extend_from_slice(if j > 0 { b",[" } else { b"[" });
                number(&mut out, f64::from(retry.attempt));
                out.push(b',');
                number(&mut out, retry.at - origin);
                out.push(b',');
                string(&mut out, retry.code.as_str());
                out.push(b',');
                string(&mut out, &retry.message);
                out.push(b']');
            }
            out.push(b']');
        }
        if needed >= 6 {
            out.push(b',');
            match span.http_status {
                Some(status) => number(&mut out, f64::from(status)),
                None => out.extend_from_slice(b"null"),
            }
        }
        if let Some((input, output)) = span.tokens {
            out.extend_from_slice(b",[");
            number(&mut out, input as f64);
            out.push(b',');
            number(&mut out, output as f64);
            out.push(b']');
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]]");
    // Only JSON text was written: always UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| "[0,[]]".to_owned())
}

/// Spans to open as JSON text (see [`RunTracer::lineage`](atomiton_core::telemetry::RunTracer::lineage)), written with the records' own
/// helpers.
pub(crate) fn lineage_text(spans: &[OpenSpan]) -> String {
    let mut out = Vec::with_capacity(2 + spans.len() * 48);
    out.push(b'[');
    for (i, span) in spans.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",[" } else { b"[" });
        number(&mut out, span.index as f64);
        out.push(b',');
        number(&mut out, span.parent as f64);
        for text in [&*span.id, &*span.node_type] {
            out.push(b',');
            string(&mut out, text);
        }
        out.push(b',');
        number(&mut out, span.start);
        out.push(b']');
    }
    out.push(b']');
    // Only JSON text was written.
    String::from_utf8(out).unwrap_or_else(|_| "[]".to_owned())
}

/// The fields of a `"span"` question (see `RunTracer::trace_headers`): the run, the node's
/// index (as the records name it), id and type, the attempt, and `spans`, the spans to open
/// first as JSON text (`[]`: the node's span alone, started now).
pub(crate) fn span_question(span: SpanOf<'_>, spans: &str) -> String {
    let mut out = Vec::with_capacity(96 + spans.len());
    out.extend_from_slice(b"\"run\":");
    string(&mut out, span.run);
    out.extend_from_slice(b",\"node\":");
    number(&mut out, span.index as f64);
    out.extend_from_slice(b",\"nodeId\":");
    string(&mut out, span.node_id);
    out.extend_from_slice(b",\"type\":");
    string(&mut out, span.node_type);
    out.extend_from_slice(b",\"attempt\":");
    number(&mut out, f64::from(span.attempt));
    out.extend_from_slice(b",\"spans\":");
    string(&mut out, spans);
    // Only JSON text was written.
    String::from_utf8(out).unwrap_or_default()
}

/// A number as JSON (a clock never gives anything but finite numbers; `0` if it did).
fn number(out: &mut Vec<u8>, value: f64) {
    let value = if value.is_finite() { value } else { 0.0 };
    if value.fract() == 0.0 && value.abs() < 1e15 {
        // Integers without the `.0` serde_json would write.
        let _ = std::io::Write::write_fmt(out, format_args!("{}", value as i64));
    } else if serde_json::to_writer(&mut *out, &value).is_err() {
        out.push(b'0');
    }
}

/// A string as a JSON string.
fn string(out: &mut Vec<u8>, value: &str) {
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"\"\"");
    }
}
