//! `npm/src/types/options.generated.ts`: the option declarations of [`crate::options`] as
//! TypeScript — each shape's type with its documentation, the declarations themselves as data
//! for the checks the npm package's entries run, and `sessionConfigJson`, which hands a session
//! the fields it reads.

use std::collections::BTreeSet;
use std::fmt::Write;

use crate::options::conductor::{CONDUCTOR_CONFIG, ENTRIES};
use crate::options::declare::{Entries, Field, JsCheck, Kind, Range, Shape, Wire};
use crate::options::queue::QUEUE_WORKER;
use crate::options::run::{EXECUTION_REQUEST, RUN_OPTIONS};
use crate::options::server::{SERVER, SERVE_FILE};

/// Where the TypeScript types a declaration names by text come from.
const IMPORTS: &[(&str, &str)] = &[
    ("ConductorTransport", "./execution.js"),
    ("NodeExecutorFactory", "./execution.js"),
    ("ConductorExecutionContext", "./execution.js"),
    ("ConductorLogger", "./logging.js"),
    ("WebSocketConstructor", "./websocket-client.js"),
    ("AtomitonBridge", "./channel-transport.js"),
    ("ChannelTransport", "./channel-transport.js"),
    ("FetchLike", "./fetch.js"),
    ("AppStorage", "./app-storage.js"),
    ("IpcMainLike", "./electron-ipc.js"),
    ("WebContentsLike", "./electron-ipc.js"),
    ("WorkerOption", "./worker-option.js"),
    ("ExecutionFallback", "./execution-fallback.js"),
    ("ChannelGrant", "./server-auth.js"),
    ("UserVerifier", "./server-auth.js"),
    ("WebSocketServerClass", "./websocket-server.js"),
    ("QueueWorkerEvent", "./queue-worker-event.js"),
];

/// The generated file's text.
pub(super) fn options_file(header: &str) -> String {
    let roots: Vec<&'static Shape> = ENTRIES
        .iter()
        .map(|(_, shape)| *shape)
        .chain([&QUEUE_WORKER, &RUN_OPTIONS, &EXECUTION_REQUEST, &SERVER, &SERVE_FILE])
        .collect();
    let mut named: Vec<&'static Shape> = Vec::new();
    for root in &roots {
        collect_named(root, &mut named);
    }
    let mut out = String::from(header);
    out.push_str("// Every option a user writes, from its one declaration (core/src/options/): the types, the\n// declarations the entries check options against (npm/src/options/check.ts), and what a session reads.\n\n");
    let mut used: BTreeSet<(&str, &str)> = BTreeSet::new();
    for shape in &named {
        for field in shape.fields {
            ts_names(&field.kind, &mut used);
            ts_names(&Kind::Js { ts: field.ts, check: JsCheck::Any }, &mut used);
        }
    }
    let mut by_module: Vec<(&str, Vec<&str>)> = Vec::new();
    for (name, module) in used {
        match by_module.iter_mut().find(|(m, _)| *m == module) {
            Some((_, names)) => names.push(name),
            None => by_module.push((module, vec![name])),
        }
    }
    by_module.sort();
    for (module, names) in &by_module {
        let _ = writeln!(out, "import type {{ {} }} from \"{module}\";", names.join(", "));
    }
    out.push_str("import type { OptionShape } from \"./option-declaration.js\";\n\n");
    for shape in &named {
        type_declaration(&mut out, shape);
    }
    out.push_str("/** Each entry, as the declarations' `entries` bits name it. */\n");
    out.push_str("export const ENTRY = {\n");
    for (bits, name) in Entries::NAMES {
        let _ = writeln!(out, "  {name}: {},", bits.0);
    }
    out.push_str("} as const;\n\n");
    for shape in &named {
        shape_constant(&mut out, shape);
    }
    session_config_json(&mut out);
    out
}

/// Named shapes reachable from `shape`, each once, every shape after those it refers to.
fn collect_named(shape: &'static Shape, out: &mut Vec<&'static Shape>) {
    if out.iter().any(|s| std::ptr::eq(*s, shape)) {
        return;
    }
    for parent in shape.extends {
        collect_named(parent, out);
    }
    for field in shape.fields {
        for inner in shapes_in(&field.kind) {
            if inner.name.is_empty() {
                for field in inner.fields {
                    for deeper in shapes_in(&field.kind) {
                        collect_named(deeper, out);
                    }
                }
            } else {
                collect_named(inner, out);
            }
        }
    }
    if !shape.name.is_empty() {
        out.push(shape);
    }
}

/// The shapes a kind refers to directly.
fn shapes_in(kind: &Kind) -> Vec<&'static Shape> {
    match kind {
        Kind::Object(shape) => vec![*shape],
        Kind::ListOf(inner) | Kind::RecordOf(inner) => shapes_in(inner),
        Kind::Either(kinds) => kinds.iter().flat_map(shapes_in).collect(),
        _ => Vec::new(),
    }
}

