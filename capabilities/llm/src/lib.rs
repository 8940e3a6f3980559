//! The `llm` node type: its declaration (`declaration.rs`: parameters, checks, catalog entry)
//! and what a run of one node does:
//!
//! 1. its parameters are read and its messages written from their templates (`request.rs`);
//! 2. the credential it names says where the model is and how to reach it (`endpoint.rs`);
//! 3. the call goes through the host's HTTP client, retried when the server answers 429 or 5xx
//!    or a stream is cut, waiting what its `Retry-After` asks (`call.rs`); a streamed answer is
//!    read as it arrives (`sse.rs`) and its text so far reported to progress;
//! 4. a JSON answer is parsed and held to the flow's schema (`schema_check.rs`); one that does
//!    not match is asked for again with what was wrong, a bounded number of times;
//! 5. an answer that calls tools runs their flows, and the model is asked again with what
//!    they gave (`tools.rs`), a bounded number of rounds, within a token budget;
//! 6. the answer, its finish reason and the tokens used become the output (`output.rs`).
//!
//! The builds that link this crate know and run the node (the native addon, the browser's
//! editor module, the Node fallback); the browser's default module does not link it, and its
//! validation says where the type runs. A completed node's output is checkpointed as every node's is: a durable run
//! resumed after it does not call the model again.

mod call;
mod declaration;
mod endpoint;
mod output;
mod request;
mod schema_check;
mod sse;
mod tools;

use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::host::SharedHost;
use atomiton_core::nodes::sdk::named_credential;
use atomiton_core::nodes::{Invocation, NodeRegistry, NodeResult};
use atomiton_core::session::SessionCapability;

pub use declaration::{node_type, LlmType, DESCRIPTOR, SCHEMA};

/// The node type's name.
pub const TYPE: &str = "llm";

/// The capability: adds the `llm` type to every session's registry.
pub struct Llm;

impl SessionCapability for Llm {
    fn provide(&self, registry: &mut NodeRegistry) {
        registry.register(node_type());
    }
}

async fn execute(invocation: Invocation, host: SharedHost) -> NodeResult {
    let mut request = request::Request::read(&invocation)?;
    let credential = named_credential(&host, TYPE, &request.credential).await?;
    let endpoint = endpoint::Endpoint::of(&request, credential)?;
    let Some(http) = host.http() else {
        return Err(ExecutionError::new(
            ErrorCode::IMPLEMENTATION_NOT_FOUND,
            format!("[{TYPE}] This environment has no HTTP client"),
        ));
    };
    let mut usage = output::Usage::default();
    let result = answer(&mut request, &endpoint, http, &invocation, &host, &mut usage).await;
    // Every answer asked for was paid for, whether or not the node then succeeded.
    if let (Some(telemetry), Some((input, output))) =
        (invocation.run.telemetry.as_ref(), usage.counted())
    {
        telemetry.tokens(invocation.node_index, input, output);
    }
    result
}

/// Asks until an answer does (or the attempts run out), running the tools the model calls on
/// the way and adding each answer's tokens to `usage`.
async fn answer(
    request: &mut request::Request,
    endpoint: &endpoint::Endpoint,
    http: &dyn atomiton_core::host::effects::HttpClient,
    invocation: &Invocation,
    host: &SharedHost,
    usage: &mut output::Usage,
) -> NodeResult {
    let attempts = match request.format {
        request::Format::Json => request.schema_attempts,
        request::Format::Text => 1,
    };
    let tools = request.tools.clone();
    let definitions = tools.as_ref().map(|tools| tools.definitions(invocation));
    // Answers read as the node's (more than one when one did not match the schema), and rounds
    // of tool calls.
    let mut answers = 0;
    let mut step = 0;
    let mut called = Vec::new();
    let shown = invocation.report.clone().map(sse::Shown::new);
    loop {
        if answers + step > 0 {
            within_budget(request.token_budget, usage)?;
        }
        let offer = tools.as_ref().zip(definitions.as_ref()).map(|(t, d)| (d, t.choice_at(step)));
        let body = call::body(request, endpoint, offer);
        let reply =
            call::complete(http, endpoint, request, body, invocation, shown.as_ref(), host).await?;
        usage.add(reply.usage.as_ref());
        if let Some(tools) = tools.as_ref().filter(|_| !reply.tool_calls.is_empty()) {
            if step >= tools.max_steps {
                return Err(ExecutionError::new(
                    ErrorCode::EXECUTION_FAILED,
                    format!(
                        "[{TYPE}] The model still called tools after {} rounds of tool calls (maxToolSteps)",
                        tools.max_steps
                    ),
                ));
            }
            step += 1;
            let ran = tools.run(&reply.tool_calls, step, invocation).await?;
            called.extend(ran.iter().map(tools::Ran::record));
            request.tools_answered(&reply.text, &ran);
            continue;
        }
        answers += 1;
        let json = match request.format {
            request::Format::Text => None,
            request::Format::Json => {
                match schema_check::answer(&reply.text, request.schema.as_ref()) {
                    Ok(value) => Some(value),
                    Err(problem) if answers < attempts => {
                        request.ask_again(&reply.text, &problem);
                        continue;
                    }
                    Err(problem) => {
                        return Err(schema_check::failed(
                            &problem,
                            answers,
                            request.schema.is_some(),
                        ))
                    }
                }
            }
        };
        let mut result = output::of(reply, json, *usage, answers);
        if let (Some(_), atomiton_core::value::Value::Object(fields)) = (&tools, &mut result) {
            fields.insert("toolCalls", atomiton_core::value::Value::Array(called));
        }
        return Ok(Some(result));
    }
}

/// Whether the node may ask for another answer: not once its answers have used `budget`
/// tokens.
fn within_budget(budget: Option<u64>, usage: &output::Usage) -> Result<(), ExecutionError> {
    match budget {
        Some(budget) if usage.total() >= budget => Err(ExecutionError::new(
            ErrorCode::EXECUTION_FAILED,
            format!(
                "[{TYPE}] The node's answers used {} tokens, its whole tokenBudget of {budget}, before one was complete",
                usage.total()
            ),
        )
        .with_context("tokens", atomiton_core::json!(usage.total() as f64))),
        _ => Ok(()),
    }
}
