//! A chat completion's answer read as it arrives: the server-sent events of a streamed answer
//! (`data: {chunk}` lines, then `data: [DONE]`), or the one JSON object of an answer that was
//! not streamed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use atomiton_core::host::effects::{BodyWriter, EffectResult};
use atomiton_core::host::BoxFuture;
use atomiton_core::nodes::NodeReport;
use serde_json::Value as Json;

/// The raw body kept for an error's message (an error answer is short; a long one is cut).
const KEPT_BYTES: usize = 64 << 10;

/// Tokens the server counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenUsage {
    pub prompt: u64,
    pub completion: u64,
    pub total: u64,
}

impl TokenUsage {
    fn of(usage: &Json) -> Option<TokenUsage> {
        let count = |name: &str| usage.get(name).and_then(Json::as_u64);
        let prompt = count("prompt_tokens")?;
        let completion = count("completion_tokens").unwrap_or(0);
        Some(TokenUsage {
            prompt,
            completion,
            total: count("total_tokens").unwrap_or(prompt + completion),
        })
    }
}

/// The most tool calls one answer is read with (a server numbering them beyond is not
/// followed: each index would otherwise make room up to it).
const MAX_TOOL_CALLS: usize = 128;

/// A tool the model asked to call: its call id, the tool's name, and its arguments as the
/// model wrote them (JSON text, pieced together when streamed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// An answer so far.
#[derive(Debug, Default)]
pub struct Answer {
    pub text: String,
    /// The tools the model asked to call, by their index.
    pub tool_calls: Vec<ToolCall>,
    pub finish_reason: Option<String>,
    pub model: Option<String>,
    pub usage: Option<TokenUsage>,
    /// `data: [DONE]` came.
    pub done: bool,
    /// An `error` the server sent inside the stream.
    pub error: Option<String>,
    /// The body's first bytes, for the message of an answer that is not a completion.
    pub raw: Vec<u8>,
    /// A line not ended yet.
    pending: Vec<u8>,
}

impl Answer {
    /// Reads the next piece of a streamed body; `true` when the text grew.
    pub fn feed(&mut self, piece: &[u8]) -> bool {
        let room = KEPT_BYTES.saturating_sub(self.raw.len());
        self.raw.extend_from_slice(&piece[..piece.len().min(room)]);
        let before = self.text.len();
        // Only the new bytes are looked through for line ends, and the lines read are taken off
        // the front once: a whole body fed at once, or a long line in many pieces, stays linear.
        let searched = self.pending.len();
        self.pending.extend_from_slice(piece);
        let mut start = 0;
        let mut from = searched;
        while let Some(offset) =
            self.pending.get(from..).and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        {
            let end = from + offset;
            let line = self.pending.get(start..=end).unwrap_or_default().to_vec();
            self.line(&line);
            start = end + 1;
            from = start;
        }
        self.pending.drain(..start);
        self.text.len() != before
    }

    /// The body ended: a last line without its newline is read.
    pub fn finish(&mut self) {
        let line = std::mem::take(&mut self.pending);
        self.line(&line);
    }

    /// Whether the answer came whole: the stream said it was done, or why it stopped.
    pub fn complete(&self) -> bool {
        self.done || self.finish_reason.is_some()
    }

    fn line(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        let Some(data) = line.trim_end_matches(['\r', '\n']).strip_prefix("data:") else { return };
        let data = data.trim();
        if data == "[DONE]" {
            self.done = true;
            return;
        }
        if let Ok(chunk) = serde_json::from_str::<Json>(data) {
            self.chunk(&chunk, "delta");
        }
    }

    /// One streamed chunk (`delta`), or a whole answer (`message`).
    fn chunk(&mut self, chunk: &Json, part: &str) {
        if let Some(error) = chunk.get("error").filter(|error| !error.is_null()) {
            self.error = Some(error_text(error));
            return;
        }
        if let Some(model) = chunk.get("model").and_then(Json::as_str) {
            self.model = Some(model.to_owned());
        }
        if let Some(usage) = chunk.get("usage").and_then(TokenUsage::of) {
            self.usage = Some(usage);
        }
        let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else { return };
        if let Some(text) = choice.get(part).and_then(|d| d.get("content")).and_then(Json::as_str) {
            self.text.push_str(text);
        }
        if let Some(calls) =
            choice.get(part).and_then(|d| d.get("tool_calls")).and_then(Json::as_array)
        {
            self.tool_calls(calls);
        }
        if let Some(reason) = choice.get("finish_reason").and_then(Json::as_str) {
            self.finish_reason = Some(reason.to_owned());
        }
    }

