//! Tool calling: saved flows (or single nodes, each run as a flow of that one node) the node
//! offers the model as tools. The model answers with the
//! tools it wants called and their arguments; each call runs its flow (nested in the node, as a
//! `sub-flow` runs one, with the run's permissions) with the arguments as its input's `data`, and what
//! the flow gives (or why it failed) goes back to the model as the tool's answer. The model is
//! asked again until it answers without calling a tool, `maxToolSteps` rounds at most.
//!
//! The flows are named in the parameters, so the run pins them when it starts and validation
//! refuses a flow that is missing (at `tools.N.flowId`) or a cycle of calls through them.

use atomiton_core::engine::content_hash;
use atomiton_core::error::{ErrorCode, ExecutionError};
use atomiton_core::nodes::{CalledFlow, Invocation, NodeInput, ParameterIssue};
use atomiton_core::value::{Map, Value};
use atomiton_core::NodeDefinition;
use serde_json::Value as Json;

use crate::sse::ToolCall;
use crate::TYPE;

/// What `toolChoice` may be besides a tool's name.
pub const CHOICES: &[&str] = &["auto", "required", "none"];

/// The longest a tool's answer sent back to the model may be (a flow can give a lot; a model's
/// context is far smaller).
const MAX_TOOL_ANSWER_BYTES: usize = 1 << 20;

/// One tool: a saved flow, or one node the parameters hold (run as a flow of that node); the
/// name the model calls it by, and what the model is told of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    /// The saved flow's id, or the id the run pins a tool that is one node under.
    pub flow_id: String,
    /// A tool that is one node: the flow made of it.
    pub inline: Option<NodeDefinition>,
    pub description: Option<String>,
    /// The JSON schema of its arguments.
    pub parameters: Option<Json>,
}

/// The tools in a node's `tools` parameter, as far as they are readable (validation says what
/// is wrong with the rest): each with its index there.
pub fn declared(parameters: &Map) -> Vec<(usize, Tool)> {
    let Some(Value::Array(tools)) = parameters.get("tools") else { return Vec::new() };
    let text = |tool: &Value, key: &str| {
        tool.get(key).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
    };
    tools
        .iter()
        .enumerate()
        .filter_map(|(i, tool)| {
            let given = text(tool, "name");
            let (name, flow_id, inline) = match (text(tool, "flowId"), tool.get("node")) {
                (Some(flow_id), None) => {
                    (given.unwrap_or_else(|| name_for(&flow_id)), flow_id, None)
                }
                (None, Some(node)) => {
                    let flow = one_node_flow(node)?;
                    let name = given.unwrap_or_else(|| {
                        name_for(flow.children().first().map_or("tool", |n| n.id_str()))
                    });
                    // Pinned by its content: the same node offered twice is one flow.
                    let flow_id = format!("tool {name} #{}", content_hash(&flow));
                    let mut flow = flow;
                    flow.id = Some(flow_id.clone());
                    (name, flow_id, Some(flow))
                }
                _ => return None,
            };
            Some((
                i,
                Tool {
                    name,
                    flow_id,
                    inline,
                    description: text(tool, "description"),
                    parameters: tool
                        .get("parameters")
                        .filter(|p| p.is_object())
                        .and_then(|p| serde_json::to_value(p).ok()),
                },
            ))
        })
        .collect()
}

/// A tool's `node` (one with a type) as a flow of that one node (its id `tool` when it has
/// none).
fn one_node_flow(node: &Value) -> Option<NodeDefinition> {
    if !node.is_object() {
        return None;
    }
    let mut node: NodeDefinition = atomiton_core::value::from_value(node.clone()).ok()?;
    if node.type_str().is_empty() {
        return None;
    }
    if node.id.as_deref().is_none_or(str::is_empty) {
        node.id = Some("tool".into());
    }
    Some(NodeDefinition::group("tool", vec![node], Vec::new()))
}

impl Tool {
    /// The node a tool that is one node runs.
    fn node(&self) -> Option<&NodeDefinition> {
        self.inline.as_ref().and_then(|flow| flow.children().first())
    }
}

/// The flows the tools call, for the run to pin (a tool that is one node, as the flow made of
/// it).
pub fn called_flows(parameters: &Map) -> Vec<CalledFlow> {
    declared(parameters)
        .into_iter()
        .map(|(i, tool)| CalledFlow {
            field: format!("tools.{i}.{}", if tool.inline.is_some() { "node" } else { "flowId" }),
            flow_id: tool.flow_id,
            inline: tool.inline,
        })
        .collect()
}

