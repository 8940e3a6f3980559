//! The node reference (`docs/nodes.md`): every built-in type's parameters, inputs, output and
//! examples, written from the catalog and the schemas, so it says what the engine does. A test
//! of the native host runs each example and rewrites (or checks) the file.

use std::fmt::Write;

use super::{NodeDescriptor, NodeExample, OutputField};
use atomiton_core::nodes::schema::{ExpressionForm, NodeSchema, ParamKind, ParamSpec, TextFormat};
use atomiton_core::nodes::NodeType;
use atomiton_core::value::Value;

mod database;
mod edit_fields;
mod email;
mod file_system;
mod for_each;
mod group;
mod http_request;
mod r#if;
mod image;
mod llm;
mod r#loop;
mod merge;
mod parallel;
mod python;
mod schedule;
mod shell_command;
mod spreadsheet;
mod sub_flow;
mod switch;
mod transform;
mod wait;

/// A built-in type's output fields and examples.
fn docs(node_type: &str) -> (&'static [OutputField], &'static [NodeExample]) {
    match node_type {
        "parallel" => (parallel::OUTPUT, parallel::EXAMPLES),
        "group" => (group::OUTPUT, group::EXAMPLES),
        "image" => (image::OUTPUT, image::EXAMPLES),
        "http-request" => (http_request::OUTPUT, http_request::EXAMPLES),
        "file-system" => (file_system::OUTPUT, file_system::EXAMPLES),
        "edit-fields" => (edit_fields::OUTPUT, edit_fields::EXAMPLES),
        "transform" => (transform::OUTPUT, transform::EXAMPLES),
        "shell-command" => (shell_command::OUTPUT, shell_command::EXAMPLES),
        "spreadsheet" => (spreadsheet::OUTPUT, spreadsheet::EXAMPLES),
        "loop" => (r#loop::OUTPUT, r#loop::EXAMPLES),
        "if" => (r#if::OUTPUT, r#if::EXAMPLES),
        "switch" => (switch::OUTPUT, switch::EXAMPLES),
        "merge" => (merge::OUTPUT, merge::EXAMPLES),
        "for-each" => (for_each::OUTPUT, for_each::EXAMPLES),
        "sub-flow" => (sub_flow::OUTPUT, sub_flow::EXAMPLES),
        "wait" => (wait::OUTPUT, wait::EXAMPLES),
        "python" => (python::OUTPUT, python::EXAMPLES),
        "schedule" => (schedule::OUTPUT, schedule::EXAMPLES),
        "database" => (database::OUTPUT, database::EXAMPLES),
        "llm" => (llm::OUTPUT, llm::EXAMPLES),
        "email" => (email::OUTPUT, email::EXAMPLES),
        _ => (&[], &[]),
    }
}

/// The reference as Markdown. `output` gives each example's output as the text to print (JSON,
/// or the error the example fails with).
pub fn node_reference(output: &mut dyn FnMut(&str, &NodeExample) -> String) -> String {
    let registry = crate::definition::catalog_registry();
    let mut names = registry.names();
    names.sort_unstable();
    let types: Vec<&dyn NodeType> =
        names.iter().filter_map(|name| registry.get(name)).map(|node| node.as_ref()).collect();
    let mut out = String::from(INTRO);
    out.push_str("\n| type | what it does | runs |\n|---|---|---|\n");
    for node in &types {
        if let Some(d) = node.descriptor() {
            let _ = writeln!(
                out,
                "| [`{0}`](#{0}) | {1} | {2} |",
                d.node_type,
                d.description,
                environment(d)
            );
        }
    }
    out.push_str(ENGINE_PARAMETERS);
    for node in types {
        let (Some(descriptor), Some(schema)) = (node.descriptor(), node.schema()) else {
            continue;
        };
        type_section(&mut out, descriptor, schema, output);
    }
    out
}

const INTRO: &str = "# Node reference

Every built-in node type: its parameters (with their types, defaults and allowed values), the
inputs an edge may deliver to, the output it gives, and examples with the output they give.
This file is written from the engine's own catalog, and the examples are run to write it:
`cargo test -p atomiton-native-host --test node_reference` fails when it is stale, and
`ATOMITON_WRITE_DOCS=1` with that command rewrites it.

A parameter a type does not know, or an edge `targetHandle` naming an input it does not read,
is a `VALIDATION_FAILED` issue (with the name it probably meant) before anything runs; with
`ConductorConfig.strictParameters: false` it is a warning instead (in `validate()`'s `warnings`,
the result's `warnings` and the run's log). In a flow without a `version` (or a 1.x one), an
edge without a `targetHandle` delivers the source's whole output under `default`, which no
built-in reads: it only orders the two nodes. In a flow of version 2 or later an edge carries
the port its `sourceHandle` names (a type's first output port when it names none: the field of
the output that port carries) to the input its `targetHandle` names (the type's main input when
it names none); see docs/flow-format.md. A disabled node (`enabled: false`) passes whatever it
is given on as its output.
";

const ENGINE_PARAMETERS: &str = "
## Parameters of every node

| parameter | type | default | what it does |
|---|---|---|---|
| `enabled` | boolean | `true` | `false`: the node is skipped and its input passes on as its output |
| `timeout` | number of ms, > 0 | none | Bounds each attempt (`TIMEOUT`); not a group with children (bound a run with the conductor's or the run's `timeout`) |
| `retries` | whole number ≥ 0 | `0` | Extra attempts after a retryable failure (`TIMEOUT`, `RATE_LIMIT_EXCEEDED`, network errors), capped by the conductor's `maxRetries` |
| `retryDelay` | number of ms ≥ 0 | the conductor's `retryDelay` | Base of this node's retry backoff (doubling, with jitter) |
| `cache` | `true`, `false` or `{ttlMs}` | by type | Whether the result cache may serve this node (conductors with `cache`) |
| `onError` | `\"stop\"`, `\"continue\"` or `\"route\"` | `\"stop\"` | When the node fails (after its retries): stop the run; or go on with `{error: {code, message, nodeId, type}}` as its output; or send that out of its `error` port (an edge with `sourceHandle: \"error\"`) and skip what its other edges reach. A run whose failures were all handled succeeds |
| `idempotent` | boolean | `false` | A durable run interrupted while this node ran runs it again without asking |
| `label` | string | — | A name for editors |
| `description` | string | — | A note for editors |
";

fn environment(descriptor: &NodeDescriptor) -> &'static str {
    match descriptor.environment {
        super::Environment::Everywhere => "everywhere",
        super::Environment::NativeOnly => "in Node only",
        super::Environment::Mixed => "everywhere (files in Node only)",
        super::Environment::NativeAndEditor => "in Node, and in a browser's editor module",
    }
}

fn type_section(
    out: &mut String,
    descriptor: &NodeDescriptor,
    schema: &NodeSchema,
    output: &mut dyn FnMut(&str, &NodeExample) -> String,
) {
    let _ = write!(
        out,
        "\n## {}\n\n{} Runs {}.\n\n### Parameters\n\n",
        descriptor.node_type,
        sentence(descriptor.description),
        environment(descriptor)
    );
    let (current, legacy): (Vec<&ParamSpec>, Vec<&ParamSpec>) =
        schema.params.iter().partition(|p| !matches!(p.kind, ParamKind::Only { .. }));
    out.push_str("| parameter | type | default | what it does |\n|---|---|---|---|\n");
    for spec in current {
        let default = spec.default.or(spec.declared_default).map_or_else(
            || if spec.may_be_absent() { "—".into() } else { "required".into() },
            |d| format!("`{}`", d()),
        );
        let mut doc = spec.description.unwrap_or("").to_owned();
        if let Some(note) = spec.note {
            let _ = write!(doc, "{}{}", if doc.is_empty() { "" } else { ". " }, sentence(note));
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            spec.name,
            kind_text(&spec.kind),
            default,
            cell(&doc)
        );
    }
    if !legacy.is_empty() {
        out.push_str("\nAccepted at one value only — the TypeScript engine's editor wrote them into every new node, and no engine read them; another value is refused, as it would be ignored:\n\n");
        for spec in legacy {
            if let ParamKind::Only { json, why } = spec.kind {
                let _ = writeln!(out, "- `{}`: `{json}` ({why})", spec.name);
            }
        }
    }
    out.push_str("\n### Inputs\n\n");
    if schema.inputs.contains(&"*") {
        out.push_str("Any key: what an edge delivers is passed on.\n");
    } else {
        out.push_str("What an edge's `targetHandle` may name; an input of a parameter's name takes that parameter's place.\n\n| input | what it is |\n|---|---|\n");
        for input in &schema.inputs {
            let port = descriptor.input_ports.iter().find(|p| p.id == *input);
            let doc = port.and_then(|p| p.description).unwrap_or_else(|| {
                if schema.param(input).is_some() {
                    "Over the parameter of this name"
                } else {
                    "—"
                }
            });
            let _ = writeln!(out, "| `{input}` | {} |", cell(doc));
        }
    }
    out.push_str("\n### Output ports\n\nWhat an edge's `sourceHandle` may name (the first is the port an edge without one leaves from). In a flow of version 2 or later an edge carries what its port does; in an older flow, the whole output.\n\n| port | carries (version 2) | what it is |\n|---|---|---|\n");
    for port in descriptor.output_ports {
        let carries = match port.field {
            Some(field) => format!("the output's `{field}`"),
            None => "the whole output".to_owned(),
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} |",
            port.id,
            carries,
            cell(port.description.unwrap_or(port.name))
        );
    }
    out.push_str("| `error` | `{error: {code, message, nodeId, type}}` | With `onError: \"route\"`: the node's failure (the other ports then carry nothing) |\n");
    let (fields, examples) = docs(descriptor.node_type);
    out.push_str("\n### Output\n\n| field | type | what it is |\n|---|---|---|\n");
    for field in fields {
        let _ = writeln!(out, "| `{}` | `{}` | {} |", field.name, cell(field.ty), cell(field.doc));
    }
    if !examples.is_empty() {
        out.push_str("\n### Examples\n");
    }
    for example in examples {
        let _ = write!(
            out,
            "\n**{}**\n\n```json\n{{\"type\": \"{}\", \"parameters\": {}}}\n```\n\n",
            example.title,
            descriptor.node_type,
            compact(example.parameters)
        );
        if compact(example.input) != "{}" {
            let _ = write!(out, "Input: `{}`\n\n", compact(example.input));
        }
        let _ = write!(out, "Output:\n\n```json\n{}\n```\n", output(descriptor.node_type, example));
    }
}

