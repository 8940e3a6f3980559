//! A traced run's state: what its leaves record while they run (retries, HTTP statuses, tokens, errors,
//! the spans a request's trace headers need open), joined at the end with what the scheduler
//! knows of each node into the span records.

use std::sync::{Arc, Mutex, MutexGuard};

use atomiton_core::host::{BoxFuture, TraceHeaders};
use atomiton_core::telemetry::{
    Ask, OpenSpan, RunTracer, SpanError, SpanOf, SpanRetry, TelemetryOptions, TracedNode,
};
use atomiton_core::value::Value;

use crate::records::{lineage_text, records_text, span_question, NodeSpan};

/// The headers a span's answer may give, in the order they are sent.
const TRACE_HEADERS: [&str; 2] = ["traceparent", "tracestate"];

/// A traced run's shared state.
#[derive(Debug, Default)]
pub(crate) struct RunTelemetry {
    propagate: bool,
    retries: Mutex<Vec<(usize, SpanRetry)>>,
    /// The spans an `http-request` node that asks for trace headers has the embedder open, as
    /// the JSON text the request carries, by the node's index.
    lineages: Mutex<Vec<(usize, Arc<str>)>>,
    /// The HTTP status of each `http-request` node's last response, for its span.
    statuses: Mutex<Vec<(usize, u16)>>,
    /// The tokens each `llm` node used (input, output), summed over its attempts.
    tokens: Mutex<Vec<(usize, (u64, u64))>>,
    /// Each failed node's last error, for its span.
    errors: Mutex<Vec<(usize, SpanError)>>,
}

impl RunTelemetry {
    pub(crate) fn new(options: &TelemetryOptions) -> Self {
        RunTelemetry { propagate: options.propagate, ..RunTelemetry::default() }
    }
}

/// The entry of node `ix` in `list`, set to `value` (a node's later report replaces its earlier).
fn set<T>(list: &Mutex<Vec<(usize, T)>>, ix: usize, value: T) {
    let mut list = locked(list);
    match list.iter_mut().find(|(at, _)| *at == ix) {
        Some(entry) => entry.1 = value,
        None => list.push((ix, value)),
    }
}

/// A lock a panicking leaf left poisoned still holds what was recorded.
fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl RunTracer for RunTelemetry {
    fn propagate(&self) -> bool {
        self.propagate
    }

    fn set_lineage(&self, ix: usize, spans: &[OpenSpan]) {
        set(&self.lineages, ix, Arc::from(lineage_text(spans)));
    }

    /// `[]` when the scheduler noted none (the embedder then opens the node's span alone).
    fn lineage(&self, ix: usize) -> Arc<str> {
        locked(&self.lineages)
            .iter()
            .find(|(at, _)| *at == ix)
            .map_or_else(|| Arc::from("[]"), |(_, s)| s.clone())
    }

    /// Asks `{kind: "span", id, run, node, nodeId, type, attempt, spans}`, `spans` the spans to
    /// open first as JSON text (see [`lineage`](RunTracer::lineage)); the answer's value is
    /// `{traceparent?, tracestate?}`, and only what a header may carry is sent.
    fn trace_headers(&self, span: SpanOf<'_>, ask: &Ask<'_>) -> BoxFuture<'static, TraceHeaders> {
        let question = span_question(span, &self.lineage(span.index));
        let answer = ask("span", question);
        Box::pin(async move {
            let Some(Value::Object(fields)) = answer.await else { return Vec::new() };
            TRACE_HEADERS
                .into_iter()
                .filter_map(|name| {
                    let value = fields.get(name)?.as_str()?;
                    let valid = !value.is_empty()
                        && value.len() <= 512
                        && value.bytes().all(|b| (0x20..0x7f).contains(&b));
                    valid.then(|| (name.to_owned(), value.to_owned()))
                })
                .collect()
        })
    }

    fn http_status(&self, ix: usize, status: u16) {
        set(&self.statuses, ix, status);
    }

    fn tokens(&self, ix: usize, input: u64, output: u64) {
        let mut tokens = locked(&self.tokens);
        match tokens.iter_mut().find(|(at, _)| *at == ix) {
            Some((_, (i, o))) => {
                *i = i.saturating_add(input);
                *o = o.saturating_add(output);
            }
            None => tokens.push((ix, (input, output))),
        }
    }

    fn retried(&self, ix: usize, retry: SpanRetry) {
        locked(&self.retries).push((ix, retry));
    }

    fn failed(&self, ix: usize, error: SpanError) {
        set(&self.errors, ix, error);
    }

    fn records(&self, nodes: &[TracedNode]) -> String {
        let mut retries = std::mem::take(&mut *locked(&self.retries));
        retries.sort_by_key(|(ix, r)| (*ix, r.attempt));
        let mut retries = retries.into_iter().peekable();
        let statuses = std::mem::take(&mut *locked(&self.statuses));
        let tokens = std::mem::take(&mut *locked(&self.tokens));
        let mut errors = std::mem::take(&mut *locked(&self.errors));
        let mut spans = Vec::with_capacity(nodes.len());
        for node in nodes {
            // Retries of nodes without a record (never started) are dropped with them.
            while retries.next_if(|(at, _)| *at < node.index).is_some() {}
            let mut node_retries = Vec::new();
            while let Some((_, retry)) = retries.next_if(|(at, _)| *at == node.index) {
                node_retries.push(retry);
            }
            let error = errors.iter().position(|(at, _)| *at == node.index);
            spans.push(NodeSpan {
                node,
                attempts: u32::try_from(node_retries.len()).unwrap_or(u32::MAX).saturating_add(1),
                error: error.map(|at| errors.swap_remove(at).1),
                retries: node_retries,
                http_status: statuses.iter().find(|(at, _)| *at == node.index).map(|(_, s)| *s),
                tokens: tokens.iter().find(|(at, _)| *at == node.index).map(|(_, t)| *t),
            });
        }
        records_text(&spans)
    }
}