/// The name a tool gets from its flow's id: what OpenAI allows in a function's name (letters,
/// digits, `_` and `-`, 64 at most), anything else as `_`.
fn name_for(flow_id: &str) -> String {
    flow_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .take(64)
        .collect()
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// What is wrong with `tools` and `toolChoice`.
pub fn issues(parameters: &Map, issues: &mut Vec<ParameterIssue>) {
    let tools = match parameters.get("tools") {
        None | Some(Value::Null) => &Vec::new(),
        Some(Value::Array(tools)) => tools,
        Some(_) => {
            issues.push(ParameterIssue::new(
                "tools",
                "'tools' is a list: [{flowId, name?, description?, parameters?}]",
            ));
            return;
        }
    };
    let declared = declared(parameters);
    for (i, tool) in tools.iter().enumerate() {
        let flow_id = tool.get("flowId").and_then(Value::as_str).is_some_and(|id| !id.is_empty());
        match tool.get("node") {
            None if !flow_id => issues.push(ParameterIssue::new(
                format!("tools.{i}.flowId"),
                "a tool is a saved flow (flowId) or one node (node): one of them is required",
            )),
            Some(_) if flow_id => issues.push(ParameterIssue::new(
                format!("tools.{i}.node"),
                "a tool is a saved flow (flowId) or one node (node), not both",
            )),
            Some(node) if one_node_flow(node).is_none() => issues.push(ParameterIssue::new(
                format!("tools.{i}.node"),
                "a tool's node is a node of a flow: {type, parameters?, id?}",
            )),
            _ => {}
        }
        if tool.get("parameters").is_some_and(|p| !p.is_object() && !p.is_null()) {
            issues.push(ParameterIssue::new(
                format!("tools.{i}.parameters"),
                "a tool's parameters are a JSON schema: an object",
            ));
        }
    }
    for (n, (i, tool)) in declared.iter().enumerate() {
        if !valid_name(&tool.name) {
            issues.push(ParameterIssue::new(
                format!("tools.{i}.name"),
                "a tool's name is 1 to 64 letters, digits, _ or -",
            ));
        } else if declared[..n].iter().any(|(_, other)| other.name == tool.name) {
            issues.push(ParameterIssue::new(
                format!("tools.{i}.name"),
                format!("two tools are named '{}': give one a name of its own", tool.name),
            ));
        }
    }
    if let Some(choice) = parameters.get("toolChoice").and_then(Value::as_str) {
        if !CHOICES.contains(&choice) && !declared.iter().any(|(_, t)| t.name == choice) {
            issues.push(ParameterIssue::new(
                "toolChoice",
                format!("'toolChoice' is auto, required, none or a tool's name, not '{choice}'"),
            ));
        }
    }
}

/// The tools a node offers and how it lets the model use them.
#[derive(Debug, Clone)]
pub struct Tools {
    pub list: Vec<Tool>,
    /// `auto`, `required`, `none` or a tool's name: what the first answer may do.
    pub choice: String,
    /// Rounds of tool calls at most; the answer after the last is asked for without tools.
    pub max_steps: u32,
}

/// What one tool call gave.
pub struct Ran {
    pub call: ToolCall,
    /// The tool called, when there is one of that name.
    pub tool: Option<Tool>,
    /// The arguments as read, when they were JSON.
    pub arguments: Option<Json>,
    /// The flow's output, or why there is none.
    pub result: Result<Value, String>,
}

impl Tools {
    /// The `tools` entry of a request: each tool as a function, described by what the node says
    /// or else by its flow's own description or name.
    pub fn definitions(&self, invocation: &Invocation) -> Json {
        let flows = invocation.flows.as_ref();
        let functions: Vec<Json> = self
            .list
            .iter()
            .map(|tool| {
                let flow = match tool.node() {
                    Some(node) => Some(std::sync::Arc::new(node.clone())),
                    None => flows.and_then(|flows| flows.0.flow(&tool.flow_id)),
                };
                let description = tool.description.clone().or_else(|| {
                    let flow = flow.as_ref()?;
                    let described = flow.metadata.as_ref().and_then(|m| m.description());
                    let extra = flow.extra.get("description").and_then(Value::as_str);
                    described.or(extra).or(flow.name.as_deref()).map(str::to_owned)
                });
                let parameters = tool
                    .parameters
                    .clone()
                    .unwrap_or_else(|| serde_json::json!({"type": "object", "properties": {}}));
                let mut function = serde_json::json!({"name": tool.name, "parameters": parameters});
                if let (Some(description), Some(fields)) = (description, function.as_object_mut()) {
                    fields.insert("description".into(), description.into());
                }
                serde_json::json!({"type": "function", "function": function})
            })
            .collect();
        Json::Array(functions)
    }

    /// The `tool_choice` of the answer after `step` rounds of tool calls: the node's choice
    /// first; `auto` once tools have answered (a choice that forces a call would otherwise
    /// force one for ever); `none` after the last round, so that the model answers.
    pub fn choice_at(&self, step: u32) -> Json {
        let choice = if step >= self.max_steps {
            "none"
        } else if step > 0 && self.choice != "none" {
            "auto"
        } else {
            self.choice.as_str()
        };
        if CHOICES.contains(&choice) {
            Json::from(choice)
        } else {
            serde_json::json!({"type": "function", "function": {"name": choice}})
        }
    }

    /// Runs the calls of one answer (round `step`, from 1) at once, each its tool's flow with
    /// its arguments as input; a call's failure is its answer to the model, not the node's.
    /// Only a cancelled run stops them.
    pub async fn run(
        &self,
        calls: &[ToolCall],
        step: u32,
        invocation: &Invocation,
    ) -> Result<Vec<Ran>, ExecutionError> {
        let runs =
            calls.iter().enumerate().map(|(i, call)| self.run_one(call, step, i, invocation));
        let ran = futures::future::join_all(runs).await;
        if invocation.signal.is_cancelled() {
            return Err(ExecutionError::new(ErrorCode::CANCELLED, format!("[{TYPE}] Cancelled")));
        }
        Ok(ran)
    }

    async fn run_one(&self, call: &ToolCall, step: u32, i: usize, invocation: &Invocation) -> Ran {
        let mut ran =
            Ran { call: call.clone(), tool: None, arguments: None, result: Err(String::new()) };
        if ran.call.id.is_empty() {
            ran.call.id = format!("call_{step}_{i}");
        }
        let Some(tool) = self.list.iter().find(|tool| tool.name == call.name) else {
            let names: Vec<&str> = self.list.iter().map(|t| t.name.as_str()).collect();
            ran.result = Err(format!(
                "There is no tool '{}'; the tools are: {}",
                call.name,
                names.join(", ")
            ));
            return ran;
        };
        ran.tool = Some(tool.clone());
        let arguments = if call.arguments.trim().is_empty() {
            Ok(serde_json::json!({}))
        } else {
            serde_json::from_str::<Json>(&call.arguments)
        };
        let arguments = match arguments {
            Ok(arguments) => arguments,
            Err(error) => {
                ran.result = Err(format!("The arguments are not JSON: {error}"));
                return ran;
            }
        };
        ran.arguments = Some(arguments.clone());
        let Some(flows) = invocation.flows.as_ref() else {
            ran.result = Err(format!("This run cannot call tool '{}'", tool.name));
            return ran;
        };
        // Under `data`, the port a sub-flow's input arrives at: a flow written to be called by a
        // `sub-flow` node serves as a tool as it is.
        let mut input = Map::new();
        input.insert("data", atomiton_core::value::to_value(&arguments).unwrap_or(Value::Null));
        let input = Value::Object(input);
        let key = format!("tool {step}.{i}");
        let called = flows
            .0
            .call(&tool.flow_id, NodeInput::from_value(input), &key, invocation.signal.child())
            .await;
        ran.result = match called {
            Ok(output) => Ok(output.map_or(Value::Null, |output| (*output).clone())),
            Err(error) => {
                let at = error.node_id.as_deref().map(|n| format!(" at '{n}'")).unwrap_or_default();
                Err(format!(
                    "Flow '{}' failed{at}: {} ({})",
                    tool.flow_id, error.message, error.code
                ))
            }
        };
        ran
    }
}

impl Ran {
    /// What the model is told: the flow's output as JSON (a text as it is), or the error.
    pub fn answer(&self) -> String {
        let text = match &self.result {
            Ok(Value::String(text)) => text.to_string(),
            Ok(value) => serde_json::to_string(value).unwrap_or_default(),
            Err(error) => serde_json::json!({"error": error}).to_string(),
        };
        if text.len() <= MAX_TOOL_ANSWER_BYTES {
            return text;
        }
        let mut end = MAX_TOOL_ANSWER_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… (cut at {MAX_TOOL_ANSWER_BYTES} bytes of {})", &text[..end], text.len())
    }

    /// The call as the node's output lists it: `{id, name, flowId | nodeType, arguments,
    /// output | error}`.
    pub fn record(&self) -> Value {
        let mut record = Map::new();
        record.insert("id", Value::from(self.call.id.as_str()));
        record.insert("name", Value::from(self.call.name.as_str()));
        match self.tool.as_ref().map(|tool| (tool, tool.node())) {
            Some((_, Some(node))) => record.insert("nodeType", Value::from(node.type_str())),
            Some((tool, None)) => record.insert("flowId", Value::from(tool.flow_id.as_str())),
            None => record.insert("flowId", Value::Null),
        };
        let arguments = match &self.arguments {
            Some(arguments) => atomiton_core::value::to_value(arguments).unwrap_or(Value::Null),
            None => Value::from(self.call.arguments.as_str()),
        };
        record.insert("arguments", arguments);
        match &self.result {
            Ok(output) => record.insert("output", output.clone()),
            Err(error) => record.insert("error", Value::from(error.as_str())),
        };
        Value::Object(record)
    }
}
