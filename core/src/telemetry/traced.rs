//! Traced runs (the `telemetry` feature): the option that asks for them, the state a run's
//! leaves record into, and the span records written into the result. Its twin, `traced_off.rs`,
//! is the build without node spans: a run is never traced there.

use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::{OpenSpan, SpanError, SpanRetry};

/// `telemetry` in a run's options: the run is traced.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
#[cfg_attr(test, derive(ts_rs::TS), ts(rename = "WireTelemetry", optional_fields))]
pub struct TelemetryOptions {
    /// Whether `http-request` nodes send W3C `traceparent`/`tracestate` headers naming their
    /// span (default `true`). A header the flow sets itself is kept.
    #[cfg_attr(test, ts(as = "Option<bool>", optional))]
    pub propagate: bool,
    /// The run's own span, as a W3C `traceparent`: what an engine that hands the run on (to a
    /// protocol server, to a queue worker) sends as the parent of the spans made there. The
    /// engine itself only carries it.
    pub traceparent: Option<String>,
    /// The `tracestate` that goes with `traceparent`.
    pub tracestate: Option<String>,
}

impl Default for TelemetryOptions {
    fn default() -> Self {
        TelemetryOptions { propagate: true, traceparent: None, tracestate: None }
    }
}

/// A run's telemetry state, shared by its leaves; `None` when the run is not traced.
pub type Traced = Option<Arc<RunTelemetry>>;

/// A traced run's shared telemetry state: what its leaves record while they run.
#[derive(Debug, Default)]
pub struct RunTelemetry {
    /// Whether `http-request` nodes ask for trace headers.
    pub propagate: bool,
    retries: Mutex<Vec<(usize, SpanRetry)>>,
    /// The spans an `http-request` node that asks for trace headers has the embedder open, as
    /// the JSON text the request carries, by the node's index (see [`RunTelemetry::lineage`]).
    lineages: Mutex<Vec<(usize, Arc<str>)>>,
    /// The HTTP status of each `http-request` node's last response, for its span.
    statuses: Mutex<Vec<(usize, u16)>>,
}

/// A traced run's span records, as its result carries them.
pub type Spans = Option<Vec<NodeSpan>>;

/// One node of a traced run, as the result's `spans` lists it.
#[derive(Debug, Clone)]
pub struct NodeSpan {
    /// The node's index in the run (the flow itself is 0).
    pub index: usize,
    /// The index of the group it is in; `None` for the flow itself.
    pub parent: Option<usize>,
    /// Ids of its enclosing groups and its own, joined by `/`; `None` when it is the id.
    pub path: Option<Arc<str>>,
    pub id: Arc<str>,
    pub name: Arc<str>,
    pub node_type: Arc<str>,
    /// Whether it is a group (the flow itself, when it is one, is the run's own span).
    pub group: bool,
    pub start: f64,
    pub end: Option<f64>,
    /// `completed`, `error`, `skipped`, `pinned`; `executing` or `pending` when the run ended
    /// around it (a run to a node).
    pub state: &'static str,
    /// Attempts made (1 unless the node was retried).
    pub attempts: u32,
    pub error: Option<SpanError>,
    pub retries: Vec<SpanRetry>,
    /// The HTTP status of an `http-request` node's last response.
    pub http_status: Option<u16>,
}

impl RunTelemetry {
    pub fn new(options: &TelemetryOptions) -> Self {
        RunTelemetry { propagate: options.propagate, ..RunTelemetry::default() }
    }

    /// The state of a run whose options say `telemetry` (`None`: the run is not traced).
    pub fn for_run(options: Option<&TelemetryOptions>) -> Traced {
        options.map(|options| Arc::new(RunTelemetry::new(options)))
    }

    /// Node `ix` may ask for trace headers: the spans to open for it, outermost first.
    pub(crate) fn set_lineage(&self, ix: usize, spans: &[OpenSpan]) {
        let text: Arc<str> = lineage_text(spans).into();
        if let Ok(mut lineages) = self.lineages.lock() {
            match lineages.iter_mut().find(|(at, _)| *at == ix) {
                Some(entry) => entry.1 = text,
                None => lineages.push((ix, text)),
            }
        }
    }