/// The imported type names a kind's TypeScript text uses.
fn ts_names(kind: &Kind, used: &mut BTreeSet<(&'static str, &'static str)>) {
    let text = match kind {
        Kind::Js { ts, .. } | Kind::Any { ts } => *ts,
        Kind::ListOf(inner) | Kind::RecordOf(inner) => return ts_names(inner, used),
        Kind::Either(kinds) => return kinds.iter().for_each(|k| ts_names(k, used)),
        Kind::Object(shape) if shape.name.is_empty() => {
            return shape.fields.iter().for_each(|f| ts_names(&f.kind, used))
        }
        _ => return,
    };
    for (name, module) in IMPORTS {
        if text.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| word == *name) {
            used.insert((name, module));
        }
    }
}

/// `/** ... */` at `indent`, wrapped at 100 columns.
fn doc_comment(out: &mut String, indent: &str, doc: &str) {
    if doc.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    let width = 100usize.saturating_sub(indent.len() + 3);
    let mut line = String::new();
    for word in doc.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent} * {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent} * {line}");
    }
    let _ = writeln!(out, "{indent} */");
}

/// A kind's TypeScript type.
fn ts_type(kind: &Kind, indent: &str) -> String {
    match kind {
        Kind::Boolean => "boolean".into(),
        Kind::Number(_) => "number".into(),
        Kind::Text { .. } => "string".into(),
        Kind::OneOf(choices) => {
            choices.iter().map(|c| format!("\"{}\"", c.value)).collect::<Vec<_>>().join(" | ")
        }
        Kind::ListOf(inner) => format!("{}[]", parenthesised(inner, indent)),
        Kind::RecordOf(inner) => format!("Record<string, {}>", ts_type(inner, indent)),
        Kind::Object(shape) if !shape.name.is_empty() => shape.name.into(),
        Kind::Object(shape) => {
            let mut out = String::from("{\n");
            let inner = format!("{indent}  ");
            members(&mut out, shape.fields, &inner);
            out.push_str(indent);
            out.push('}');
            out
        }
        Kind::Either(kinds) => {
            kinds.iter().map(|k| ts_type(k, indent)).collect::<Vec<_>>().join(" | ")
        }
        Kind::Js { ts, .. } | Kind::Any { ts } => (*ts).into(),
    }
}

fn parenthesised(kind: &Kind, indent: &str) -> String {
    let text = ts_type(kind, indent);
    if text.contains(' ') {
        format!("({text})")
    } else {
        text
    }
}

fn members(out: &mut String, fields: &[Field], indent: &str) {
    for field in fields {
        let mut doc = field.doc.to_owned();
        if field.entries != Entries::ALL {
            let names: Vec<&str> = Entries::NAMES
                .iter()
                .filter(|(bits, _)| field.entries.contains(*bits))
                .map(|(_, name)| *name)
                .collect();
            if names.len() < 5 {
                let _ = write!(doc, " Entries: {}.", names.join(", "));
            }
        }
        doc_comment(out, indent, &doc);
        let optional = if field.required { "" } else { "?" };
        let ts =
            if field.ts.is_empty() { ts_type(&field.kind, indent) } else { field.ts.to_owned() };
        let _ = writeln!(out, "{indent}{}{optional}: {ts};", field.name);
    }
}

fn type_declaration(out: &mut String, shape: &Shape) {
    doc_comment(out, "", shape.doc);
    let _ = write!(out, "export type {} = ", shape.name);
    if let Some(parent) = shape.extends.first() {
        out.push_str(&inherited(shape, parent));
        out.push_str(" & ");
    }
    out.push_str("{\n");
    members(out, shape.fields, "  ");
    out.push_str("};\n\n");
}

/// What an entry's type takes of the shape it extends: all of it, all but what it redeclares
/// (`Omit`), or the fields the entry accepts (`Pick`).
fn inherited(shape: &Shape, parent: &Shape) -> String {
    let entry = ENTRIES.iter().find(|(_, s)| std::ptr::eq(*s, shape)).map(|(bits, _)| *bits);
    let own: Vec<&str> = shape.fields.iter().map(|f| f.name).collect();
    let parent_fields = parent.all_fields();
    let kept: Vec<&str> = parent_fields
        .iter()
        .filter(|f| !own.contains(&f.name))
        .filter(|f| entry.is_none_or(|bits| f.entries.contains(bits)))
        .map(|f| f.name)
        .collect();
    let quoted =
        |names: &[&str]| names.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(" | ");
    if kept.len() + own.iter().filter(|n| parent.field(n).is_some()).count() == parent_fields.len()
    {
        let omitted: Vec<&str> =
            own.iter().copied().filter(|n| parent.field(n).is_some()).collect();
        if omitted.is_empty() {
            return parent.name.to_owned();
        }
        return format!("Omit<{}, {}>", parent.name, quoted(&omitted));
    }
    format!("Pick<{}, {}>", parent.name, quoted(&kept))
}