    /// Tool calls, whole (an answer's `message`) or in pieces (a stream's `delta`s: the id and
    /// name once, the arguments a piece at a time, each under its call's `index`).
    fn tool_calls(&mut self, calls: &[Json]) {
        for (n, call) in calls.iter().enumerate() {
            let index = call
                .get("index")
                .and_then(Json::as_u64)
                .and_then(|i| usize::try_from(i).ok())
                .unwrap_or(n);
            if index >= MAX_TOOL_CALLS {
                continue;
            }
            if self.tool_calls.len() <= index {
                self.tool_calls.resize_with(index + 1, ToolCall::default);
            }
            let slot = &mut self.tool_calls[index];
            if let Some(id) = call.get("id").and_then(Json::as_str).filter(|id| !id.is_empty()) {
                id.clone_into(&mut slot.id);
            }
            let Some(function) = call.get("function") else { continue };
            if let Some(name) =
                function.get("name").and_then(Json::as_str).filter(|n| !n.is_empty())
            {
                name.clone_into(&mut slot.name);
            }
            match function.get("arguments") {
                Some(Json::String(piece)) => slot.arguments.push_str(piece),
                // A server that sends the arguments as an object rather than its text.
                Some(arguments @ Json::Object(_)) => slot.arguments = arguments.to_string(),
                _ => {}
            }
        }
    }

    /// A whole body: server-sent events, or the JSON of an answer that was not streamed.
    pub fn whole(body: &[u8]) -> Answer {
        let mut answer = Answer::default();
        match serde_json::from_slice::<Json>(body) {
            Ok(json) => {
                answer.raw = body[..body.len().min(KEPT_BYTES)].to_vec();
                answer.chunk(&json, "message");
                answer.done = answer.finish_reason.is_some() || answer.error.is_none();
            }
            Err(_) => {
                answer.feed(body);
                answer.finish();
            }
        }
        answer
    }
}

/// The message of an OpenAI-style error object (`{"message": ...}`), or the value as text.
pub fn error_text(error: &Json) -> String {
    error.get("message").and_then(Json::as_str).map_or_else(|| error.to_string(), str::to_owned)
}

/// The node's progress text: the text of the answer being read now. Each request starts it
/// again ([`Shown::restart`]), so a retried call, a round after tool calls or an answer asked
/// for again never shows what an answer before it said.
#[derive(Clone)]
pub struct Shown {
    report: NodeReport,
    /// Whether a text was reported since the last restart.
    shown: Arc<AtomicBool>,
}

impl Shown {
    pub fn new(report: NodeReport) -> Shown {
        Shown { report, shown: Arc::new(AtomicBool::new(false)) }
    }

    /// The answer being read has `text` so far.
    pub fn text(&self, text: Arc<str>) {
        self.shown.store(true, Ordering::Relaxed);
        self.report.text(text);
    }

    /// A new request: the text shown (of a cut answer, one that called tools, or one asked for
    /// again) is not this answer's, so progress shows an empty text until this one's comes.
    pub fn restart(&self) {
        if self.shown.swap(false, Ordering::Relaxed) {
            self.report.text(Arc::from(""));
        }
    }
}

/// Where the host writes a streamed answer's body as it arrives: read at once, its text so far
/// reported to progress.
///
/// Each report is the whole text so far, so reports are spaced as the text grows: the next comes
/// once it has grown by an eighth (a token at a time while it is short). What all of them copy
/// is then a few times the answer, never its square; the last text is reported at the end.
pub struct Sink {
    pub answer: Arc<Mutex<Answer>>,
    pub report: Option<Shown>,
    /// The length of the text reported last.
    pub reported: usize,
}

impl Sink {
    pub fn new(answer: Arc<Mutex<Answer>>, report: Option<Shown>) -> Sink {
        Sink { answer, report, reported: 0 }
    }

    fn report(&mut self, text: &str, last: bool) {
        let Some(report) = &self.report else { return };
        let grown = text.len().saturating_sub(self.reported);
        if grown > 0 && (last || grown >= (self.reported / 8).max(1)) {
            report.text(Arc::from(text));
            self.reported = text.len();
        }
    }
}

