//! What `edit-fields` does: set fields on the input object, or with `forEachItem` on each item
//! of the input array.

use crate::json;
use crate::value::{Map, Value};

use super::super::common::{array_input, node_error, Config};
use super::super::common_budget::NodeBudget;
use super::schema::SCHEMA;
use super::TYPE;
use crate::error::ExecutionError;
use crate::format::iso_timestamp;
use crate::format::{render_template, TemplateStyle};
use crate::host::{BoxFuture, SharedHost};
use crate::nodes::{Invocation, NodeResult};

pub(super) fn execute(invocation: Invocation, host: SharedHost) -> BoxFuture<'static, NodeResult> {
    let result = edit(&invocation, &host);
    Box::pin(async move { result })
}

/// What one field of an object built from an array or a string counts against the output
/// bound (its key and value, beyond the data itself).
const ENTRY_BYTES: usize = 48;

fn edit(invocation: &Invocation, host: &SharedHost) -> NodeResult {
    let config = Config::new(&SCHEMA, invocation);
    let editor = Editor::new(invocation, host)?;
    // Rendered text counts against the same output bound as expression results.
    let calls = NodeBudget::new(invocation.expression_limits, &invocation.signal);
    let data = invocation.input_value("data").or_else(|| config.get("data"));
    let result = if config.bool("forEachItem").unwrap_or(false) {
        edit_each_item(&editor, data, &calls)?
    } else {
        Value::Object(editor.edit(object_view(data.cloned(), &calls)?, &calls)?)
    };
    Ok(Some(json!({ "result": result })))
}

/// `forEachItem`: each item of the array `data` is or holds, edited.
fn edit_each_item(
    editor: &Editor,
    data: Option<&Value>,
    calls: &NodeBudget<'_>,
) -> Result<Value, ExecutionError> {
    let items = match data {
        None => &[][..],
        Some(value) => array_input(value, None).ok_or_else(|| {
            node_error(TYPE, "Input data must be an array (or hold one) to edit each item")
        })?,
    };
    let mut edited = Vec::with_capacity(items.len());
    for item in items {
        edited.push(Value::Object(editor.edit(object_view(Some(item.clone()), calls)?, calls)?));
    }
    Ok(Value::Array(edited))
}

/// The fields a node sets, ready to set on any number of objects.
pub(super) struct Editor {
    values: Map,
    keep_only_set: bool,
    /// Where a template path that names nothing is reported: the run, and this node.
    run: std::sync::Arc<crate::nodes::RunContext>,
    node_id: std::sync::Arc<str>,
    /// `{{$now}}`, when a template reads any data.
    now: Option<Value>,
}

impl Editor {
    /// The node's `values` (an object, or the JSON text of one), read once.
    pub(super) fn new(invocation: &Invocation, host: &SharedHost) -> Result<Self, ExecutionError> {
        let config = Config::new(&SCHEMA, invocation);
        let values = match config.get("values") {
            Some(Value::Object(values)) => values.clone(),
            Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(values)) => values,
                _ => {
                    return Err(node_error(
                        TYPE,
                        "values must be an object or the JSON text of one",
                    ))
                }
            },
            _ => Map::new(),
        };
        let needs_data = values.values().any(|v| v.as_str().is_some_and(|s| s.contains("{{")));
        Ok(Editor {
            run: invocation.run.clone(),
            node_id: invocation.node_id.clone(),
            keep_only_set: config.bool("keepOnlySet").unwrap_or(false),
            now: needs_data.then(|| json!(iso_timestamp(host.now()))),
            values,
        })
    }

    /// A template's `{{ path }}` named nothing in the input: it rendered as `""`, as the
    /// TypeScript engine's did, and the run says so.
    fn warn_missing(&self, path: &str) {
        self.run.warn(
            Some(&self.node_id),
            format!(
                "edit-fields: {{{{{path}}}}} names nothing in the input, so it rendered as \"\""
            ),
        );
    }

    /// `{...input}` with the fields set: each template rendered against `input`.
    pub(super) fn edit(&self, input: Map, calls: &NodeBudget<'_>) -> Result<Map, ExecutionError> {
        // The input is copied only when both the output and the templates need it.
        let with_now = |mut data: Map, now: &Value| {
            data.insert("$now".to_owned(), now.clone());
            data
        };
        let (mut out, data) = match (self.keep_only_set, &self.now) {
            (true, None) => (Map::new(), None),
            (true, Some(now)) => (Map::new(), Some(with_now(input, now))),
            (false, None) => (input, None),
            (false, Some(now)) => (input.clone(), Some(with_now(input, now))),
        };
        let empty = Map::new();
        for (key, value) in &self.values {
            calls.stopped()?;
            let rendered = match value {
                Value::String(template) => {
                    let mut missing = |path: &str| self.warn_missing(path);
                    let text = render_template(
                        template,
                        data.as_ref().unwrap_or(&empty),
                        TemplateStyle::Html,
                        calls.output_left(),
                        &mut missing,
                    )
                    .map_err(|_| calls.over(TYPE))?;
                    calls.spend(TYPE, text.len())?;
                    Value::from(text)
                }
                other => other.clone(),
            };
            out.insert(key.clone(), rendered);
        }
        Ok(out)
    }
}

/// `{...value}` as the fields of the object an edit starts from, counted against the output
/// bound: an object's entries (moved out of an object given whole), an array's or string's by
/// index, nothing otherwise.
pub(super) fn object_view(
    value: Option<Value>,
    calls: &NodeBudget<'_>,
) -> Result<Map, ExecutionError> {
    calls.spend(TYPE, view_size(value.as_ref()).saturating_mul(ENTRY_BYTES))?;
    Ok(match value {
        Some(Value::Object(map)) => map,
        Some(Value::Array(items)) => {
            items.iter().enumerate().map(|(i, v)| (i.to_string(), v.clone())).collect()
        }
        Some(Value::String(s)) => s
            .chars()
            .enumerate()
            .map(|(i, c)| (i.to_string(), Value::from(c.to_string())))
            .collect(),
        _ => Map::new(),
    })
}

/// How many entries `object_view` makes of a value.
fn view_size(value: Option<&Value>) -> usize {
    match value {
        Some(Value::Object(map)) => map.len(),
        Some(Value::Array(items)) => items.len(),
        Some(Value::String(s)) => s.len(),
        _ => 0,
    }
}