/// The declaration of a shape as data, for the checks.
fn shape_constant(out: &mut String, shape: &Shape) {
    let _ = writeln!(out, "/** The declaration of `{}`. */", shape.name);
    let _ = writeln!(
        out,
        "export const {}_SHAPE: OptionShape = {};\n",
        shape.name,
        shape_data(shape, "")
    );
}

fn shape_data(shape: &Shape, indent: &str) -> String {
    let inner = format!("{indent}    ");
    let mut fields = String::new();
    for field in shape.all_fields() {
        let _ =
            write!(fields, "\n{inner}{}: {{ kind: {}", field.name, kind_data(&field.kind, &inner));
        if field.required {
            fields.push_str(", required: true");
        }
        if field.entries != Entries::ALL {
            let _ = write!(fields, ", entries: {}", field.entries.0);
        }
        if !field.elsewhere.is_empty() {
            let _ = write!(fields, ", elsewhere: {}", super::json(field.elsewhere));
        }
        fields.push_str(" },");
    }
    format!("{{ name: {}, fields: {{{fields}\n{indent}  }} }}", super::json(shape.name))
}

fn kind_data(kind: &Kind, indent: &str) -> String {
    match kind {
        Kind::Boolean => "{ k: \"boolean\" }".into(),
        Kind::Number(range) => number_data(range),
        Kind::Text { non_empty } => {
            format!("{{ k: \"text\"{} }}", if *non_empty { ", nonEmpty: true" } else { "" })
        }
        Kind::OneOf(choices) => {
            let items: Vec<String> = choices
                .iter()
                .map(|c| {
                    if c.entries == Entries::ALL {
                        format!("{{ value: \"{}\" }}", c.value)
                    } else {
                        format!("{{ value: \"{}\", entries: {} }}", c.value, c.entries.0)
                    }
                })
                .collect();
            format!("{{ k: \"oneOf\", of: [{}] }}", items.join(", "))
        }
        Kind::ListOf(inner) => format!("{{ k: \"list\", of: {} }}", kind_data(inner, indent)),
        Kind::RecordOf(inner) => format!("{{ k: \"record\", of: {} }}", kind_data(inner, indent)),
        Kind::Object(shape) if !shape.name.is_empty() => {
            format!("{{ k: \"object\", shape: () => {}_SHAPE }}", shape.name)
        }
        Kind::Object(shape) => {
            let data = shape_data(shape, indent);
            format!("{{ k: \"object\", shape: () => ({data}) }}")
        }
        Kind::Either(kinds) => {
            let items: Vec<String> = kinds.iter().map(|k| kind_data(k, indent)).collect();
            format!("{{ k: \"either\", of: [{}] }}", items.join(", "))
        }
        Kind::Js { ts, check } => {
            let check = match check {
                JsCheck::Function => "\"function\"".to_owned(),
                JsCheck::Any => "\"any\"".to_owned(),
                JsCheck::Methods(methods) => format!(
                    "[{}]",
                    methods.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
                ),
            };
            format!("{{ k: \"js\", ts: {}, check: {check} }}", super::json(ts))
        }
        Kind::Any { .. } => "{ k: \"any\" }".into(),
    }
}

fn number_data(range: &Range) -> String {
    let mut out = String::from("{ k: \"number\"");
    if let Some(min) = range.min {
        let _ = write!(out, ", min: {}", crate::format::js_number(min));
    }
    if range.min_exclusive {
        out.push_str(", minExclusive: true");
    }
    if let Some(max) = range.max {
        let _ = write!(out, ", max: {}", crate::format::js_number(max));
    }
    if range.integer {
        out.push_str(", integer: true");
    }
    if !range.unit.is_empty() {
        let _ = write!(out, ", unit: \"{}\"", range.unit);
    }
    out.push_str(" }");
    out
}

/// `sessionConfigJson`: the fields of a config a session reads, under the names it reads them.
fn session_config_json(out: &mut String) {
    out.push_str("/** The fields of `config` a session reads (the Rust `SessionConfig`), as its constructor takes them. */\n");
    out.push_str("export function sessionConfigJson(config: ConductorConfig): string {\n  return JSON.stringify({\n");
    for (name, expression) in session_fields() {
        let _ = writeln!(out, "    {name}: {expression},");
    }
    out.push_str("  });\n}\n");
}

/// Each field a session reads: its name there and the TypeScript that reads it from a config.
pub(crate) fn session_fields() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for field in CONDUCTOR_CONFIG.fields {
        match field.wire {
            Wire::Same => out.push((field.name, format!("config.{}", field.name))),
            Wire::As(name) => out.push((name, format!("config.{}", field.name))),
            Wire::No => {
                if let Kind::Object(shape) = field.kind {
                    for inner in shape.fields {
                        if let Wire::As(name) = inner.wire {
                            out.push((name, format!("config.{}?.{}", field.name, inner.name)));
                        }
                    }
                }
            }
        }
    }
    out
}
