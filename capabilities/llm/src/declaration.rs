//! The `llm` node type: its parameters, UI fields, ports and catalog entry, and what it needs.
//! Declared here rather than in the core, so that a build without this crate (the browser's
//! default module, which keeps to its size budget) carries none of it: its validation names the
//! type as one that runs elsewhere.

use std::sync::{Arc, LazyLock};

use atomiton_core::host::{BoxFuture, Capabilities, SharedHost};
use atomiton_core::json;
use atomiton_core::nodes::descriptor::{Environment, NodeDescriptor, PortSpec};
use atomiton_core::nodes::schema::{FieldOverrides, NodeSchema, ParamKind, ParamSpec};
use atomiton_core::nodes::{CalledFlow, Invocation, NodeResult, NodeType, ParameterIssue};
use atomiton_core::value::{Map, Value};

use crate::TYPE;

/// The `llm` node type.
pub struct LlmType;

impl NodeType for LlmType {
    fn type_name(&self) -> &str {
        TYPE
    }

    fn requirements(&self, _parameters: &Map) -> Capabilities {
        Capabilities { http: true, ..Capabilities::NONE }
    }

    /// Its answer's text, as it streams.
    fn reports(&self) -> bool {
        true
    }

    fn schema(&self) -> Option<&NodeSchema> {
        Some(&SCHEMA)
    }

    fn descriptor(&self) -> Option<&NodeDescriptor> {
        Some(&DESCRIPTOR)
    }

    fn check_parameters(&self, parameters: &Map) -> Vec<ParameterIssue> {
        SCHEMA.check_then(parameters, issues)
    }

    /// Its tools' flows.
    fn called_flows(&self, parameters: &Map) -> Vec<CalledFlow> {
        crate::tools::called_flows(parameters)
    }

    fn execute(&self, invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
        Box::pin(crate::execute(invocation, host))
    }
}

/// The type, for a registry.
pub fn node_type() -> Arc<dyn NodeType> {
    Arc::new(LlmType)
}

/// What the answer is: text, or a JSON value (held to `schema` when there is one).
pub const RESPONSE_FORMATS: &[&str] = &["text", "json"];
/// The roles a message may have.
pub const ROLES: &[&str] = &["system", "user", "assistant"];

pub static SCHEMA: LazyLock<NodeSchema> = LazyLock::new(|| {
    NodeSchema::new(vec![
        ParamSpec::new("credential", ParamKind::text_min(1))
            .required_message("'credential' is required: a credential's name")
            .describe("The credential naming the model server (type openai: apiKey, baseUrl, model)")
            .note("baseUrl defaults to https://api.openai.com/v1; a local server needs no apiKey. Its values never appear in the flow, the run history or errors"),
        ParamSpec::new("model", ParamKind::text_min(1))
            .optional()
            .describe("The model; default: the credential's model"),
        ParamSpec::new("system", ParamKind::text())
            .optional()
            .describe("The system message, a template: {{ path }} is the input's value there")
            .ui(FieldOverrides::NONE.control("textarea").rows(3)),
        ParamSpec::new("prompt", ParamKind::text())
            .optional()
            .describe("The user's message, a template: {{ path }} is the input's value there")
            .ui(FieldOverrides::NONE
                .control("textarea")
                .placeholder("Summarise this review in one sentence: {{ review }}")
                .rows(4)),
        ParamSpec::new("messages", ParamKind::Array)
            .optional()
            .describe("More messages, [{role, content}] with content a template, sent after the system message and before the prompt"),
        ParamSpec::new("responseFormat", ParamKind::Enum(RESPONSE_FORMATS))
            .default(|| json!("text"))
            .describe("text: the answer as it is; json: the answer parsed as JSON (held to schema when given)")
            .ui(FieldOverrides::NONE.options(&[("text", "Text"), ("json", "JSON")])),
        ParamSpec::new("schema", ParamKind::Any)
            .optional()
            .describe("A JSON schema the answer must match (implies json): sent to the server, and checked here")
            .note("An answer that does not match is asked for again with what was wrong, up to schemaAttempts answers"),
        ParamSpec::new("schemaAttempts", ParamKind::whole_range(1.0, 10.0))
            .default(|| json!(3))
            .describe("Answers asked for at most when they are not JSON or do not match the schema (then the node fails with VALIDATION_FAILED)"),
        ParamSpec::new("temperature", ParamKind::number_range(0.0, 2.0))
            .optional()
            .describe("Sampling temperature (0: the most likely tokens)"),
        ParamSpec::new("maxTokens", ParamKind::whole_range(1.0, 1_000_000.0))
            .optional()
            .describe("Tokens the answer may have at most"),
        ParamSpec::new("stream", ParamKind::Boolean)
            .default(|| json!(true))
            .describe("Stream the answer: progress shows its text as the tokens arrive"),
        ParamSpec::new("maxRetries", ParamKind::whole_range(0.0, 10.0))
            .default(|| json!(3))
            .describe("Retries of a call answered 429 or 5xx, or cut off mid-stream, waiting what the server's Retry-After says"),
        ParamSpec::new("requestTimeout", ParamKind::whole_range(1.0, 3_600_000.0))
            .default(|| json!(300_000))
            .describe("Milliseconds one call may take"),
        ParamSpec::new("tools", ParamKind::Array)
            .optional()
            .describe("What the model may call: [{flowId | node, name?, description?, parameters?}], a saved flow or one node ({type, parameters, id?}), parameters the JSON schema of the arguments")
            .note("A call runs the flow (or the node, as a flow of its own) with the model's arguments as its input's data (as a sub-flow's input arrives), and what it gives (or why it failed) is the model's to read; the flows are pinned when the run starts, as a sub-flow's are"),
        ParamSpec::new("toolChoice", ParamKind::text_min(1))
            .default(|| json!("auto"))
            .describe("What the first answer may do: auto (call tools or answer), required (call one), none, or a tool's name (call it); later answers are auto"),
        ParamSpec::new("maxToolSteps", ParamKind::whole_range(1.0, 50.0))
            .default(|| json!(5))
            .describe("Rounds of tool calls at most; the answer after the last is asked for without tools"),
        ParamSpec::new("tokenBudget", ParamKind::whole_range(1.0, 100_000_000.0))
            .optional()
            .describe("Tokens the node's answers may use together: no answer is asked for once they are spent (the node fails)"),
    ])
    .reads_inputs(&["data"])
});