/// A parameter kind in words.
fn kind_text(kind: &ParamKind) -> String {
    match kind {
        ParamKind::Text { min_len, format } => match (format, min_len) {
            (TextFormat::Url, _) => "URL".into(),
            (TextFormat::Email, _) => "email address".into(),
            (_, 0) => "string".into(),
            _ => "non-empty string".into(),
        },
        ParamKind::Number { min, max, exclusive_min, integer } => {
            let mut text = if *integer { "whole number".to_owned() } else { "number".to_owned() };
            let num = |n: f64| atomiton_core::format::js_number(n);
            match (min, max) {
                (Some(a), Some(b)) => {
                    let _ = write!(
                        text,
                        " {}{}–{}",
                        if *exclusive_min { ">" } else { "" },
                        num(*a),
                        num(*b)
                    );
                }
                (Some(a), None) => {
                    let _ = write!(text, " {} {}", if *exclusive_min { ">" } else { "≥" }, num(*a));
                }
                (None, Some(b)) => {
                    let _ = write!(text, " ≤ {}", num(*b));
                }
                (None, None) => {}
            }
            text
        }
        ParamKind::Boolean => "boolean".into(),
        ParamKind::Enum(options) => {
            options.iter().map(|o| format!("`\"{o}\"`")).collect::<Vec<_>>().join(", ")
        }
        ParamKind::StringList { .. } => "string[] (paths)".into(),
        ParamKind::StringListOrJson => "string[] or its JSON text".into(),
        ParamKind::Array => "array".into(),
        ParamKind::RecordOrJson => "object or its JSON text".into(),
        ParamKind::StringRecordOrJson => "object of strings or its JSON text".into(),
        ParamKind::Expression(form) => match form {
            ExpressionForm::Function { implicit } => {
                format!("expression of `{}`", implicit.join("`, `"))
            }
            ExpressionForm::Condition { variables } => {
                format!("condition of `{}`", variables.join("`, `"))
            }
            ExpressionForm::PerOperation { implicit, .. } => {
                format!("expression of `{}` (a reduce: `acc`, `item`)", implicit.join("`, `"))
            }
        },
        ParamKind::Any => "any".into(),
        ParamKind::Only { json, .. } => format!("only `{json}`"),
    }
}

/// JSON text on one line.
fn compact(json: &str) -> String {
    serde_json::from_str::<Value>(json).map(|v| v.to_string()).unwrap_or_else(|_| json.to_owned())
}

/// Text for a table cell: pipes escaped, one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// `text` ending with a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with('.') || text.ends_with(')') && text.contains('.') {
        text.to_owned()
    } else {
        format!("{text}.")
    }
}
