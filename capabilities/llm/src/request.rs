//! An `llm` node's parameters, read with its declaration's defaults, and its messages written
//! from their templates against the node's input.

use atomiton_core::error::ExecutionError;
use atomiton_core::format::{render_template, TemplateStyle};
use atomiton_core::nodes::sdk::{node_error, template_data, Config};
use atomiton_core::nodes::Invocation;
use atomiton_core::value::Value;

use crate::declaration::SCHEMA;
use crate::sse::ToolCall;
use crate::tools::{self, Ran, Tools};
use crate::TYPE;

/// The longest a message may grow to from its template (a short template can repeat a long
/// value): far beyond any model's context, short of holding the process's memory.
const MAX_MESSAGE_BYTES: usize = 16 << 20;

/// What the answer is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// One chat message: the conversation's text, an answer that called tools, or a tool's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: &'static str,
    pub content: String,
    /// The tools an assistant's answer called.
    pub tool_calls: Vec<ToolCall>,
    /// Which call a `tool` message answers.
    pub tool_call_id: Option<String>,
}

impl Message {
    pub fn new(role: &'static str, content: String) -> Message {
        Message { role, content, tool_calls: Vec::new(), tool_call_id: None }
    }
}

/// The node's parameters, its messages written.
#[derive(Debug, Clone)]
pub struct Request {
    pub credential: String,
    pub model: Option<String>,
    pub messages: Vec<Message>,
    pub format: Format,
    /// The JSON schema the answer must match, as the wire carries it.
    pub schema: Option<serde_json::Value>,
    pub schema_attempts: u32,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
    pub stream: bool,
    pub max_retries: u32,
    pub timeout_ms: f64,
    /// The flows offered as tools, when there are any.
    pub tools: Option<Tools>,
    /// Tokens the node's answers may use together; asking again stops once they are spent.
    pub token_budget: Option<u64>,
}

impl Request {
    pub fn read(invocation: &Invocation) -> Result<Request, ExecutionError> {
        let config = Config::new(&SCHEMA, invocation);
        let text = |name: &str| config.str(name).map(str::to_owned);
        let number = |name: &str| config.get(name).and_then(Value::as_f64);
        let credential =
            text("credential").ok_or_else(|| node_error(TYPE, "'credential' is required"))?;
        let data = template_data(invocation);
        let write = |template: &str| -> Result<String, ExecutionError> {
            render_template(template, &data, TemplateStyle::Text, MAX_MESSAGE_BYTES, &mut |_| {})
                .map_err(|len| {
                    node_error(
                        TYPE,
                        format!("A message would be {len} bytes long, over {MAX_MESSAGE_BYTES}"),
                    )
                })
        };
        let mut messages = Vec::new();
        if let Some(system) = config.str("system").filter(|s| !s.is_empty()) {
            messages.push(Message::new("system", write(system)?));
        }
        for message in config.get("messages").and_then(Value::as_array).into_iter().flatten() {
            let role = match message.get("role").and_then(Value::as_str) {
                Some("system") => "system",
                Some("assistant") => "assistant",
                _ => "user",
            };
            let content = message.get("content").and_then(Value::as_str).unwrap_or("");
            messages.push(Message::new(role, write(content)?));
        }
        if let Some(prompt) = config.str("prompt").filter(|p| !p.is_empty()) {
            messages.push(Message::new("user", write(prompt)?));
        }
        let schema = config
            .get("schema")
            .filter(|s| s.is_object())
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| node_error(TYPE, format!("'schema' is not JSON: {e}")))?;
        let json = schema.is_some() || config.str("responseFormat") == Some("json");
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(Request {
            credential,
            model: text("model").filter(|m| !m.is_empty()),
            messages,
            format: if json { Format::Json } else { Format::Text },
            schema,
            schema_attempts: number("schemaAttempts").map_or(3, |n| n.clamp(1.0, 10.0) as u32),
            temperature: number("temperature"),
            max_tokens: number("maxTokens").map(|n| n.max(1.0) as u64),
            stream: config.bool("stream").unwrap_or(true),
            max_retries: number("maxRetries").map_or(3, |n| n.clamp(0.0, 10.0) as u32),
            timeout_ms: number("requestTimeout").unwrap_or(300_000.0),
            tools: Some(tools::declared(&invocation.parameters))
                .filter(|tools| !tools.is_empty())
                .map(|tools| Tools {
                    list: tools.into_iter().map(|(_, tool)| tool).collect(),
                    choice: text("toolChoice").unwrap_or_else(|| "auto".to_owned()),
                    max_steps: number("maxToolSteps").map_or(5, |n| n.clamp(1.0, 50.0) as u32),
                }),
            token_budget: number("tokenBudget").map(|n| n.max(1.0) as u64),
        })
    }

    /// The conversation goes on after an answer that did not match the schema: the answer, then
    /// what was wrong with it.
    pub fn ask_again(&mut self, answer: &str, problem: &str) {
        self.messages.push(Message::new("assistant", answer.to_owned()));
        self.messages.push(Message::new(
            "user",
            format!(
                "That answer is not valid: {problem}. Answer again with only JSON{}.",
                if self.schema.is_some() { " that matches the schema" } else { "" }
            ),
        ));
    }

    /// The conversation goes on after an answer that called tools: the answer, then each
    /// tool's answer.
    pub fn tools_answered(&mut self, text: &str, ran: &[Ran]) {
        let mut asked = Message::new("assistant", text.to_owned());
        asked.tool_calls = ran.iter().map(|ran| ran.call.clone()).collect();
        self.messages.push(asked);
        for ran in ran {
            let mut answer = Message::new("tool", ran.answer());
            answer.tool_call_id = Some(ran.call.id.clone());
            self.messages.push(answer);
        }
    }
}