impl BodyWriter for Sink {
    fn write(&mut self, piece: Vec<u8>) -> BoxFuture<'_, EffectResult<()>> {
        let answer = self.answer.clone();
        let mut answer = answer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if answer.feed(&piece) {
            self.report(&answer.text, false);
        }
        Box::pin(std::future::ready(Ok(())))
    }

    fn finish(&mut self) -> BoxFuture<'_, EffectResult<()>> {
        let answer = self.answer.clone();
        let mut answer = answer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        answer.finish();
        self.report(&answer.text, true);
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::{Answer, TokenUsage};

    #[test]
    fn a_stream_split_anywhere_reads_the_same() {
        let body = concat!(
            "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\r\n\r\n",
            ": keep-alive\n\n",
            "data: {\"choices\":[{\"delta\":{\"content\":\"lo é\"},\"finish_reason\":\"stop\"}]}\n\n",
            "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,\"total_tokens\":7}}\n\n",
            "data: [DONE]\n\n"
        )
        .as_bytes();
        for size in [1, 2, 3, 7, body.len()] {
            let mut answer = Answer::default();
            for piece in body.chunks(size) {
                answer.feed(piece);
            }
            answer.finish();
            assert_eq!(answer.text, "Hello é", "pieces of {size}");
            assert_eq!(answer.finish_reason.as_deref(), Some("stop"));
            assert_eq!(answer.model.as_deref(), Some("m"));
            assert_eq!(answer.usage, Some(TokenUsage { prompt: 5, completion: 2, total: 7 }));
            assert!(answer.done && answer.complete());
        }
    }

    #[test]
    fn a_whole_body_of_many_lines_reads_in_linear_time() {
        // Quadratic line handling would move ~10^11 bytes here: minutes, not milliseconds.
        let chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n";
        let body = chunk.repeat(200_000) + "data: [DONE]\n\n";
        let answer = Answer::whole(body.as_bytes());
        assert_eq!(answer.text.len(), 200_000);
        assert!(answer.done);
        let mut long = Answer::default();
        for _ in 0..100_000 {
            long.feed(b"x");
        }
        assert_eq!(long.pending.len(), 100_000, "a line not ended yet is kept whole");
    }

    #[test]
    fn an_error_field_that_is_null_is_no_error() {
        let answer = Answer::whole(
            br#"{"error":null,"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}]}"#,
        );
        assert_eq!(answer.error, None);
        assert!(answer.complete());
    }

    #[test]
    fn tool_calls_are_read_whole_and_pieced_together_from_a_stream() {
        let answer = Answer::whole(
            br#"{"choices":[{"message":{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Oslo\"}"}},{"id":"c2","type":"function","function":{"name":"time","arguments":{"zone":"UTC"}}}]},"finish_reason":"tool_calls"}]}"#,
        );
        let call = |id: &str, name: &str, arguments: &str| super::ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
        };
        assert_eq!(
            answer.tool_calls,
            vec![
                call("c1", "weather", r#"{"city":"Oslo"}"#),
                call("c2", "time", r#"{"zone":"UTC"}"#)
            ]
        );
        assert_eq!(answer.text, "");
        let body = concat!(
            "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\":\\\"Oslo\\\"}\"}}]}}]}\n\n",
            "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":9999,\"function\":{\"name\":\"far\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
            "data: [DONE]\n\n"
        );
        let mut streamed = Answer::default();
        for piece in body.as_bytes().chunks(5) {
            streamed.feed(piece);
        }
        streamed.finish();
        assert_eq!(streamed.tool_calls, vec![call("c1", "weather", r#"{"city":"Oslo"}"#)]);
        assert_eq!(streamed.finish_reason.as_deref(), Some("tool_calls"));
    }

    #[test]
    fn a_cut_stream_is_not_complete() {
        let mut answer = Answer::default();
        assert!(answer.feed(b"data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n"));
        answer.finish();
        assert_eq!(answer.text, "Hi");
        assert!(!answer.complete());
    }

    #[test]
    fn a_whole_answer_and_an_error_in_a_stream() {
        let answer = Answer::whole(
            br#"{"model":"m","choices":[{"message":{"role":"assistant","content":"42"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1}}"#,
        );
        assert_eq!(answer.text, "42");
        assert!(answer.complete());
        assert_eq!(answer.usage, Some(TokenUsage { prompt: 3, completion: 1, total: 4 }));
        let answer = Answer::whole(b"data: {\"error\":{\"message\":\"overloaded\"}}\n\n");
        assert_eq!(answer.error.as_deref(), Some("overloaded"));
        assert!(!answer.complete());
    }
}
