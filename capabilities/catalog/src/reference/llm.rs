//! What the node reference (`docs/nodes.md`) says of this type beyond its schema: its output and
//! its examples (run by the reference's test against the test server's small stand-in of an
//! OpenAI-compatible server, credential `model`, which repeats the last message it was given or,
//! asked for JSON, answers `{"stars": 1}`; the npm suite runs the node against a real model).

use super::super::{NodeExample, OutputField};

pub(crate) const OUTPUT: &[OutputField] = &[
    OutputField::new("text", "string", "The answer, as the model wrote it."),
    OutputField::new(
        "json",
        "any",
        "With responseFormat json or a schema: the answer parsed (and matching the schema).",
    ),
    OutputField::new(
        "finishReason",
        "string | null",
        "Why the answer ended, as the server said: stop, length, ...",
    ),
    OutputField::new("model", "string", "The model that answered, as the server named it."),
    OutputField::new(
        "usage",
        "object | null",
        "{promptTokens, completionTokens, totalTokens}, summed over every answer asked for; null when the server counted nothing.",
    ),
    OutputField::new(
        "answers",
        "number",
        "Answers asked for: more than one when an answer did not match the schema and was asked for again.",
    ),
    OutputField::new(
        "calls",
        "number",
        "HTTP calls the last answer took: more than one when a 429, a 5xx or a cut stream was retried.",
    ),
    OutputField::new(
        "toolCalls",
        "array",
        "With tools: every tool call made, in order, as {id, name, flowId (or nodeType), arguments, output} or {..., error}.",
    ),
];

pub(crate) const EXAMPLES: &[NodeExample] = &[
    NodeExample::new(
        "Ask with a template of the input (the answer streams; progress shows it as it grows)",
        r#"{"credential": "model", "system": "You answer in one line.", "prompt": "Summarise: {{ review }}", "temperature": 0}"#,
        r#"{"data": {"review": "Arrived late, works well."}}"#,
    ),
    NodeExample::new(
        "A JSON answer held to a schema",
        r#"{"credential": "model", "prompt": "Rate this review from 1 to 5: {{ review }}", "schema": {"type": "object", "properties": {"stars": {"type": "integer", "minimum": 1, "maximum": 5}}, "required": ["stars"]}, "stream": false}"#,
        r#"{"data": {"review": "Arrived broken."}}"#,
    ),
    NodeExample::new(
        "Refuse a tool whose flow no storage holds (tools are saved flows: docs/connectors.md shows one called)",
        r#"{"credential": "model", "prompt": "What is the weather in Oslo?", "tools": [{"flowId": "weather", "parameters": {"type": "object", "properties": {"cities": {"type": "array", "items": {"type": "string"}}}}}]}"#,
        r#"{}"#,
    ),
    NodeExample::new(
        "Refuse a credential that is not a model server's",
        r#"{"credential": "shop", "prompt": "Hello"}"#,
        r#"{}"#,
    ),
];