/// What is wrong beyond the schema: something to send, messages of the right shape, a schema
/// that is an object.
fn issues(parameters: &Map) -> Vec<ParameterIssue> {
    let mut issues = Vec::new();
    let has_prompt =
        parameters.get("prompt").and_then(Value::as_str).is_some_and(|p| !p.is_empty());
    let messages = parameters.get("messages").and_then(Value::as_array);
    if !has_prompt && messages.is_none_or(|m| m.is_empty()) {
        issues.push(ParameterIssue::new("prompt", "'prompt' or 'messages' is required"));
    }
    for (i, message) in messages.into_iter().flatten().enumerate() {
        let role = message.get("role").and_then(Value::as_str);
        let content = message.get("content");
        if !role.is_some_and(|r| ROLES.contains(&r)) {
            issues.push(ParameterIssue::new(
                format!("messages.{i}.role"),
                "a message's role is system, user or assistant",
            ));
        }
        if !content.is_some_and(Value::is_string) {
            issues.push(ParameterIssue::new(
                format!("messages.{i}.content"),
                "a message's content is text (a template)",
            ));
        }
    }
    match parameters.get("schema") {
        None | Some(Value::Null | Value::Object(_)) => {}
        Some(_) => {
            issues.push(ParameterIssue::new("schema", "'schema' is a JSON schema: an object"))
        }
    }
    crate::tools::issues(parameters, &mut issues);
    issues
}

fn parameters() -> Map {
    Map::from_iter([
        ("credential".to_owned(), json!("openai")),
        ("prompt".to_owned(), json!("Summarise in one sentence: {{ text }}")),
    ])
}

pub static DESCRIPTOR: NodeDescriptor = NodeDescriptor {
    node_type: "llm",
    name: "LLM",
    description: "Ask a language model (OpenAI or any compatible server): text or JSON held to a schema, streamed, calling saved flows as tools",
    category: "ai",
    icon: "message-square",
    keywords: &["ai", "gpt", "openai", "chat", "completion", "llama", "model", "prompt", "agent", "tools", "function calling"],
    environment: Environment::NativeAndEditor,
    parameters,
    input_ports: &[PortSpec::input("data", "Data", "any").describe("What the templates read")],
    output_ports: &[PortSpec::output("result", "Result", "object")
        .describe("{text, json?, finishReason, model, usage, answers, calls, toolCalls?}")],
};
