//! The node's output: the answer, how it ended, and the tokens every call of the node used.

use atomiton_core::json;
use atomiton_core::value::Value;

use crate::call::Reply;
use crate::sse::TokenUsage;

/// Tokens summed over the node's calls (an answer asked for again costs its tokens too).
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    tokens: TokenUsage,
    /// Whether any call said what it used (a server may not).
    known: bool,
}

impl Usage {
    /// `(prompt, completion)` tokens, when a server counted any.
    pub fn counted(&self) -> Option<(u64, u64)> {
        self.known.then_some((self.tokens.prompt, self.tokens.completion))
    }

    /// Tokens used in all (prompt and completion).
    pub fn total(&self) -> u64 {
        self.tokens.total
    }

    pub fn add(&mut self, usage: Option<&TokenUsage>) {
        if let Some(usage) = usage {
            self.known = true;
            self.tokens.prompt = self.tokens.prompt.saturating_add(usage.prompt);
            self.tokens.completion = self.tokens.completion.saturating_add(usage.completion);
            self.tokens.total = self.tokens.total.saturating_add(usage.total);
        }
    }
}

/// `{text, json?, finishReason, model, usage, answers, calls}`: `json` for a JSON answer;
/// `usage` null when the server counted nothing; `answers` how many were asked for (more than
/// one when one did not match the schema), `calls` the HTTP calls the last took (retries).
pub fn of(reply: Reply, json: Option<Value>, usage: Usage, answers: u32) -> Value {
    let usage = if usage.known {
        json!({
            "promptTokens": usage.tokens.prompt as f64,
            "completionTokens": usage.tokens.completion as f64,
            "totalTokens": usage.tokens.total as f64
        })
    } else {
        Value::Null
    };
    let mut output = json!({
        "text": reply.text,
        "finishReason": reply.finish_reason,
        "model": reply.model,
        "usage": usage,
        "answers": answers,
        "calls": reply.calls
    });
    if let (Some(value), Value::Object(fields)) = (json, &mut output) {
        fields.insert(atomiton_core::value::Str::from("json"), value);
    }
    output
}