    /// The spans node `ix`'s trace headers need open, outermost first (the node's own last), as
    /// JSON text: `[[index, parent, id, type, start], ...]`; `[]` when the scheduler noted none
    /// (the embedder then opens the node's span alone).
    pub fn lineage(&self, ix: usize) -> Arc<str> {
        let lineages = match self.lineages.lock() {
            Ok(lineages) => lineages,
            Err(poisoned) => poisoned.into_inner(),
        };
        lineages
            .iter()
            .find(|(at, _)| *at == ix)
            .map_or_else(|| Arc::from("[]"), |(_, s)| s.clone())
    }

    /// Node `ix` (an `http-request`) got a response with HTTP status `status`.
    pub fn http_status(&self, ix: usize, status: u16) {
        if let Ok(mut statuses) = self.statuses.lock() {
            match statuses.iter_mut().find(|(at, _)| *at == ix) {
                Some(entry) => entry.1 = status,
                None => statuses.push((ix, status)),
            }
        }
    }

    pub(crate) fn take_statuses(&self) -> Vec<(usize, u16)> {
        self.statuses.lock().map(|mut s| std::mem::take(&mut *s)).unwrap_or_default()
    }

    /// Node `ix`'s attempt failed and will be retried.
    pub(crate) fn retried(&self, ix: usize, retry: SpanRetry) {
        if let Ok(mut retries) = self.retries.lock() {
            retries.push((ix, retry));
        }
    }

    pub(crate) fn take_retries(&self) -> Vec<(usize, SpanRetry)> {
        self.retries.lock().map(|mut r| std::mem::take(&mut *r)).unwrap_or_default()
    }
}

/// The records as one JSON text (see `ExecutionResult::spans`), compact because every traced
/// run writes and parses it: `[origin, [record, ...]]` with each record
/// `[index, parent, id, name, type, start, end, state, path?, group?, attempts?, error?, retries?,
/// httpStatus?]` (`parent` -1 for the flow itself, `start`/`end` in ms after `origin`, `end` null
/// while open; the optional tail as far as it is needed: `path` null when it is the id, `group`
/// 0/1, `attempts` a number, `error` `[code, message]` or null, `retries` `[[attempt, at, code,
/// message], ...]` with `at` after `origin`, `httpStatus` the last response's status).
pub(crate) fn spans_as_text<S: serde::Serializer>(
    spans: &Spans,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let spans = spans.as_deref().unwrap_or_default();
    let origin = spans.iter().map(|s| s.start).fold(f64::INFINITY, f64::min);
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
        number(&mut out, span.index as f64);
        out.push(b',');
        number(&mut out, span.parent.map_or(-1.0, |p| p as f64));
        for text in [&*span.id, &*span.name, &*span.node_type] {
            out.push(b',');
            string(&mut out, text);
        }
        out.push(b',');
        number(&mut out, span.start - origin);
        out.push(b',');
        match span.end {
            Some(end) => number(&mut out, end - origin),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b',');
        string(&mut out, span.state);
        // The optional tail, as far as the last field this record needs.
        let needed = if span.http_status.is_some() {
            6
        } else if !span.retries.is_empty() {
            5
        } else if span.error.is_some() {
            4
        } else if span.attempts != 1 {
            3
        } else if span.group {
            2
        } else {
            usize::from(span.path.is_some())
        };
        if needed >= 1 {
            out.push(b',');
            match &span.path {
                Some(path) => string(&mut out, path),
                None => out.extend_from_slice(b"null"),
            }
        }
        if needed >= 2 {
            out.extend_from_slice(if span.group { b",1" } else { b",0" });
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
        if let Some(status) = span.http_status {
            out.push(b',');
            number(&mut out, f64::from(status));
        }
        out.push(b']');
    }
    out.extend_from_slice(b"]]");
    // Only JSON text was written: always UTF-8.
    serializer.serialize_str(std::str::from_utf8(&out).map_err(serde::ser::Error::custom)?)
}

/// Spans to open as JSON text (see [`RunTelemetry::lineage`]), written with the records' own
/// helpers.
fn lineage_text(spans: &[OpenSpan]) -> String {
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
