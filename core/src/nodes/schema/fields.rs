//! UI field configs derived from a schema (`createFieldsFromSchema`, reference §6.2), with the
//! per-type overrides of §7.11a.

use serde_json::{json, Map, Value};

use super::{base_params, field_label, option_label, NodeSchema, ParamKind, ParamSpec, TextFormat};

/// Per-field UI overrides, merged over the derived config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldOverrides {
    pub control: Option<&'static str>,
    pub label: Option<&'static str>,
    pub placeholder: Option<&'static str>,
    pub help_text: Option<&'static str>,
    pub rows: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
    /// `(value, label)` pairs.
    pub options: Option<&'static [(&'static str, &'static str)]>,
}

impl FieldOverrides {
    pub const NONE: FieldOverrides =
        FieldOverrides { control: None, label: None, placeholder: None, help_text: None, rows: None, min: None, max: None, step: None, options: None };

    pub const fn control(mut self, control: &'static str) -> Self {
        self.control = Some(control);
        self
    }
    pub const fn label(mut self, label: &'static str) -> Self {
        self.label = Some(label);
        self
    }
    pub const fn placeholder(mut self, placeholder: &'static str) -> Self {
        self.placeholder = Some(placeholder);
        self
    }
    pub const fn help_text(mut self, help_text: &'static str) -> Self {
        self.help_text = Some(help_text);
        self
    }
    pub const fn rows(mut self, rows: u32) -> Self {
        self.rows = Some(rows);
        self
    }
    pub const fn min(mut self, min: f64) -> Self {
        self.min = Some(min);
        self
    }
    pub const fn max(mut self, max: f64) -> Self {
        self.max = Some(max);
        self
    }
    pub const fn step(mut self, step: f64) -> Self {
        self.step = Some(step);
        self
    }
    pub const fn options(mut self, options: &'static [(&'static str, &'static str)]) -> Self {
        self.options = Some(options);
        self
    }
}

pub(super) fn fields(schema: &NodeSchema) -> Map<String, Value> {
    let mut out = Map::new();
    let base = if schema.base_fields { base_params() } else { Vec::new() };
    for spec in base.iter().chain(&schema.params) {
        out.insert(spec.name.to_owned(), Value::Object(field(spec)));
    }
    out
}

fn field(spec: &ParamSpec) -> Map<String, Value> {
    let mut f = Map::new();
    let control = match &spec.kind {
        ParamKind::Text { format: TextFormat::Url, .. } => "url",
        ParamKind::Text { format: TextFormat::Email, .. } => "email",
        ParamKind::Text { .. } | ParamKind::Expression(_) | ParamKind::Any => "text",
        ParamKind::Number { .. } => "number",
        ParamKind::Boolean => "boolean",
        ParamKind::Enum(_) => "select",
        ParamKind::StringList { .. } | ParamKind::StringListOrJson | ParamKind::Array | ParamKind::RecordOrJson | ParamKind::StringRecordOrJson => "json",
    };
    f.insert("controlType".into(), json!(control));
    f.insert("label".into(), json!(field_label(spec.name)));
    // Defaults still count as required, as in the original.
    f.insert("required".into(), json!(!spec.optional));
    if let Some(description) = spec.description {
        f.insert("helpText".into(), json!(description));
    }
    if let Some(default) = spec.default {
        f.insert("placeholder".into(), json!(format!("Default: {}", placeholder_text(&default()))));
    }
    if let ParamKind::Number { min, max, exclusive_min, .. } = &spec.kind {
        if let Some(min) = min {
            f.insert("min".into(), json!(if *exclusive_min { min + 1.0 } else { *min }));
        }
        if let Some(max) = max {
            f.insert("max".into(), json!(max));
        }
    }
    if let ParamKind::Enum(values) = &spec.kind {
        f.insert("options".into(), options(values.iter().map(|v| (*v, option_label(v)))));
    }
    apply(&mut f, &spec.ui);
    f
}

fn options<'a>(pairs: impl Iterator<Item = (&'a str, String)>) -> Value {
    Value::Array(pairs.map(|(value, label)| json!({"value": value, "label": label})).collect())
}

fn placeholder_text(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 50 {
        format!("{}...", text.chars().take(47).collect::<String>())
    } else {
        text
    }
}

fn apply(f: &mut Map<String, Value>, ui: &FieldOverrides) {
    if let Some(control) = ui.control {
        f.insert("controlType".into(), json!(control));
    }
    if let Some(label) = ui.label {
        f.insert("label".into(), json!(label));
    }
    if let Some(placeholder) = ui.placeholder {
        f.insert("placeholder".into(), json!(placeholder));
    }
    if let Some(help) = ui.help_text {
        f.insert("helpText".into(), json!(help));
    }
    if let Some(rows) = ui.rows {
        f.insert("rows".into(), json!(rows));
    }
    if let Some(min) = ui.min {
        f.insert("min".into(), json!(min));
    }
    if let Some(max) = ui.max {
        f.insert("max".into(), json!(max));
    }
    if let Some(step) = ui.step {
        f.insert("step".into(), json!(step));
    }
    if let Some(pairs) = ui.options {
        f.insert("options".into(), options(pairs.iter().map(|(v, l)| (*v, (*l).to_owned()))));
    }
}
